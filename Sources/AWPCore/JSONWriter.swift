extension JSONValue {
    /// This value as JSON text: compact by default, or indented by two spaces when `pretty`.
    ///
    /// Object members keep their order unless `sortKeys` is set, which orders them by the UTF-8 bytes
    /// of their keys (that is, by code point) so output is stable whatever the locale; repeated keys
    /// keep their relative order. Strings escape only `"`, `\` and control characters: `/` and
    /// non-ASCII text are written as they are. `.number` is written as Swift's `description` writes
    /// a `Double` (`0.85`, `1.0`, `1e+20`); NaN and infinity have no JSON form and become `null`.
    public func serialized(pretty: Bool = false, sortKeys: Bool = false) -> String {
        String(decoding: serializedUTF8(pretty: pretty, sortKeys: sortKeys), as: UTF8.self)
    }

    /// This value as UTF-8 encoded JSON text, formatted as `serialized(pretty:sortKeys:)` describes.
    public func serializedUTF8(pretty: Bool = false, sortKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty, sortKeys: sortKeys)
        writer.write(self, depth: 0)
        return writer.output
    }
}

/// Appends JSON text for values to a byte buffer.
private struct JSONWriter {
    let pretty: Bool
    let sortKeys: Bool
    var output: [UInt8] = []

    init(pretty: Bool, sortKeys: Bool) {
        self.pretty = pretty
        self.sortKeys = sortKeys
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null:
            append("null")
        case .bool(let bool):
            append(bool ? "true" : "false")
        case .integer(let integer):
            output.append(contentsOf: String(integer).utf8)
        case .number(let double):
            if double.isFinite {
                output.append(contentsOf: double.description.utf8)
            } else {
                append("null")
            }
        case .string(let string):
            write(string)
        case .array(let elements):
            guard !elements.isEmpty else { return append("[]") }
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth: depth)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return append("{}") }
            let ordered = sortKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            output.append(UInt8(ascii: "{"))
            for (offset, member) in ordered.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                write(member.key)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(member.value, depth: depth + 1)
            }
            newline(depth: depth)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Starts a new line indented for `depth` when pretty printing; nothing otherwise.
    private mutating func newline(depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// Writes `string` quoted, copying runs that need no escaping in one go.
    private mutating func write(_ string: String) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(for: byte)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x09: append("\\t")
        case 0x0D: append("\\r")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            append("\\u00")
            output.append(hexDigits.utf8Start[Int(byte >> 4)])
            output.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}
