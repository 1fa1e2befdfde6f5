public import AWPCore
internal import Foundation

/// Finds plugins: built-ins beside the `awp` binary, then `<workflow>/plugins/`, then
/// `$AWP_HOME/plugins/`, then MCP servers listed in `.mcp.json`-style files. The first plugin of a
/// name wins; later ones are reported as shadowed.
///
/// In a plugins directory, each subdirectory holding an `awp-plugin.json` is a plugin, and so is each
/// file named `<anything>.awp-plugin.json`. Beside the `awp` binary, executables named
/// `awp-provider-*` and `awp-tool-*` are plugins too: they print their own manifest when run with
/// `--manifest`, so the built-ins need no manifest files to be installed next to them.
public struct PluginDiscovery: Sendable {
    /// The directory of the running `awp` binary.
    public var binaryDirectory: String?
    public var workflowDirectory: String?
    /// `$AWP_HOME`.
    public var homeDirectory: String?
    /// `.mcp.json`-style files, read in order.
    public var mcpConfigFiles: [String]

    public init(binaryDirectory: String?, workflowDirectory: String? = nil, homeDirectory: String? = nil,
                mcpConfigFiles: [String] = []) {
        self.binaryDirectory = binaryDirectory
        self.workflowDirectory = workflowDirectory
        self.homeDirectory = homeDirectory
        self.mcpConfigFiles = mcpConfigFiles
    }

    /// The usual places: `$AWP_HOME` from `environment`, and `.mcp.json` in the workflow directory,
    /// the current directory and `$AWP_HOME` (`mcp.json` there), those that exist.
    public static func standard(binaryDirectory: String?, workflowDirectory: String?, environment: [String: String],
                                currentDirectory: String) -> PluginDiscovery {
        let home = environment["AWP_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        var candidates: [String] = []
        if let workflowDirectory { candidates.append(workflowDirectory + "/.mcp.json") }
        candidates.append(currentDirectory + "/.mcp.json")
        if let home { candidates.append(home + "/mcp.json") }
        var seen = Set<String>()
        let files = candidates.map { ($0 as NSString).standardizingPath }.filter {
            seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0)
        }
        return PluginDiscovery(binaryDirectory: binaryDirectory, workflowDirectory: workflowDirectory, homeDirectory: home,
                               mcpConfigFiles: files)
    }

    /// Runs the search. Blocking (it reads files and runs built-ins with `--manifest`): call it from
    /// a command or a detached task, not from latency-sensitive code.
    public func discover() -> PluginCatalog {
        var catalog = PluginCatalog()
        if let binaryDirectory {
            for manifest in builtIns(in: binaryDirectory, catalog: &catalog) { catalog.add(manifest) }
            for manifest in manifests(in: binaryDirectory + "/plugins", origin: .builtin, catalog: &catalog) { catalog.add(manifest) }
        }
        if let workflowDirectory {
            for manifest in manifests(in: workflowDirectory + "/plugins", origin: .workflow, catalog: &catalog) { catalog.add(manifest) }
        }
        if let homeDirectory {
            for manifest in manifests(in: homeDirectory + "/plugins", origin: .home, catalog: &catalog) { catalog.add(manifest) }
        }
        for file in mcpConfigFiles {
            do {
                for manifest in try MCPServersFile.read(file) { catalog.add(manifest) }
            } catch {
                catalog.problems.append(DiscoveryProblem(path: file, message: "\(error)"))
            }
        }
        return catalog
    }

    /// Manifests in a plugins directory: `*/awp-plugin.json` and `*.awp-plugin.json`, sorted by path.
    func manifests(in directory: String, origin: PluginManifest.Origin, catalog: inout PluginCatalog) -> [PluginManifest] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var result: [PluginManifest] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            let file: String
            if name.hasSuffix(".awp-plugin.json") {
                file = path
            } else if FileManager.default.fileExists(atPath: path + "/awp-plugin.json") {
                file = path + "/awp-plugin.json"
            } else {
                continue
            }
            do {
                let value = try JSONParser.parse(try String(contentsOfFile: file, encoding: .utf8))
                let defaultName = name.hasSuffix(".awp-plugin.json") ? String(name.dropLast(".awp-plugin.json".count)) : name
                result.append(try PluginManifest(json: value, directory: (file as NSString).deletingLastPathComponent,
                                                 origin: origin, location: file, defaultName: defaultName))
            } catch {
                catalog.problems.append(DiscoveryProblem(path: file, message: "\(error)"))
            }
        }
        return result
    }

    /// Executables beside `awp` named `awp-provider-*` / `awp-tool-*`, each asked for its manifest.
    func builtIns(in directory: String, catalog: inout PluginCatalog) -> [PluginManifest] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var result: [PluginManifest] = []
        for name in names.sorted() where name.hasPrefix("awp-provider-") || name.hasPrefix("awp-tool-") {
            let path = directory + "/" + name
            guard FileManager.default.isExecutableFile(atPath: path), !name.contains(".") else { continue }
            do {
                let printed = try BuiltInManifestReader.read(executable: path)
                let value = printed.setting("command", to: .string(path))
                result.append(try PluginManifest(json: value, directory: directory, origin: .builtin, location: path))
            } catch {
                catalog.problems.append(DiscoveryProblem(path: path, message: "\(error)"))
            }
        }
        return result
    }
}

/// What discovery found.
public struct PluginCatalog: Sendable {
    /// The plugins in effect, in search order.
    public var plugins: [PluginManifest] = []
    /// Plugins hidden by an earlier one of the same name.
    public var shadowed: [PluginManifest] = []
    /// Manifests that could not be read, with the reason.
    public var problems: [DiscoveryProblem] = []

    public init() {}

    mutating func add(_ manifest: PluginManifest) {
        if plugins.contains(where: { $0.name == manifest.name }) {
            shadowed.append(manifest)
        } else {
            plugins.append(manifest)
        }
    }

    /// The plugin named `name`, if any.
    public func plugin(named name: String) -> PluginManifest? {
        plugins.first { $0.name == name }
    }
}

/// A manifest that could not be used.
public struct DiscoveryProblem: Sendable, Hashable {
    public var path: String
    public var message: String

    public var json: JSONValue { ["path": .string(path), "message": .string(message)] }
}
