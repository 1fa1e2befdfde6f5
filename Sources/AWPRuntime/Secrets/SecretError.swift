/// Why secrets could not be loaded or substituted, and where.
///
/// `description` reads like a compiler message (`/wf/secrets.yaml:4: environment variable DB_PASS is not
/// set`), so the CLI can print it as is. Messages name secrets and files, never secret values.
public struct SecretError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words.
    public var message: String
    /// The file being read, when the failure is in a file.
    public var file: String?
    /// The 1-based line in `file`, when known.
    public var line: Int?

    /// An error described by `message`, found in `file` at `line` when those are known.
    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }

    /// `file:line: message`, `file: message`, or just the message.
    public var description: String {
        switch (file, line) {
        case (let file?, let line?): "\(file):\(line): \(message)"
        case (let file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
