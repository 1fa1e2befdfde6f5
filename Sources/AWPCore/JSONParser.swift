/// Reads JSON text into a `JSONValue`, following RFC 8259 strictly.
///
/// The input must be exactly one value with only JSON whitespace around it: no comments, no
/// trailing commas, no leading zeros, no unescaped control characters, and valid UTF-8 inside
/// strings. Numbers without a fraction or exponent that fit in `Int` become `.integer`; every other
/// number becomes `.number`, and a number too large for `Double` is an error rather than infinity,
/// because infinity could not be written back as JSON. Repeated object keys are kept, in order.
///
/// Nesting deeper than `maximumDepth` is an error. The parser keeps its own stack instead of
/// recursing, so hostile input cannot overflow the thread's stack whatever the limit is.
public struct JSONParser: Sendable {
    /// The nesting limit used unless another is given.
    public static let defaultMaximumDepth = 512

    /// How many arrays and objects may enclose each other; a container beyond this is an error.
    public var maximumDepth: Int

    /// Creates a parser that allows `maximumDepth` levels of nested arrays and objects.
    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// Parses `text` with the default nesting limit.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser().parse(text)
    }

    /// Parses UTF-8 `bytes` with the default nesting limit.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONParser().parse(bytes)
    }

    /// Parses `text`.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        // `withUTF8` only copies when the string is not already stored as contiguous UTF-8.
        return try text.withUTF8 { parse(buffer: $0) }.get()
    }

    /// Parses UTF-8 `bytes`.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    // The storage accessors are `rethrows`, which would erase the error type, so errors travel out as a `Result`.
    private func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var reader = JSONReader(bytes: buffer, maximumDepth: maximumDepth)
        return Result { () throws(JSONParseError) in try reader.readDocument() }
    }
}

/// The parsing state over one buffer of bytes.
private struct JSONReader {
    /// An array or object that has been opened and not yet closed.
    private struct Container {
        var isObject: Bool
        /// Where this container's elements (or member values) start in `values`.
        var valueStart: Int
        /// Where this object's keys start in `keys`.
        var keyStart: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maximumDepth: Int
    private var position = 0
    /// Reused for strings that contain escapes, so each such string costs one allocation, not many.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Reads the single value that makes up the whole input.
    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        // Finished values and keys of all open containers live on two flat stacks; closing a container
        // moves its tail out. That keeps memory linear and avoids copying nested arrays as they grow.
        var containers: [Container] = []
        var values: [JSONValue] = []
        var keys: [String] = []

        nextValue: while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw failure("unexpected end of input; expected a JSON value", at: position)
            }
            var value: JSONValue
            switch bytes[position] {
            case UInt8(ascii: "{"):
                guard containers.count < maximumDepth else {
                    throw failure("nesting is deeper than \(maximumDepth) levels", at: position)
                }
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object([])
                } else {
                    containers.append(Container(isObject: true, valueStart: values.count, keyStart: keys.count))
                    keys.append(try readKey())
                    continue nextValue
                }
            case UInt8(ascii: "["):
                guard containers.count < maximumDepth else {
                    throw failure("nesting is deeper than \(maximumDepth) levels", at: position)
                }
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    containers.append(Container(isObject: false, valueStart: values.count, keyStart: keys.count))
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                value = .string(try readString())
            case UInt8(ascii: "t"):
                try readLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try readNumber()
            case let byte:
                throw failure("unexpected \(describe(byte)); expected a JSON value", at: position)
            }

            // A value is complete: hand it to the innermost open container, closing containers as long
            // as their closing bracket follows, until a comma asks for another value.
            while let container = containers.last {
                values.append(value)
                skipWhitespace()
                let close = container.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard position < bytes.count else {
                    throw failure("unexpected end of input; expected ',' or '\(Character(Unicode.Scalar(close)))'",
                                  at: position)
                }
                let byte = bytes[position]
                if byte == UInt8(ascii: ",") {
                    let comma = position
                    position += 1
                    skipWhitespace()
                    if position < bytes.count, bytes[position] == close {
                        throw failure("trailing comma before '\(Character(Unicode.Scalar(close)))'", at: comma)
                    }
                    if container.isObject { keys.append(try readKey()) }
                    continue nextValue
                }
                guard byte == close else {
                    let message = container.isObject
                        ? "expected ',' or '}' after an object member" : "expected ',' or ']' after an array element"
                    throw failure(message, at: position)
                }
                position += 1
                if container.isObject {
                    var members: [(key: String, value: JSONValue)] = []
                    members.reserveCapacity(values.count - container.valueStart)
                    for (key, member) in zip(keys[container.keyStart...], values[container.valueStart...]) {
                        members.append((key: key, value: member))
                    }
                    keys.removeSubrange(container.keyStart...)
                    value = .object(members)
                } else {
                    value = .array(Array(values[container.valueStart...]))
                }
                values.removeSubrange(container.valueStart...)
                containers.removeLast()
            }

            skipWhitespace()
            guard position == bytes.count else {
                throw failure("unexpected \(describe(bytes[position])) after the JSON value", at: position)
            }
            return value
        }
    }

    // MARK: Tokens

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// Reads an object key and the colon after it; the caller has skipped the whitespace before it.
    private mutating func readKey() throws(JSONParseError) -> String {
        guard position < bytes.count else {
            throw failure("unexpected end of input; expected a string as an object key", at: position)
        }
        guard bytes[position] == UInt8(ascii: "\"") else {
            throw failure("expected a string as an object key, found \(describe(bytes[position]))", at: position)
        }
        let key = try readString()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw failure("expected ':' after an object key", at: position)
        }
        position += 1
        return key
    }

    private mutating func readLiteral(_ word: StaticString) throws(JSONParseError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        let end = position + expected.count
        guard end <= bytes.count, UnsafeBufferPointer(rebasing: bytes[position..<end]).elementsEqual(expected) else {
            throw failure("invalid literal; expected '\(word)'", at: position)
        }
        position = end
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote.
    private mutating func readString() throws(JSONParseError) -> String {
        let opening = position
        let start = position + 1
        var index = start
        // Every byte seen, or-ed together, tells whether the string is plain ASCII and needs no UTF-8 check.
        var seenBits: UInt8 = 0
        // The common case has no escapes: find the closing quote and decode the bytes in place.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if seenBits >= 0x80 { try checkUTF8(start..<index) }
                position = index + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                return try readEscapedString(openingAt: opening, firstEscapeAt: index)
            }
            if byte < 0x20 {
                throw failure("unescaped control character U+00\(hex(byte)) in a string", at: index)
            }
            seenBits |= byte
            index += 1
        }
        throw failure("unterminated string", at: opening)
    }

    /// Finishes a string that contains escapes, decoding it into `scratch`.
    private mutating func readEscapedString(openingAt opening: Int, firstEscapeAt firstEscape: Int)
        throws(JSONParseError) -> String
    {
        // Raw runs are checked as they are copied, so an error points at the bad byte; escapes always
        // produce valid UTF-8, and no multi-byte sequence can straddle an escape.
        try checkUTF8((opening + 1)..<firstEscape)
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(opening + 1)..<firstEscape]))
        var index = firstEscape
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte < 0x20 {
                throw failure("unescaped control character U+00\(hex(byte)) in a string", at: index)
            }
            if byte != UInt8(ascii: "\\") {
                let runStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
                    bytes[index] >= 0x20
                {
                    index += 1
                }
                try checkUTF8(runStart..<index)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                continue
            }
            guard index + 1 < bytes.count else { break }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try readUnicodeEscape(at: &index)
                UTF8.encode(scalar) { scratch.append($0) }
                continue
            case let other:
                throw failure("invalid escape sequence '\\\(describeBare(other))' in a string", at: index)
            }
            index += 2
        }
        throw failure("unterminated string", at: opening)
    }

    /// Decodes `\uXXXX` at `index` (and the low half after it, for a surrogate pair), moving past it.
    private func readUnicodeEscape(at index: inout Int) throws(JSONParseError) -> Unicode.Scalar {
        let escape = index
        let first = try readHexQuad(at: index + 2, escapeAt: escape)
        index += 6
        switch first {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw failure("unpaired high surrogate in a \\u escape", at: escape)
            }
            let second = try readHexQuad(at: index + 2, escapeAt: index)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw failure("unpaired high surrogate in a \\u escape", at: escape)
            }
            index += 6
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            // Always valid: the pair covers exactly U+10000...U+10FFFF.
            return Unicode.Scalar(combined) ?? "\u{FFFD}"
        case 0xDC00...0xDFFF:
            throw failure("unpaired low surrogate in a \\u escape", at: escape)
        default:
            return Unicode.Scalar(first) ?? "\u{FFFD}"
        }
    }

    /// Reads the four hex digits of a `\u` escape starting at `start`.
    private func readHexQuad(at start: Int, escapeAt escape: Int) throws(JSONParseError) -> UInt32 {
        guard start + 4 <= bytes.count else {
            throw failure("\\u escape needs four hex digits", at: escape)
        }
        var result: UInt32 = 0
        for index in start..<(start + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("\\u escape needs four hex digits", at: escape)
            }
            result = result << 4 | UInt32(digit)
        }
        return result
    }

    /// Checks that `range` holds well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code
    /// points past U+10FFFF), reporting the first bad byte.
    ///
    /// `String(decoding:as:)` would quietly substitute U+FFFD, and the standard library's validating
    /// initializer is generic and several times slower, so the check is done here.
    private func checkUTF8(_ range: Range<Int>) throws(JSONParseError) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The second byte's allowed range is narrower after some lead bytes; that is what rules out
            // overlong forms, surrogates and values above U+10FFFF.
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: throw failure("invalid UTF-8 in a string", at: index)
            }
            guard index + length <= end, bytes[index + 1] >= lower, bytes[index + 1] <= upper else {
                throw failure("invalid UTF-8 in a string", at: index)
            }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                throw failure("invalid UTF-8 in a string", at: index)
            }
            index += length
        }
    }

    // MARK: Numbers

    private mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var index = position
        let isNegative = bytes[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        let integerStart = index
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw failure("expected a digit after '-'", at: index)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw failure("leading zeros are not allowed in numbers", at: integerStart)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw failure("expected a digit after the decimal point", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw failure("expected a digit in the exponent", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        position = index

        if isInteger, let integer = integerValue(integerStart..<integerEnd, isNegative: isNegative) {
            return .integer(integer)
        }
        // The grammar is already checked, so the standard library's correctly rounded conversion
        // only has to deal with magnitude.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw failure("number out of range", at: start)
        }
        return .number(double)
    }

    /// The digits in `range` as an `Int`, or nil when they do not fit.
    private func integerValue(_ range: Range<Int>, isNegative: Bool) -> Int? {
        // Accumulating towards the sign lets `Int.min` parse, whose magnitude has no positive `Int`.
        var result = 0
        if range.count <= 18 {
            for index in range {
                let digit = Int(bytes[index] &- UInt8(ascii: "0"))
                result = result &* 10 &+ (isNegative ? -digit : digit)
            }
            return result
        }
        for index in range {
            let digit = Int(bytes[index] &- UInt8(ascii: "0"))
            let (shifted, overflowShift) = result.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = isNegative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowShift, !overflowAdd else { return nil }
            result = next
        }
        return result
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Errors

    /// An error at byte `offset`, with its line and column worked out only now that they are needed.
    private func failure(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        var index = 0
        while index < end {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return JSONParseError(message: message, line: line, column: offset - lineStart + 1)
    }

    /// `'x'` for printable ASCII, otherwise the byte in hex, for use in messages.
    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hex(byte))"
    }

    private func describeBare(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F { return String(Character(Unicode.Scalar(byte))) }
        return "<0x\(hex(byte))>"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
