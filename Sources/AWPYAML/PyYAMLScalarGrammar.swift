/// Hand-written matchers for PyYAML's implicit resolver patterns and its constructors for them.
///
/// Each matcher accepts exactly what the corresponding regular expression in PyYAML's `resolver.py` accepts,
/// so a workflow reads the same here as under the reference implementation. Working on UTF-8 bytes keeps
/// this free of Foundation and fast enough to call on every scalar.
enum PyYAMLScalarGrammar {
    private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let trues: Set<String> = ["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    private static let falses: Set<String> = ["no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    /// What PyYAML's resolver makes of a plain, untagged scalar.
    static func implicitType(of text: String) -> YAMLNode.ImplicitType {
        if nulls.contains(text) { return .null }
        if trues.contains(text) || falses.contains(text) { return .bool }
        let bytes = Array(text.utf8)
        if matchesFloat(bytes) { return .float }
        if matchesInt(bytes) { return .int }
        return .string
    }

    // MARK: Booleans

    /// PyYAML's `construct_yaml_bool`: the six words in any letter case.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "on": true
        case "no", "false", "off": false
        default: nil
        }
    }

    // MARK: Integers

    /// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    /// | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    static func matchesInt(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if let first = body.first, first == .plus || first == .minus {
            body = body.dropFirst()
        }
        guard let first = body.first else { return false }
        if first == .zero {
            let rest = body.dropFirst()
            if rest.isEmpty { return true }
            let digits = rest.dropFirst()
            if rest.first == .lowerB { return !digits.isEmpty && digits.allSatisfy { $0.isBinaryDigitOrUnderscore } }
            if rest.first == .lowerX { return !digits.isEmpty && digits.allSatisfy { $0.isHexDigitOrUnderscore } }
            return rest.allSatisfy { $0.isOctalDigitOrUnderscore }
        }
        guard first.isNonZeroDigit else { return false }
        let rest = body.dropFirst()
        guard let colon = rest.firstIndex(of: .colon) else { return rest.allSatisfy { $0.isDigitOrUnderscore } }
        return rest[..<colon].allSatisfy { $0.isDigitOrUnderscore } && matchesBase60Groups(rest[colon...])
    }

    /// PyYAML's `construct_yaml_int` for text that `matchesInt` accepts; nil when it does not fit in an `Int`.
    static func int(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard matchesInt(bytes) else { return nil }
        var digits = String(decoding: bytes.filter { $0 != .underscore }, as: UTF8.self)
        var sign = ""
        if let first = digits.first, first == "-" || first == "+" {
            sign = String(first)
            digits.removeFirst()
        }
        if digits.hasPrefix("0b") { return Int(sign + digits.dropFirst(2), radix: 2) }
        if digits.hasPrefix("0x") { return Int(sign + digits.dropFirst(2), radix: 16) }
        // A leading zero means octal in YAML 1.1: `010` is 8.
        if digits.hasPrefix("0") { return Int(sign + digits, radix: 8) }
        if digits.contains(":") {
            var value = 0
            for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
                guard let group = Int(part) else { return nil }
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 60)
                let (sum, overflow2) = shifted.addingReportingOverflow(group)
                guard !overflow1, !overflow2 else { return nil }
                value = sum
            }
            return sign == "-" ? -value : value
        }
        return Int(sign + digits)
    }

    /// A decimal integer too large for `Int` is still a perfectly good (if inexact) float.
    static func largeDecimal(_ text: String) -> Double? {
        var digits = Substring(text.filter { $0 != "_" })
        var sign = 1.0
        if let first = digits.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            digits = digits.dropFirst()
        }
        // Only plain decimal: a leading zero means octal, and `0x`, `0b` or base 60 are not decimal at all.
        guard let first = digits.first, first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Double(digits).map { sign * $0 }
    }

    // MARK: Floats

    /// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
    /// | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    static func matchesFloat(_ bytes: [UInt8]) -> Bool {
        let text = bytes[...]
        // `.inf` may be signed; `.nan` and `.5` may not.
        if text.elementsEqual(".nan".utf8) || text.elementsEqual(".NaN".utf8) || text.elementsEqual(".NAN".utf8) {
            return true
        }
        var body = text
        if let first = body.first, first == .plus || first == .minus {
            body = body.dropFirst()
        }
        if body.elementsEqual(".inf".utf8) || body.elementsEqual(".Inf".utf8) || body.elementsEqual(".INF".utf8) {
            return true
        }
        if text.first == .dot { return matchesFraction(text.dropFirst(), requireDigits: true) }
        guard let first = body.first, first.isDigit, let dot = body.firstIndex(of: .dot) else { return false }
        let whole = body[body.index(after: body.startIndex)..<dot]
        let afterDot = body[body.index(after: dot)...]
        if let colon = whole.firstIndex(of: .colon) {
            // Base 60 with a fraction: no exponent allowed after it.
            return whole[..<colon].allSatisfy { $0.isDigitOrUnderscore } && matchesBase60Groups(whole[colon...])
                && afterDot.allSatisfy { $0.isDigitOrUnderscore }
        }
        return whole.allSatisfy { $0.isDigitOrUnderscore } && matchesFraction(afterDot, requireDigits: false)
    }

    /// `[0-9_]*(?:[eE][-+][0-9]+)?` after a dot, with `+` instead of `*` when `requireDigits`.
    ///
    /// The exponent's sign is mandatory in PyYAML's pattern, which is why `1.0e3` stays a string.
    private static func matchesFraction(_ bytes: ArraySlice<UInt8>, requireDigits: Bool) -> Bool {
        let exponent = bytes.firstIndex { $0 == .lowerE || $0 == .upperE } ?? bytes.endIndex
        let fraction = bytes[..<exponent]
        guard fraction.allSatisfy({ $0.isDigitOrUnderscore }), !requireDigits || !fraction.isEmpty else { return false }
        guard exponent < bytes.endIndex else { return true }
        let power = bytes[bytes.index(after: exponent)...]
        guard let sign = power.first, sign == .plus || sign == .minus else { return false }
        let digits = power.dropFirst()
        return !digits.isEmpty && digits.allSatisfy { $0.isDigit }
    }

    /// `(?::[0-5]?[0-9])+` covering the whole slice, which starts at a colon.
    private static func matchesBase60Groups(_ bytes: ArraySlice<UInt8>) -> Bool {
        let groups = bytes.split(separator: .colon, omittingEmptySubsequences: false).dropFirst()
        guard bytes.first == .colon, !groups.isEmpty else { return false }
        return groups.allSatisfy { group in
            switch group.count {
            case 1: group[group.startIndex].isDigit
            case 2:
                (UInt8(ascii: "0")...UInt8(ascii: "5")).contains(group[group.startIndex])
                    && group[group.index(after: group.startIndex)].isDigit
            default: false
            }
        }
    }

    /// PyYAML's `construct_yaml_float`: underscores dropped, case ignored, base 60 summed, the rest as Python's
    /// `float()` reads it (which, under an explicit `!!float`, includes `1e3`).
    static func float(_ text: String) -> Double? {
        var body = text.filter { $0 != "_" }.lowercased()
        var sign = 1.0
        if let first = body.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            body.removeFirst()
        }
        if body == ".inf" { return sign * .infinity }
        if body == ".nan" { return .nan }
        guard body.contains(":") else { return decimal(body).map { sign * $0 } }
        var value = 0.0
        var base = 1.0
        for part in body.split(separator: ":", omittingEmptySubsequences: false).reversed() {
            guard let digit = decimal(String(part)) else { return nil }
            value += digit * base
            base *= 60
        }
        return sign * value
    }

    /// An unsigned decimal the way Python's `float()` spells one: `12`, `1.`, `.5`, `1.5e-3`, `inf`, `nan`.
    ///
    /// Validated by hand because Swift's `Double(_:)` also takes hexadecimal floats, which Python does not.
    private static func decimal(_ text: String) -> Double? {
        if text == "inf" || text == "infinity" { return .infinity }
        if text == "nan" { return .nan }
        let bytes = Array(text.utf8)
        var index = 0
        var mantissaDigits = 0
        while index < bytes.count, bytes[index].isDigit {
            index += 1
            mantissaDigits += 1
        }
        if index < bytes.count, bytes[index] == .dot {
            index += 1
            while index < bytes.count, bytes[index].isDigit {
                index += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        if index < bytes.count, bytes[index] == .lowerE {
            index += 1
            if index < bytes.count, bytes[index] == .plus || bytes[index] == .minus { index += 1 }
            let exponentStart = index
            while index < bytes.count, bytes[index].isDigit { index += 1 }
            guard index > exponentStart else { return nil }
        }
        guard index == bytes.count else { return nil }
        return Double(text)
    }
}

extension UInt8 {
    fileprivate static let plus = UInt8(ascii: "+")
    fileprivate static let minus = UInt8(ascii: "-")
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let underscore = UInt8(ascii: "_")
    fileprivate static let zero = UInt8(ascii: "0")
    fileprivate static let lowerB = UInt8(ascii: "b")
    fileprivate static let lowerX = UInt8(ascii: "x")
    fileprivate static let lowerE = UInt8(ascii: "e")
    fileprivate static let upperE = UInt8(ascii: "E")

    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isNonZeroDigit: Bool { self >= UInt8(ascii: "1") && self <= UInt8(ascii: "9") }
    fileprivate var isDigitOrUnderscore: Bool { isDigit || self == .underscore }
    fileprivate var isBinaryDigitOrUnderscore: Bool {
        self == UInt8(ascii: "0") || self == UInt8(ascii: "1") || self == .underscore
    }
    fileprivate var isOctalDigitOrUnderscore: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "7")) || self == .underscore
    }
    fileprivate var isHexDigitOrUnderscore: Bool {
        isDigitOrUnderscore || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
