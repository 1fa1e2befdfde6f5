import AWPCore
import AWPPluginKit
import Foundation
import Glibc

/// The files tools: read, write, list and stat inside one root directory.
struct FileTools {
    let root: ConfinedRoot
    static let defaultReadLimit = 1 << 20
    static let listLimit = 5000

    func register(on server: inout PluginServer) {
        let pathProperty: JSONValue = ["type": "string", "description": "Path relative to the root"]
        server.tool(ToolDefinition(
            name: "read", description: "Read a UTF-8 text file (up to maxBytes, default 1 MiB, from offset)",
            inputSchema: ["type": "object", "properties": ["path": pathProperty, "offset": ["type": "integer", "minimum": 0],
                                                           "maxBytes": ["type": "integer", "minimum": 1]], "required": ["path"]],
            annotations: ToolAnnotations(readOnlyHint: true, idempotentHint: true, openWorldHint: false))
        ) { arguments, _ in try guarded { try read(arguments) } }
        server.tool(ToolDefinition(
            name: "write", description: "Write (or append) UTF-8 text to a file, creating parent directories",
            inputSchema: ["type": "object", "properties": ["path": pathProperty, "content": ["type": "string"],
                                                           "append": ["type": "boolean"]], "required": ["path", "content"]],
            annotations: ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false))
        ) { arguments, _ in try guarded { try write(arguments) } }
        server.tool(ToolDefinition(
            name: "list", description: "List a directory (recursively if asked): path, type and size of each entry",
            inputSchema: ["type": "object", "properties": ["path": pathProperty, "recursive": ["type": "boolean"]]],
            annotations: ToolAnnotations(readOnlyHint: true, idempotentHint: true, openWorldHint: false))
        ) { arguments, _ in try guarded { try list(arguments) } }
        server.tool(ToolDefinition(
            name: "stat", description: "Type, size and modification time of a path",
            inputSchema: ["type": "object", "properties": ["path": pathProperty], "required": ["path"]],
            annotations: ToolAnnotations(readOnlyHint: true, idempotentHint: true, openWorldHint: false))
        ) { arguments, _ in try guarded { try stat(arguments) } }
    }

    /// Turns the model's mistakes into readable error results; protocol failures pass through.
    private func guarded(_ body: () throws -> ToolCallResult) throws -> ToolCallResult {
        do {
            return try body()
        } catch let failure as ToolFailure {
            return .text(failure.description, isError: true)
        }
    }

    private func path(_ arguments: JSONValue, default fallback: String? = nil) throws -> String {
        guard let path = arguments["path"]?.stringValue ?? fallback else { throw ToolFailure("'path' is required") }
        return path
    }

    private func read(_ arguments: JSONValue) throws -> ToolCallResult {
        let file = try root.existing(try path(arguments))
        let offset = max(arguments["offset"]?.intValue ?? 0, 0)
        let limit = max(arguments["maxBytes"]?.intValue ?? Self.defaultReadLimit, 1)
        guard let handle = FileHandle(forReadingAtPath: file) else { throw ToolFailure("cannot open '\(root.display(file))'") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            let truncated = data.count > limit
            guard let text = String(data: data.prefix(limit), encoding: .utf8) else {
                throw ToolFailure("'\(root.display(file))' is not UTF-8 text")
            }
            return ToolCallResult(content: [.text(text)], structuredContent: [
                "path": .string(root.display(file)), "offset": .integer(offset), "bytes": .integer(min(data.count, limit)),
                "truncated": .bool(truncated),
            ])
        } catch let failure as ToolFailure {
            throw failure
        } catch {
            throw ToolFailure("cannot read '\(root.display(file))': \(error.localizedDescription)")
        }
    }

    private func write(_ arguments: JSONValue) throws -> ToolCallResult {
        guard let content = arguments["content"]?.stringValue else { throw ToolFailure("'content' must be a string") }
        let file = try root.creatable(try path(arguments))
        let append = arguments["append"]?.boolValue ?? false
        // O_NOFOLLOW: a symbolic link planted at the leaf is refused, never written through.
        let fd = open(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
        guard fd >= 0 else { throw ToolFailure("cannot write '\(root.display(file))': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(content.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw ToolFailure("write failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
        return ToolCallResult(content: [.text("wrote \(bytes.count) bytes to \(root.display(file))")],
                              structuredContent: ["path": .string(root.display(file)), "bytes": .integer(bytes.count)])
    }

    private func list(_ arguments: JSONValue) throws -> ToolCallResult {
        let directory = try root.existing(try path(arguments, default: "."))
        let recursive = arguments["recursive"]?.boolValue ?? false
        var entries: [JSONValue] = []
        var pending = [directory]
        while let current = pending.popLast(), entries.count < Self.listLimit {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: current).sorted()
            } catch {
                throw ToolFailure("cannot list '\(root.display(current))': not a readable directory")
            }
            for name in names where entries.count < Self.listLimit {
                let full = current + "/" + name
                let info = describe(full)
                entries.append(info)
                if recursive, info["type"] == "directory" { pending.append(full) }
            }
        }
        let truncated = entries.count >= Self.listLimit
        let lines = entries.map { "\($0["type"]?.stringValue ?? "?")\t\($0["size"]?.intValue ?? 0)\t\($0["path"]?.stringValue ?? "")" }
        return ToolCallResult(content: [.text(lines.joined(separator: "\n"))],
                              structuredContent: ["entries": .array(entries), "truncated": .bool(truncated)])
    }

    private func stat(_ arguments: JSONValue) throws -> ToolCallResult {
        let file = try root.existing(try path(arguments))
        let info = describe(file)
        return ToolCallResult(content: [.text(info.serialized())], structuredContent: info)
    }

    /// Path, type, size and modification time, without following a final symbolic link.
    private func describe(_ path: String) -> JSONValue {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { return ["path": .string(root.display(path)), "type": "missing"] }
        let type: String = switch info.st_mode & S_IFMT {
        case S_IFDIR: "directory"
        case S_IFREG: "file"
        case S_IFLNK: "symlink"
        default: "other"
        }
        return ["path": .string(root.display(path)), "type": .string(type), "size": .integer(Int(info.st_size)),
                "modified": .integer(Int(info.st_mtim.tv_sec))]
    }
}
