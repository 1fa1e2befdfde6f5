/// String literals: single or double quotes, triple-quoted, the `r`/`u` prefixes and Python's escapes.
extension ExpressionTokenizer {
    /// Scans a string literal whose (lower-cased) prefix has already been consumed; the quote is next.
    mutating func string(prefix: String) throws(ExpressionError) -> String {
        let column = position - prefix.count + 1
        if prefix.contains("f") { throw .disallowed("JoinedStr", column: column) }
        if prefix.contains("b") { throw ExpressionError("Unsupported literal: bytes", column: column) }
        let raw = prefix.contains("r")
        let quote = scalars[position]
        let triple = peekScalar(1) == quote && peekScalar(2) == quote
        position += triple ? 3 : 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peekScalar() else {
                throw ExpressionError("Unterminated string literal", column: column)
            }
            if scalar == quote && (!triple || (peekScalar(1) == quote && peekScalar(2) == quote)) {
                position += triple ? 3 : 1
                return String(value)
            }
            if (scalar == "\n" || scalar == "\r") && !triple {
                throw ExpressionError("Unterminated string literal", column: column)
            }
            position += 1
            guard scalar == "\\", let next = peekScalar() else {
                value.append(scalar)
                continue
            }
            if raw {
                // A raw string keeps the backslash, but an escaped quote still does not end it.
                value.append(scalar)
                value.append(next)
                position += 1
            } else {
                try escape(into: &value, column: column)
            }
        }
    }

    private func peekScalar(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    /// Decodes the escape after a backslash (which has been consumed).
    private mutating func escape(into value: inout String.UnicodeScalarView, column: Int) throws(ExpressionError) {
        let next = scalars[position]
        position += 1
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r",
            "t": "\t", "v": "\u{0B}",
        ]
        if let mapped = simple[next] {
            value.append(mapped)
        } else if next == "\n" {
            // A backslash at the end of a line joins the lines.
        } else if next == "\r" {
            if peekScalar() == "\n" { position += 1 }
        } else if ("0"..."7").contains(next) {
            var code = UInt32(next.value - 48)
            for _ in 0..<2 {
                guard let digit = peekScalar(), ("0"..."7").contains(digit) else { break }
                code = code * 8 + (digit.value - 48)
                position += 1
            }
            value.append(Unicode.Scalar(code)!)
        } else if next == "x" || next == "u" || next == "U" {
            let width = next == "x" ? 2 : next == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<width {
                guard let digit = peekScalar(), digit.properties.isASCIIHexDigit else { break }
                hex.unicodeScalars.append(digit)
                position += 1
            }
            guard hex.count == width, let code = UInt32(hex, radix: 16) else {
                throw ExpressionError("Truncated \\\(next) escape in string literal", column: column)
            }
            guard let decoded = Unicode.Scalar(code) else {
                throw ExpressionError("Invalid \\\(next) escape in string literal (not a Unicode scalar)", column: column)
            }
            value.append(decoded)
        } else if next == "N" {
            throw ExpressionError("Unsupported escape \\N{...} in string literal", column: column)
        } else {
            // Python keeps unknown escapes as written (with a warning).
            value.append("\\")
            value.append(next)
        }
    }
}
