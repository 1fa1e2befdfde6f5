internal import AWPCore

/// Puts a run's input files into its workspace and describes them.
///
/// ```swift
/// let inputs = try arguments.inputs.map { argument throws(InputError) in try InputSpec(parsing: argument) }
/// let manifest = try InputPreparer.prepare(inputs, workspace: workspace)
/// managerPrompt += manifest.promptSection(maxChars: 6_000)
/// ```
public enum InputPreparer {
    /// Copies each input into `<workspace>/inputs/`, writes `<workspace>/input_manifest.json`, and returns the manifest.
    ///
    /// - A file becomes `inputs/<key><ext>`, keeping the source's extension (`sales=q3.csv` →
    ///   `inputs/sales.csv`; a key that already ends with it is not extended again).
    /// - A directory becomes `inputs/<key>/`, copied recursively. Symlinks inside it are copied as the file
    ///   or directory they point to when that lies inside the input directory; a link pointing outside it
    ///   or nowhere, a link loop, and special files (FIFOs, sockets, devices) are refused.
    /// - Copies are regular files with mode 0644, whatever the source's mode.
    /// - At most `maxTotalBytes` are copied in all (1 GiB by default), and at most 100 000 files.
    ///
    /// Nothing is left half done: when any input fails, what this call copied is removed again.
    /// - Throws: `InputError` for an invalid or repeated key, two inputs that would get the same name, a
    ///   missing source, a name already taken in `inputs/`, a refused file, or the size limit.
    public static func prepare(
        _ inputs: [InputSpec],
        workspace: String,
        maxTotalBytes: Int = 1 << 30
    ) throws(InputError) -> InputManifest {
        let inputsDirectory = workspace + "/inputs"
        let plan = try plan(inputs, workspace: workspace, inputsDirectory: inputsDirectory, maxTotalBytes: maxTotalBytes)
        var copier = InputCopier(maximumTotalBytes: maxTotalBytes)
        var created: [String] = []
        var entries: [InputEntry] = []
        do {
            if LocalFile.info(inputsDirectory) == nil {
                try withInputError { () throws(LocalFile.Failure) in try LocalFile.makeDirectory(inputsDirectory) }
            }
            for item in plan {
                let destination = inputsDirectory + "/" + item.name
                let workspacePath = "inputs/" + item.name
                created.append(destination)
                if item.isDirectory {
                    try copier.copyDirectory(key: item.spec.key, source: item.spec.path, destination: destination)
                    entries.append(InputDescriber.describeDirectory(path: destination, key: item.spec.key, workspacePath: workspacePath))
                } else {
                    let digest = try copier.copyFile(key: item.spec.key, source: item.spec.path, destination: destination)
                    entries.append(
                        InputDescriber.describeFile(path: destination, key: item.spec.key, workspacePath: workspacePath, sha256: digest)
                    )
                }
            }
            let manifest = InputManifest(entries: entries)
            let bytes = manifest.json.serializedUTF8(pretty: true) + [UInt8(ascii: "\n")]
            try withInputError { () throws(LocalFile.Failure) in
                try LocalFile.writeAtomically(bytes, to: workspace + "/input_manifest.json")
            }
            return manifest
        } catch {
            for path in created { LocalFile.removeTree(path) }
            throw error
        }
    }

    /// Describes what already sits in `<workspace>/inputs` (workflows may ship `workspace/inputs/` files).
    ///
    /// Each visible top-level file or directory becomes an entry keyed by its name without the extension
    /// (the full name when two files share a stem), in name order. Nothing is written, and symlinks and
    /// special files are skipped rather than followed: a downloaded workflow's link to a host file must
    /// not end up previewed in a prompt.
    public static func describeExisting(workspace: String) -> InputManifest {
        let inputsDirectory = workspace + "/inputs"
        guard LocalFile.info(inputsDirectory)?.kind == .directory,
            let names = try? LocalFile.names(in: inputsDirectory)
        else { return InputManifest() }
        let visible = names.filter { !$0.hasPrefix(".") }
        var stemCounts: [String: Int] = [:]
        for name in visible { stemCounts[stem(of: name), default: 0] += 1 }
        var entries: [InputEntry] = []
        for name in visible {
            let path = inputsDirectory + "/" + name
            let key = stemCounts[stem(of: name)] == 1 ? stem(of: name) : name
            switch LocalFile.info(path)?.kind {
            case .regular:
                entries.append(InputDescriber.describeFile(path: path, key: key, workspacePath: "inputs/" + name, sha256: nil))
            case .directory:
                entries.append(InputDescriber.describeDirectory(path: path, key: name, workspacePath: "inputs/" + name))
            default:
                continue
            }
        }
        return InputManifest(entries: entries)
    }

    // MARK: - Planning

    private struct PlannedInput {
        var spec: InputSpec
        var name: String
        var isDirectory: Bool
    }

    /// Checks every input before anything is copied, so common mistakes fail without side effects.
    private static func plan(
        _ inputs: [InputSpec],
        workspace: String,
        inputsDirectory: String,
        maxTotalBytes: Int
    ) throws(InputError) -> [PlannedInput] {
        guard LocalFile.info(workspace, followLinks: true)?.kind == .directory else {
            throw InputError("workspace \(workspace) is not a directory")
        }
        if let existing = LocalFile.info(inputsDirectory), existing.kind != .directory {
            throw InputError("\(inputsDirectory) exists and is not a directory")
        }
        let workspaceReal = LocalFile.realPath(workspace) ?? workspace
        var keys: Set<String> = []
        var names: Set<String> = []
        var plan: [PlannedInput] = []
        for spec in inputs {
            try InputSpec.validate(key: spec.key)
            guard keys.insert(spec.key).inserted else { throw InputError("input key '\(spec.key)' is given twice") }
            guard let info = LocalFile.info(spec.path, followLinks: true) else {
                throw InputError("input '\(spec.key)': \(spec.path) does not exist")
            }
            let isDirectory: Bool
            switch info.kind {
            case .regular:
                isDirectory = false
                guard info.size <= maxTotalBytes else {
                    throw InputError(
                        "input '\(spec.key)' is \(InputManifest.formatBytes(info.size)); inputs are limited to \(InputManifest.formatBytes(maxTotalBytes)) in total"
                    )
                }
            case .directory:
                isDirectory = true
                // Copying a directory that holds the workspace would copy the copy, forever.
                if let real = LocalFile.realPath(spec.path), LocalFile.isWithin(workspaceReal, root: real) {
                    throw InputError("input '\(spec.key)': \(spec.path) contains the workspace")
                }
            default:
                throw InputError("input '\(spec.key)': \(spec.path) is not a regular file or directory")
            }
            let name = isDirectory ? spec.key : spec.key + fileExtension(keeping: spec.path, after: spec.key)
            guard names.insert(name).inserted else {
                throw InputError("inputs would both be copied to inputs/\(name); rename one key")
            }
            guard LocalFile.info(inputsDirectory + "/" + name) == nil else {
                throw InputError("input '\(spec.key)': inputs/\(name) already exists in the workspace")
            }
            plan.append(PlannedInput(spec: spec, name: name, isDirectory: isDirectory))
        }
        return plan
    }

    /// The extension `key` needs to keep `path`'s: `.csv`, `.tar.gz`, or nothing when `key` already ends with it.
    static func fileExtension(keeping path: String, after key: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let lowered = name.lowercased()
        let compound = [".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst"].first { lowered.hasSuffix($0) && lowered.count > $0.count }
        var suffix = compound.map { String(name.suffix($0.count)) } ?? ""
        if suffix.isEmpty, let dot = name.lastIndex(of: "."), dot != name.startIndex {
            suffix = String(name[dot...])
        }
        // Only ordinary extensions: `report.final version` has no extension worth keeping.
        let body = suffix.dropFirst()
        guard !body.isEmpty, body.count <= 16,
            body.utf8.allSatisfy({ SecretStore.isASCIILetter($0) || SecretStore.isASCIIDigit($0) || $0 == UInt8(ascii: ".") })
        else { return "" }
        return key.lowercased().hasSuffix(suffix.lowercased()) ? "" : suffix
    }

    private static func stem(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static func withInputError(_ body: () throws(LocalFile.Failure) -> Void) throws(InputError) {
        do {
            try body()
        } catch {
            throw InputError(error.message)
        }
    }
}
