internal import AWPCore

/// Turns a file or directory in the workspace into an `InputEntry`.
///
/// Every description is bounded: at most `maximumReadBytes` of a file are read, and at most
/// `maximumDirectoryEntries` entries of a directory are visited. Counts over a partly read file are
/// reported as scanned or estimated, never as exact.
enum InputDescriber {
    /// How much of one file a description may read.
    static let maximumReadBytes = 4 << 20
    /// How many entries of a directory tree a description may visit.
    static let maximumDirectoryEntries = 100_000
    /// How many relative paths a directory description lists.
    static let listedPaths = 20
    /// How many characters of text a preview shows.
    static let previewCharacters = 500

    private static let textExtensions: Set<String> = [
        "txt", "md", "markdown", "rst", "log", "yaml", "yml", "toml", "ini", "cfg", "xml", "html", "htm", "css",
        "js", "ts", "py", "swift", "rs", "go", "java", "c", "h", "cpp", "sh", "sql", "r", "tex",
    ]

    /// Describes the regular file at `path` (read without following symlinks).
    ///
    /// - Parameter sha256: the digest when the caller already computed it while copying; otherwise it is
    ///   computed here for files small enough to read whole, and left out for larger ones.
    static func describeFile(path: String, key: String, workspacePath: String, sha256: String?) -> InputEntry {
        let prefix: LocalFile.Prefix
        do {
            prefix = try LocalFile.readPrefix(path, limit: maximumReadBytes)
        } catch {
            return entry(key, "binary", workspacePath, 0, preview: "", schema: ["error": .string(error.message)], summary: "unreadable")
        }
        let bytes = prefix.bytes
        let size = prefix.fileSize
        let fileExtension = extensionOf(workspacePath)
        if let image = ImageProbe.probe(bytes, fileExtension: fileExtension) {
            var schema: [(key: String, value: JSONValue)] = [("format", .string(image.format))]
            var summary = "\(image.format.uppercased()) image"
            if let width = image.width, let height = image.height {
                schema += [("width", .integer(width)), ("height", .integer(height))]
                summary += ", \(width)×\(height) px"
            }
            return entry(key, "image", workspacePath, size, preview: summary, schema: .object(schema), summary: summary)
        }
        guard let text = LocalFile.text(from: bytes, truncated: prefix.truncated) else {
            let digest = sha256 ?? (prefix.truncated ? nil : SHA256.hexDigest(of: bytes))
            let magic = SHA256.hex(bytes.prefix(16))
            let schema: JSONValue = ["sha256": digest.map { .string($0) } ?? .null, "magic": .string(magic)]
            let summary = digest.map { "sha256 \($0.prefix(16))…" } ?? "binary data"
            return entry(key, "binary", workspacePath, size, preview: "binary data, first bytes \(magic)", schema: schema, summary: summary)
        }
        switch fileExtension {
        case "csv", "tsv", "tab":
            let delimiter = fileExtension == "csv" ? UInt8(ascii: ",") : UInt8(ascii: "\t")
            let csv = CSVSummary(bytes: bytes, delimiter: delimiter, isComplete: !prefix.truncated)
            var result = entry(
                key, fileExtension == "csv" ? "csv" : "tsv", workspacePath, size,
                preview: csv.preview(delimiter: delimiter), schema: csv.schema(fileSize: size), summary: csvSummary(csv, size)
            )
            result.columns = csv.columns
            result.rowCount = csv.isComplete ? csv.rowsRead : nil
            return result
        case "json":
            return describeJSON(text, bytes: bytes, complete: !prefix.truncated, key: key, workspacePath: workspacePath, size: size)
        case "jsonl", "ndjson":
            return describeJSONLines(text, complete: !prefix.truncated, key: key, workspacePath: workspacePath, size: size)
        default:
            return describeText(text, complete: !prefix.truncated, key: key, workspacePath: workspacePath, size: size)
        }
    }

    /// Describes the directory at `path`: file count, total size and the first relative paths.
    ///
    /// Symlinks and special files are not followed or counted; a prepared copy contains none.
    static func describeDirectory(path: String, key: String, workspacePath: String) -> InputEntry {
        var walk = DirectoryWalk()
        walk.visit(path, relative: "")
        let preview = walk.paths.joined(separator: "\n") + (walk.fileCount > walk.paths.count ? "\n…" : "")
        var schema: [(key: String, value: JSONValue)] = [
            ("file_count", .integer(walk.fileCount)),
            ("total_size", .integer(walk.totalSize)),
            ("files", .array(walk.paths.map { .string($0) })),
        ]
        if walk.truncated { schema.append(("truncated", .bool(true))) }
        let summary = "directory of \(walk.fileCount)\(walk.truncated ? "+" : "") files"
        return entry(key, "directory", workspacePath, walk.totalSize, preview: preview, schema: .object(schema), summary: summary)
    }

    // MARK: - Kinds

    private static func describeJSON(
        _ text: String, bytes: [UInt8], complete: Bool, key: String, workspacePath: String, size: Int
    ) -> InputEntry {
        let preview = String(text.prefix(previewCharacters))
        guard complete else {
            return entry(key, "json", workspacePath, size, preview: preview, schema: ["truncated": true], summary: "large JSON document")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return entry(key, "json", workspacePath, size, preview: preview, schema: ["error": .string("\(error)")], summary: "invalid JSON")
        }
        var schema: [(key: String, value: JSONValue)] = [("top_level", .string(value.typeName))]
        var summary = "JSON \(value.typeName)"
        if let pairs = value.objectValue {
            let keys = pairs.prefix(50).map(\.key)
            schema += [("keys", .array(keys.map { .string($0) })), ("key_count", .integer(pairs.count))]
            summary += " with keys " + listed(keys, total: pairs.count)
        } else if let items = value.arrayValue {
            schema.append(("length", .integer(items.count)))
            summary += " of \(items.count) items"
            if let first = items.first {
                schema.append(("item_type", .string(first.typeName)))
                if let pairs = first.objectValue {
                    let keys = pairs.prefix(50).map(\.key)
                    schema.append(("item_keys", .array(keys.map { .string($0) })))
                    summary += "; first item keys " + listed(keys, total: pairs.count)
                }
            }
        }
        return entry(key, "json", workspacePath, size, preview: preview, schema: .object(schema), summary: summary)
    }

    private static func describeJSONLines(_ text: String, complete: Bool, key: String, workspacePath: String, size: Int) -> InputEntry {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if !complete && !text.hasSuffix("\n") && !lines.isEmpty { lines.removeLast() }  // cut mid-line
        lines = lines.filter { !$0.allSatisfy(\.isWhitespace) }
        var schema: [(key: String, value: JSONValue)] = [("line_count", complete ? .integer(lines.count) : .null)]
        var summary = complete ? "\(lines.count) lines" : "\(lines.count)+ lines"
        if !complete { schema.append(("lines_scanned", .integer(lines.count))) }
        if let first = lines.first, let value = try? JSONParser.parse(String(first)), let pairs = value.objectValue {
            let keys = pairs.prefix(50).map(\.key)
            schema.append(("keys", .array(keys.map { .string($0) })))
            summary += "; keys of the first line: " + listed(keys, total: pairs.count)
        }
        let preview = lines.prefix(3).map { $0.count > 300 ? $0.prefix(300) + "…" : $0 }.joined(separator: "\n")
        return entry(key, "jsonl", workspacePath, size, preview: preview, schema: .object(schema), summary: summary)
    }

    private static func describeText(_ text: String, complete: Bool, key: String, workspacePath: String, size: Int) -> InputEntry {
        let newlines = text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let lines = newlines + (text.isEmpty || text.hasSuffix("\n") || text.hasSuffix("\r\n") ? 0 : 1)
        let words = text.split(whereSeparator: \.isWhitespace).count
        var schema: [(key: String, value: JSONValue)] = [("lines", .integer(lines)), ("words", .integer(words))]
        if !complete { schema.append(("truncated", .bool(true))) }
        let counted = complete ? "" : " in the first \(InputManifest.formatBytes(maximumReadBytes))"
        let summary = "\(lines) lines, \(words) words\(counted)"
        return entry(key, "text", workspacePath, size, preview: String(text.prefix(previewCharacters)), schema: .object(schema), summary: summary)
    }

    // MARK: - Helpers

    private static func csvSummary(_ csv: CSVSummary, _ size: Int) -> String {
        let rows = csv.isComplete ? "\(csv.rowsRead) rows" : "about \(csv.estimatedRows(fileSize: size) ?? csv.rowsRead) rows"
        let shown = csv.columnStats.prefix(30).map { column -> String in
            guard column.type != "string", column.integers + column.numbers > 0 else { return "\(column.name) (\(column.type))" }
            let mean = (column.sum / Double(column.integers + column.numbers) * 1000).rounded() / 1000
            let range = column.type == "integer"
                ? "\(column.integerMinimum)…\(column.integerMaximum)" : "\(column.minimum)…\(column.maximum)"
            return "\(column.name) (\(column.type), \(range), mean \(mean))"
        }
        let more = csv.columns.count > 30 ? ", … \(csv.columns.count - 30) more" : ""
        return "\(rows) × \(csv.columns.count) columns: " + shown.joined(separator: ", ") + more
    }

    private static func listed(_ keys: [String], total: Int) -> String {
        let shown = keys.prefix(12).joined(separator: ", ")
        return total > 12 ? shown + ", … (\(total) keys)" : shown
    }

    /// The lower-case extension of the last path component, without the dot; empty when there is none.
    static func extensionOf(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    private static func entry(
        _ key: String, _ kind: String, _ workspacePath: String, _ size: Int,
        preview: String, schema: JSONValue, summary: String
    ) -> InputEntry {
        InputEntry(
            key: key, kind: kind, workspacePath: workspacePath, size: size, columns: nil, rowCount: nil,
            preview: preview, schema: schema, summary: summary
        )
    }
}

/// A bounded walk of a directory tree that never follows symlinks.
private struct DirectoryWalk {
    var fileCount = 0
    var totalSize = 0
    var paths: [String] = []
    var visited = 0
    var truncated = false

    mutating func visit(_ directory: String, relative: String) {
        guard let names = try? LocalFile.names(in: directory) else { return }
        for name in names {
            visited += 1
            guard visited <= InputDescriber.maximumDirectoryEntries else {
                truncated = true
                return
            }
            let path = directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            guard let info = LocalFile.info(path) else { continue }
            switch info.kind {
            case .regular:
                fileCount += 1
                totalSize += info.size
                if paths.count < InputDescriber.listedPaths { paths.append(relativePath) }
            case .directory:
                visit(path, relative: relativePath)
                if truncated { return }
            case .symlink, .other:
                continue
            }
        }
    }
}
