/// Base64 spellings of a secret, for the redactor.
///
/// Written here rather than taken from Foundation because the redactor also needs the *aligned cores*:
/// the characters of a base64 text that depend only on the secret's bytes when the secret starts at
/// a given offset inside a longer encoded payload.
enum Base64Spelling {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafeAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 base64 of `bytes`, with `=` padding.
    static func encode(_ bytes: [UInt8], urlSafe: Bool) -> [UInt8] {
        let alphabet = urlSafe ? urlSafeAlphabet : standardAlphabet
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }

    /// The characters of the encoding of `offset` unknown bytes followed by `bytes` that are fixed by `bytes`
    /// alone, whatever comes before or after.
    ///
    /// Character `i` covers bits `6i..<6i+6`. The unknown prefix occupies bits `0..<8·offset`, so the first
    /// `ceil(8·offset / 6)` characters are dropped; a last character that would take bits from the
    /// unknown bytes after the value is dropped too.
    static func alignedCore(of bytes: [UInt8], offset: Int, urlSafe: Bool) -> [UInt8] {
        let padded = [UInt8](repeating: 0, count: offset) + bytes
        let encoded = encode(padded, urlSafe: urlSafe)
        let leading = (8 * offset + 5) / 6
        let complete = (8 * padded.count) / 6
        guard complete > leading else { return [] }
        return Array(encoded[leading..<complete])
    }
}

/// URL percent-encodings of a secret, for the redactor.
enum PercentSpelling {
    /// `bytes` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) written as `%XX`.
    ///
    /// Servers and libraries differ on hex case and on writing space as `+` (HTML forms), so the redactor
    /// asks for each form.
    static func encode(_ bytes: [UInt8], lowercase: Bool, spaceAsPlus: Bool) -> [UInt8] {
        let digits = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) {
                output.append(byte)
            } else if byte == UInt8(ascii: " ") && spaceAsPlus {
                output.append(UInt8(ascii: "+"))
            } else {
                output += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return output
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
