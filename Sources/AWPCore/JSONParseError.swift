/// Why a JSON text could not be read, and where.
///
/// `line` and `column` are 1-based. Lines are separated by `\n` (a `\r` before it is part of the
/// previous line), and `column` counts UTF-8 bytes from the start of the line, so a position after
/// non-ASCII text is further right than the number of characters an editor shows. Bytes are used
/// because the parser never decodes text outside strings and messages can be tens of megabytes.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in words, without the position (for example `expected ':' after an object key`).
    public var message: String
    /// The 1-based line of the offending byte.
    public var line: Int
    /// The 1-based column of the offending byte, counted in UTF-8 bytes.
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// `line 21, column 1: expected ',' or '}' after an object member`.
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}
