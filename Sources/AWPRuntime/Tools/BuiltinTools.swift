import AWPCore
import AWPSandbox
import Foundation

/// The tools every run has: sandboxed code execution and workspace file access. Paths are
/// relative to the run workspace (`/workspace/...`, the path sandboxed code sees, is accepted too);
/// nothing outside it is reachable and no symlink is ever followed.
enum BuiltinTools {
    static let codeExecute = "code.execute"
    static let fileRead = "file.read"
    static let fileWrite = "file.write"
    static let fileList = "file.list"
    static let toolCreate = "tool.create"

    static let names = [codeExecute, fileRead, fileWrite, fileList]

    static let definitions: [String: ToolDefinition] = [
        codeExecute: ToolDefinition(
            name: codeExecute,
            description: "Run Python 3 code in this worker's sandbox (no network unless granted). The working directory is "
                + "/workspace; inputs are in /workspace/inputs, write results to /workspace/output. Variables persist "
                + "between calls. Returns stdout, stderr and any error.",
            inputSchema: ["type": "object", "properties": ["code": ["type": "string"], "timeout": ["type": "number"]],
                          "required": ["code"]]),
        fileRead: ToolDefinition(
            name: fileRead, description: "Read a text file from the workspace (e.g. inputs/data.csv).",
            inputSchema: ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]],
            annotations: ToolAnnotations(readOnlyHint: true)),
        fileWrite: ToolDefinition(
            name: fileWrite, description: "Write a text file in the workspace (e.g. output/report.md); mode overwrite or append.",
            inputSchema: ["type": "object",
                          "properties": ["path": ["type": "string"], "content": ["type": "string"],
                                         "mode": ["type": "string", "enum": ["overwrite", "append"]]],
                          "required": ["path", "content"]]),
        fileList: ToolDefinition(
            name: fileList, description: "List files under a workspace directory (relative paths).",
            inputSchema: ["type": "object",
                          "properties": ["path": ["type": "string"], "pattern": ["type": "string"],
                                         "recursive": ["type": "boolean"]]],
            annotations: ToolAnnotations(readOnlyHint: true)),
        toolCreate: ToolDefinition(
            name: toolCreate,
            description: "Create a reusable tool <namespace>.<action>: Python source defining `def handler(*, ...)` that "
                + "returns a JSON-serializable dict, with JSON-schema parameters. It is checked, dry-run in the sandbox "
                + "and then callable by name.",
            inputSchema: ["type": "object",
                          "properties": ["name": ["type": "string"], "description": ["type": "string"],
                                         "parameters": ["type": "object"], "code": ["type": "string"]],
                          "required": ["name", "code"]]),
    ]

    static func isMutating(_ name: String) -> Bool { name != fileRead && name != fileList }

    /// Maps a caller's path onto a workspace-relative one, refusing anything that leaves it.
    static func relativePath(_ path: String) -> String? {
        var path = path.trimmingCharacters(in: .whitespaces)
        for prefix in ["/workspace/", "./"] where path.hasPrefix(prefix) { path.removeFirst(prefix.count) }
        if path == "/workspace" || path == "." || path.isEmpty { return "" }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.contains("..") else { return nil }
        return parts.joined(separator: "/")
    }

    static func read(_ arguments: JSONValue, workspace: WorkspaceReader) -> ToolOutcome {
        guard let raw = arguments["path"]?.stringValue, let path = relativePath(raw), !path.isEmpty else {
            return .failure("file.read needs a path inside the workspace", status: 403)
        }
        // The reference's resolution order: as given, under inputs/, then the bare name under inputs/.
        let candidates = [path, "inputs/" + path, "inputs/" + (path.split(separator: "/").last.map(String.init) ?? path)]
        var lastError = "not found"
        for candidate in candidates {
            do {
                let bytes = try workspace.read(candidate, limit: 4 << 20)
                let sample = bytes.prefix(4096)
                if sample.contains(0) || String(validating: sample, as: UTF8.self) == nil && sample.count == bytes.count {
                    return .failure("\(candidate) is binary (\(bytes.count) bytes); process it with code.execute", status: 415)
                }
                return ToolOutcome(isError: false, value: ["ok": true, "path": .string(candidate),
                                                          "content": .string(String(decoding: bytes, as: UTF8.self)),
                                                          "size": .integer(bytes.count)])
            } catch {
                lastError = "\(error)"
                if case .system(_, let code) = error, code == ENOENT { continue }
                return .failure(lastError, status: 403)
            }
        }
        return .failure("\(raw): no such file in the workspace", status: 404)
    }

    static func write(_ arguments: JSONValue, workspace: WorkspaceReader, owner: (uid: UInt32, gid: UInt32)?) -> ToolOutcome {
        guard let raw = arguments["path"]?.stringValue, let path = relativePath(raw), !path.isEmpty else {
            return .failure("file.write needs a path inside the workspace", status: 403)
        }
        guard let content = arguments["content"]?.stringValue else { return .failure("file.write needs content") }
        let append = arguments["mode"]?.stringValue == "append"
        if path.hasPrefix("inputs/") { return .failure("inputs/ is read-only; write under output/", status: 403) }
        do {
            try workspace.write(path, bytes: Array(content.utf8), append: append, owner: owner)
            return ToolOutcome(isError: false, value: ["ok": true, "path": .string(path), "size": .integer(content.utf8.count)])
        } catch {
            return .failure("\(error)", status: 403)
        }
    }

    static func list(_ arguments: JSONValue, workspace: WorkspaceReader) -> ToolOutcome {
        guard let path = relativePath(arguments["path"]?.stringValue ?? "") else {
            return .failure("file.list needs a path inside the workspace", status: 403)
        }
        let pattern = arguments["pattern"]?.stringValue ?? "*"
        let recursive = arguments["recursive"]?.boolValue ?? true
        do {
            var files = try workspace.files(under: path)
            if !recursive {
                let depth = path.isEmpty ? 0 : path.split(separator: "/").count
                files = files.filter { $0.split(separator: "/").count == depth + 1 }
            }
            files = files.filter { PolicyGate.matches(pattern, String($0.split(separator: "/").last ?? "")) }
            let shown = Array(files.prefix(500))
            return ToolOutcome(isError: false, value: ["ok": true, "files": .array(shown.map(JSONValue.string)),
                                                      "count": .integer(files.count)])
        } catch {
            return .failure("\(error)", status: 404)
        }
    }

    /// Lines put before every `code.execute` snippet: where things are, and an output directory that exists.
    static let codePreamble = """
        _workspace_dir = "/workspace"
        _output_dir = "/workspace/output"
        _input_dir = "/workspace/inputs"
        __import__("os").makedirs(_output_dir, exist_ok=True)

        """

    static func execute(_ arguments: JSONValue, executor: WarmExecutor?, maxTimeout: Double) async -> ToolOutcome {
        guard let executor else { return .failure("code execution is not granted to this worker", status: 403) }
        guard let code = arguments["code"]?.stringValue, !code.isEmpty else { return .failure("code.execute needs code") }
        let timeout = min(arguments["timeout"]?.doubleValue ?? maxTimeout, maxTimeout)
        do {
            let result = try await executor.run(codePreamble + code, timeout: max(1, timeout))
            var value: [(String, JSONValue?)] = [
                ("ok", .bool(result.ok)), ("stdout", .string(result.stdout)), ("stderr", .string(result.stderr)),
                ("error", result.error.map(JSONValue.string)),
            ]
            if result.timedOut { value.append(("timedOut", true)) }
            if result.crashed { value.append(("crashed", true)) }
            if result.truncated { value.append(("truncated", true)) }
            return ToolOutcome(isError: !result.ok, value: .object(value.compactMap { key, v in v.map { (key: key, value: $0) } }))
        } catch {
            return .failure("the sandbox could not run the code: \(error)", status: 500)
        }
    }
}
