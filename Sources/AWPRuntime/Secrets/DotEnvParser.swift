/// Reads `.env` text: one `KEY=VALUE` per line.
///
/// The syntax is the reference's, which is the common subset of python-dotenv and shell assignments:
/// - blank lines and lines starting with `#` are ignored, as is an `export ` prefix;
/// - the key is `[A-Za-z_][A-Za-z0-9_.-]*`, the value is everything after the first `=`, trimmed;
/// - one pair of matching surrounding quotes (`'…'` or `"…"`) is stripped, and nothing inside is
///   interpreted: no `$VAR` interpolation, no escapes, so a password keeps every character it was written with;
/// - in an unquoted value, ` #` (whitespace then `#`) starts a comment, as python-dotenv reads it.
///
/// Anything else (no `=`, a bad key, an opening quote that is never closed, a value spread over several
/// lines) is an error naming the file and line: guessing what a malformed secrets line meant would hand a
/// wrong credential to a tool without anyone noticing.
enum DotEnvParser {
    /// The pairs in `text`, in file order; a repeated key appears twice and the later one wins when merged.
    static func parse(_ text: String, file: String) throws(SecretError) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        var lineNumber = 0
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is a single Character in Swift, so it has to be named as a separator of its own.
        for rawLine in body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") { line = trimmed(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else {
                throw SecretError("expected KEY=VALUE", file: file, line: lineNumber)
            }
            let key = trimmed(line[..<equals])
            guard isValidKey(key) else {
                throw SecretError("'\(key)' is not a valid variable name", file: file, line: lineNumber)
            }
            let value = try unquote(trimmed(line[line.index(after: equals)...]), file: file, line: lineNumber)
            pairs.append((String(key), value))
        }
        return pairs
    }

    /// `[A-Za-z_][A-Za-z0-9_.-]*`: shell names plus the dots and dashes some tools put in keys.
    static func isValidKey(_ key: some StringProtocol) -> Bool {
        guard let first = key.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return key.utf8.dropFirst().allSatisfy {
            isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }

    private static func unquote(_ value: Substring, file: String, line: Int) throws(SecretError) -> String {
        guard let first = value.first, first == "\"" || first == "'" else {
            return String(trimmed(withoutComment(value)))
        }
        // The closing quote is the last one of its kind; text after it may only be a comment.
        guard value.count >= 2, let close = value.dropFirst().lastIndex(of: first) else {
            throw SecretError("unterminated \(first) quote (values cannot span lines)", file: file, line: line)
        }
        let rest = trimmed(value[value.index(after: close)...])
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw SecretError("unexpected text after the closing quote", file: file, line: line)
        }
        return String(value[value.index(after: value.startIndex)..<close])
    }

    /// `abc # note` → `abc`; a `#` inside a word (`pa#ss`) is part of the value.
    private static func withoutComment(_ value: Substring) -> Substring {
        var previous: Character = " "
        for index in value.indices {
            if value[index] == "#" && (previous == " " || previous == "\t") { return value[..<index] }
            previous = value[index]
        }
        return value
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return text[text.endIndex...] }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return text[start...end]
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
