public import AWPPlugins
public import AWPSandbox
import Foundation
import Glibc

/// Runs every plugin under `awp-sandbox` with exactly the capabilities its manifest declares.
///
/// A provider gets egress to its API host through the host's egress proxy and nothing else; a tool
/// plugin that declares nothing gets no network at all and sees only the system, its own installation
/// and a private scratch directory. Declared paths are bound (read-only or read-write), `$NAME` entries
/// resolved against the plugin's environment (`PluginCapabilities.resolved(in:)`).
///
/// What a confined plugin can see:
/// - `/usr` and the sandbox's synthetic `/etc`, `/tmp`, `/dev`, `/proc` (as for sandboxed code);
/// - read-only: its own installation (the directory of its executable, or that directory's parent when it
///   is a `bin/`, such as a virtualenv), its manifest's directory, the directories of absolute paths among
///   its arguments, and the Swift runtime the host itself runs on (built-in plugins link it dynamically);
/// - a private scratch directory as `/workspace`, removed when the plugin exits; the working directory is
///   the manifest's `cwd` when it has one (bound read-only), else the scratch directory.
///
/// Secrets reach the plugin through the launcher's environment (`--keep-env`), never its argv.
/// Trust is widened only explicitly: plugins named in `trusted` run unconfined.
public struct PluginConfiner: PluginCommandWrapper {
    public var launcherPath: String
    public var resolver: any HostResolver
    /// Plugins the user chose to run unconfined (`--trust-plugin NAME`).
    public var trusted: Set<String>
    /// Receives each egress decision of a confined plugin, with the plugin's name, for the audit trail.
    public var onEgressDecision: (@Sendable (String, EgressDecision) -> Void)?
    /// Where scratch directories are made.
    public var scratchParent: String
    /// Limits for one plugin process tree. No wall clock: a plugin lives as long as the host needs it.
    public var limits: SandboxLimits

    public init(launcherPath: String, resolver: (any HostResolver)? = nil, trusted: Set<String> = [],
                onEgressDecision: (@Sendable (String, EgressDecision) -> Void)? = nil, scratchParent: String? = nil) {
        self.launcherPath = launcherPath
        self.resolver = resolver ?? SystemResolver.fromEnvironment()
        self.trusted = trusted
        self.onEgressDecision = onEgressDecision
        self.scratchParent = scratchParent ?? NSTemporaryDirectory()
        // Swift runtimes reserve address space generously (thread stacks, malloc arenas), so the memory cap
        // is wider than for sandboxed Python; process and descriptor caps still stop a runaway.
        self.limits = SandboxLimits(timeoutMilliseconds: nil, memoryMB: 4096, maxProcesses: 256)
        self.limits.openFiles = 1024
    }

    public func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
        if trusted.contains(manifest.name) { return command }
        var command = command
        // A bare name (`python3`, `node`) runs from the sandbox's own PATH when it is there: the host's
        // PATH may point at shims (pyenv, asdf) that need files the sandbox does not show.
        if !manifest.command.contains("/"), let visible = Self.sandboxPath(manifest.command) {
            command.executable = visible
        }
        let declared = try manifest.capabilities.resolved(in: command.environment)
        let scratch = try Self.makeScratchDirectory(in: scratchParent, plugin: manifest.name)
        var handover: EgressHandover?
        do {
            var policy = SandboxPolicy(command: [command.executable] + command.arguments, workspace: scratch,
                                       handWorkspaceToSandbox: true)
            policy.limits = limits
            policy.systemBinds = Self.installationBinds(command: command, manifest: manifest)
            if let directory = command.workingDirectory, Self.isVisible(directory, binds: policy.systemBinds) {
                policy.workingDirectory = directory
            }
            for path in declared.readPaths + declared.writePaths where !FileManager.default.fileExists(atPath: path) {
                throw PluginConfinementError(plugin: manifest.name, reason: "its manifest grants '\(path)', which does not exist")
            }
            if !declared.readPaths.isEmpty || !declared.writePaths.isEmpty {
                policy.capabilities.insert(.filesystem)
                policy.binds = declared.readPaths.map { SandboxBind(source: Self.realPath($0), target: $0) }
                    + declared.writePaths.map { SandboxBind(source: Self.realPath($0), target: $0, writable: true) }
            }
            if !declared.network.isEmpty {
                policy.capabilities.insert(.network)
                policy.allowedHosts = declared.network
                var onDecision: (@Sendable (EgressDecision) -> Void)?
                if let report = onEgressDecision {
                    let name = manifest.name
                    onDecision = { decision in report(name, decision) }
                }
                handover = try EgressHandover(allowedHosts: declared.network, resolver: resolver, onDecision: onDecision)
            }
            policy.keptEnvironment = command.environment.keys.filter(Self.passesThrough).sorted()
            try policy.validate()
            let arguments = LauncherArguments.make(for: policy, reportFD: nil, proxyFD: handover == nil ? nil : 3)
            let launcherEnvironment = command.environment.filter { Self.passesThrough($0.key) }
            let hooks = PluginSpawnHooks(
                spawned: { [handover] in handover?.launcherStarted() },
                ended: { [handover] in
                    handover?.stop()
                    try? FileManager.default.removeItem(atPath: scratch)
                })
            return PluginCommand(executable: launcherPath, arguments: arguments, environment: launcherEnvironment,
                                 workingDirectory: nil, passedDescriptors: handover.map { [$0.launcherDescriptor] } ?? [],
                                 hooks: hooks)
        } catch {
            handover?.stop()
            try? FileManager.default.removeItem(atPath: scratch)
            if error is PluginConfinementError { throw error }
            throw PluginConfinementError(plugin: manifest.name, reason: "\(error)")
        }
    }

    // MARK: What the plugin may see

    /// Variables the sandbox sets itself (paths, proxies) are not passed; everything else the plugin host
    /// chose for the plugin is.
    static func passesThrough(_ name: String) -> Bool {
        let own = ["PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "SHELL"]
        return !own.contains(name) && !name.lowercased().hasSuffix("_proxy")
    }

    /// The plugin's installation, read-only: executable directory (or its install prefix), manifest
    /// directory, directories of absolute-path arguments, and the Swift runtime. Paths under `/usr`, and
    /// paths inside another bind, are left out.
    static func installationBinds(command: PluginCommand, manifest: PluginManifest) -> [SandboxBind] {
        var directories: [String] = []
        let executable = realPath(command.executable)
        var home = (executable as NSString).deletingLastPathComponent
        if (home as NSString).lastPathComponent == "bin" { home = (home as NSString).deletingLastPathComponent }
        directories.append(home)
        if let location = manifest.location { directories.append((realPath(location) as NSString).deletingLastPathComponent) }
        if let directory = command.workingDirectory { directories.append(realPath(directory)) }
        for argument in command.arguments where argument.hasPrefix("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
            let resolved = realPath(argument)
            directories.append(isDirectory.boolValue ? resolved : (resolved as NSString).deletingLastPathComponent)
        }
        if let runtime = swiftRuntimeDirectory { directories.append(runtime) }
        var kept: [String] = []
        for directory in directories.sorted(by: { $0.count < $1.count }) {
            guard directory.hasPrefix("/"), !isSystemPath(directory), !directory.contains(":") else { continue }
            if kept.contains(where: { directory == $0 || directory.hasPrefix($0 + "/") }) { continue }
            kept.append(directory)
        }
        return kept.map { SandboxBind(source: $0, target: $0) }
    }

    /// `name` in the sandbox's fixed `PATH` (`/usr/local/bin:/usr/bin:/bin`), if it is there.
    static func sandboxPath(_ name: String) -> String? {
        ["/usr/local/bin", "/usr/bin", "/bin"].map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Already visible in every sandbox (or never bindable). Paths under `/tmp` are bound: the sandbox's own
    /// `/tmp` is a fresh tmpfs, and binds are mounted on top of it.
    static func isSystemPath(_ path: String) -> Bool {
        if path == "/" { return true }
        for system in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc", "/dev"]
        where path == system || path.hasPrefix(system + "/") {
            return true
        }
        return false
    }

    static func isVisible(_ path: String, binds: [SandboxBind]) -> Bool {
        let resolved = realPath(path)
        return binds.contains { resolved == $0.target || resolved.hasPrefix($0.target + "/") }
    }

    /// The directory of the `libswiftCore.so` this process runs on, unless it lies under `/usr`: built-in
    /// plugins come from the same toolchain and load the same runtime.
    static let swiftRuntimeDirectory: String? = {
        // Read with read(2): /proc files report a size of 0, which Foundation's file readers trust.
        let fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/"), line.hasSuffix("/libswiftCore.so") else { continue }
            return (String(line[slash...]) as NSString).deletingLastPathComponent
        }
        return nil
    }()

    /// `path` with symlinks resolved (the launcher refuses symlinked bind sources), or `path` itself.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeScratchDirectory(in parent: String, plugin: String) throws -> String {
        var template = Array((parent.hasSuffix("/") ? parent : parent + "/") .utf8CString.dropLast())
        template += Array("awp-plugin-\(plugin)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PluginConfinementError(plugin: plugin, reason: "cannot create a scratch directory in \(parent): \(String(cString: strerror(errno)))")
        }
        return realPath(String(cString: made))
    }
}

/// A plugin could not be confined as its manifest asks (a declared path is missing, the sandbox is unusable…).
public struct PluginConfinementError: Error, CustomStringConvertible {
    public var plugin: String
    public var reason: String

    public var description: String { "cannot confine plugin '\(plugin)': \(reason)" }
}
