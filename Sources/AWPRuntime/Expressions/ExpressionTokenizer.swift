/// One lexical token of an expression, with the 1-based column it starts at.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case integer(Int)
        case float(Double)
        case string(String)
        case name(String)
        case keyword(String)
        /// Operators and punctuation, spelled as in the source (`//`, `not` is a keyword, not an operator).
        case symbol(String)
        case end
    }

    var kind: Kind
    var column: Int
}

/// Splits an expression into tokens the way Python's tokenizer does for the subset we accept.
///
/// Works on Unicode scalars because Python identifiers may be any XID letters and Python strings index
/// by code point. Newlines are plain whitespace (a `when` written as a YAML block scalar ends in one);
/// `#` comments and backslash continuations are skipped. Literal kinds we refuse (f-strings, bytes,
/// complex numbers) are refused here, naming the construct.
struct ExpressionTokenizer {
    let scalars: [Unicode.Scalar]
    var position = 0

    /// Python's reserved words; none of them may be used as a name or attribute.
    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    /// Multi-character operators, longest first so `**` wins over `*`.
    private static let symbols = [
        "...", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", ":=", "->", "+", "-", "*", "/", "%", "@", "&", "|",
        "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "!",
    ].map { Array($0.unicodeScalars) }

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// All tokens, ending with `.end`.
    mutating func tokenize() throws(ExpressionError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        while true {
            skipTrivia()
            let column = position + 1
            guard let scalar = peek() else {
                tokens.append(ExpressionToken(kind: .end, column: column))
                return tokens
            }
            if scalar.isDigit || (scalar == "." && peek(1)?.isDigit == true) {
                tokens.append(ExpressionToken(kind: try number(), column: column))
            } else if scalar == "'" || scalar == "\"" {
                tokens.append(ExpressionToken(kind: .string(try string(prefix: "")), column: column))
            } else if scalar.isIdentifierStart {
                let word = identifier()
                if let quote = peek(), quote == "'" || quote == "\"",
                    ["r", "u", "b", "f", "br", "rb", "fr", "rf"].contains(word.lowercased())
                {
                    tokens.append(ExpressionToken(kind: .string(try string(prefix: word.lowercased())), column: column))
                } else if Self.keywords.contains(word) {
                    tokens.append(ExpressionToken(kind: .keyword(word), column: column))
                } else {
                    tokens.append(ExpressionToken(kind: .name(word), column: column))
                }
            } else if let symbol = Self.symbols.first(where: { matches($0) }) {
                position += symbol.count
                tokens.append(ExpressionToken(kind: .symbol(String(String.UnicodeScalarView(symbol))), column: column))
            } else {
                throw ExpressionError("Invalid character '\(scalar)' in expression", column: column)
            }
        }
    }
}

// MARK: - Scanning

extension ExpressionTokenizer {
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private func matches(_ symbol: [Unicode.Scalar]) -> Bool {
        guard position + symbol.count <= scalars.count else { return false }
        return scalars[position..<position + symbol.count].elementsEqual(symbol)
    }

    /// Whitespace (newlines included), comments, and backslash-newline continuations.
    private mutating func skipTrivia() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                position += 1
            } else if scalar == "#" {
                while let next = peek(), next != "\n" { position += 1 }
            } else if scalar == "\\", peek(1) == "\n" || peek(1) == "\r" {
                position += 2
            } else {
                return
            }
        }
    }

    private mutating func identifier() -> String {
        var word = String.UnicodeScalarView()
        while let scalar = peek(), scalar.isIdentifierContinue {
            word.append(scalar)
            position += 1
        }
        return String(word)
    }

    /// Digits with single underscores between them, as Python allows (`1_000`).
    private mutating func digits(_ isDigit: (Unicode.Scalar) -> Bool) -> String {
        var text = ""
        while let scalar = peek() {
            if isDigit(scalar) {
                text.unicodeScalars.append(scalar)
                position += 1
            } else if scalar == "_", let next = peek(1), isDigit(next), !text.isEmpty {
                position += 1
            } else {
                break
            }
        }
        return text
    }

    private mutating func number() throws(ExpressionError) -> ExpressionToken.Kind {
        let column = position + 1
        if peek() == "0", let marker = peek(1), let radix = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2][marker] {
            position += 2
            if peek() == "_" { position += 1 }
            let body = digits { Int(String($0), radix: radix) != nil }
            guard !body.isEmpty, let value = Int(body, radix: radix) else {
                throw ExpressionError(body.isEmpty ? "Invalid number literal" : Self.tooLarge, column: column)
            }
            try rejectSuffix(column: column)
            return .integer(value)
        }
        let whole = digits { $0.isDigit }
        var isFloat = false
        // Normalised for Double(_:): "1." and ".5" become "1.0" and "0.5".
        var text = whole.isEmpty ? "0" : whole
        if peek() == "." {
            position += 1
            isFloat = true
            let fraction = digits { $0.isDigit }
            text += "." + (fraction.isEmpty ? "0" : fraction)
        }
        if let e = peek(), e == "e" || e == "E" {
            var exponent = "e"
            var lookahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                lookahead = 2
            }
            if peek(lookahead)?.isDigit == true {
                position += lookahead
                isFloat = true
                text += exponent + digits { $0.isDigit }
            }
        }
        if let j = peek(), j == "j" || j == "J" {
            throw ExpressionError("Unsupported literal: complex numbers", column: column)
        }
        try rejectSuffix(column: column)
        if isFloat {
            guard let value = Double(text) else { throw ExpressionError("Invalid number literal", column: column) }
            return .float(value)
        }
        if whole.count > 1 && whole.hasPrefix("0") && whole.contains(where: { $0 != "0" }) {
            throw ExpressionError("Leading zeros in decimal integer literals are not permitted", column: column)
        }
        guard let value = Int(whole) else { throw ExpressionError(Self.tooLarge, column: column) }
        return .integer(value)
    }

    private static let tooLarge = "Integer literal too large (expressions use 64-bit integers)"

    /// `1abc` or `1.__class__`: Python calls these invalid decimal literals.
    private func rejectSuffix(column: Int) throws(ExpressionError) {
        if let next = peek(), next.isIdentifierContinue {
            throw ExpressionError("Invalid number literal", column: column)
        }
    }
}

// MARK: - Character classes

extension Unicode.Scalar {
    fileprivate var isDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isIdentifierStart: Bool { self == "_" || properties.isXIDStart }
    fileprivate var isIdentifierContinue: Bool { self == "_" || properties.isXIDContinue }
}
