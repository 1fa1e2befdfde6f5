public import AWPCore

/// One file or directory in `<workspace>/inputs`, described for the models that will work with it.
public struct InputEntry: Sendable {
    /// The input's key (for files found in the workspace, the file name without its extension).
    public var key: String
    /// `csv`, `tsv`, `json`, `jsonl`, `text`, `image`, `binary` or `directory`.
    public var kind: String
    /// The path relative to the workspace, e.g. `inputs/sales.csv`; what code in the sandbox opens.
    public var workspacePath: String
    /// Bytes: the file's size, or for a directory the total of its files.
    public var size: Int
    /// The header of a CSV or TSV file; nil for other kinds.
    public var columns: [String]?
    /// The exact number of data rows of a CSV or TSV file; nil for other kinds and for files too large
    /// to read entirely for a description (`json` then carries `row_count_estimate`).
    public var rowCount: Int?
    /// A short excerpt: the header and first rows, the start of the text, a file list.
    public var preview: String
    /// Kind-specific details (`columns` with types and statistics, JSON keys, image size, sha256, …).
    var schema: JSONValue
    /// One line for the prompt, e.g. `120 rows; columns: region (string), units (integer, 1…90)`.
    var summary: String

    /// The entry as `input_manifest.json` records it: `key`, `type`, `workspace_path`, `size`, `preview`
    /// and `schema`, the reference's member names. The host path is left out on purpose: it means
    /// nothing inside the sandbox and would tell the model how the user's disk is organised.
    public var json: JSONValue {
        [
            "key": .string(key),
            "type": .string(kind),
            "workspace_path": .string(workspacePath),
            "size": .integer(size),
            "preview": .string(preview),
            "schema": schema,
        ]
    }
}

/// The description of a run's input files, as written to `<workspace>/input_manifest.json`.
public struct InputManifest: Sendable {
    /// One entry per input, in the order the inputs were given (or by name, for `describeExisting`).
    public var entries: [InputEntry]

    /// An empty manifest or one holding `entries`.
    public init(entries: [InputEntry] = []) {
        self.entries = entries
    }

    /// `{key: entry}` in entry order, the reference's layout, so code that reads
    /// `manifest["sales"]["workspace_path"]` works against either runtime.
    public var json: JSONValue {
        .object(entries.map { (key: $0.key, value: $0.json) })
    }

    /// An `## Available Data Files` section for manager and worker prompts, at most `maxChars` characters.
    ///
    /// Each entry gets a line (path, key, kind, size, summary) and its preview in a fenced block. Entries
    /// that do not fit are counted in a closing line that points at `input_manifest.json`, so a prompt
    /// budget is never exceeded and the model still knows more files exist. Empty when there are no inputs.
    public func promptSection(maxChars: Int) -> String {
        guard !entries.isEmpty, maxChars > 0 else { return "" }
        let header = "## Available Data Files\n\nInput files are in the workspace; paths are relative to it.\n"
        guard header.count < maxChars else { return String(header.prefix(maxChars)) }
        var output = header
        for (index, entry) in entries.enumerated() {
            let block = "\n" + Self.block(for: entry)
            let remaining = entries.count - index - 1
            let trailer = remaining > 0 ? Self.trailer(omitted: remaining) : ""
            if output.count + block.count + trailer.count <= maxChars {
                output += block
                continue
            }
            // Try the entry without its preview before giving up on it.
            let line = "\n" + Self.line(for: entry) + "\n"
            if output.count + line.count + trailer.count <= maxChars {
                output += line
                continue
            }
            let omitted = Self.trailer(omitted: entries.count - index)
            if output.count + omitted.count <= maxChars { output += omitted }
            return output
        }
        return output
    }

    private static func line(for entry: InputEntry) -> String {
        let summary = entry.summary.isEmpty ? "" : "; \(entry.summary)"
        return "- `\(entry.workspacePath)` (key `\(entry.key)`): \(entry.kind), \(formatBytes(entry.size))\(summary)"
    }

    private static func block(for entry: InputEntry) -> String {
        // An image's or a binary file's preview only repeats its summary line.
        var preview = Substring(entry.preview)
        while preview.last?.isNewline == true { preview = preview.dropLast() }
        guard !preview.isEmpty, entry.kind != "image", entry.kind != "binary" else { return line(for: entry) + "\n" }
        // A fence longer than any backtick run in the preview, so the preview cannot close it.
        var longestRun = 0
        var run = 0
        for character in preview {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = "  " + String(repeating: "`", count: max(3, longestRun + 1))
        let body = preview.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        return ([line(for: entry), fence] + body + [fence]).joined(separator: "\n") + "\n"
    }

    private static func trailer(omitted: Int) -> String {
        "\n- … \(omitted) more input\(omitted == 1 ? "" : "s") described in `input_manifest.json`\n"
    }

    /// `512 B`, `12.3 KiB`, `4.0 MiB`.
    static func formatBytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
