extension SecretStore {
    /// Replaces `$NAME` and `${NAME}` with the values of known secrets.
    ///
    /// This is for host-side strings only (source parameters, headers, DSNs, a tool plugin's
    /// configuration), never for text that reaches a model or the sandbox. `$NAME` takes the longest
    /// run of `[A-Za-z0-9_]` after the `$`, as a shell does; use `${NAME}` when a name is followed by
    /// such a character. Substituted values are not scanned again, so a secret containing `$X` stays as is.
    ///
    /// A reference to a name that is not a secret is left untouched, unless `strict`, where it is an
    /// error (the reference fails a source whose placeholder stays unresolved). Text that is not a
    /// reference at all, such as `$5`, `$` alone or an unclosed `${`, is always kept as written.
    /// - Throws: `SecretError` naming the first unknown secret, when `strict`.
    public func substitute(_ text: String, strict: Bool) throws(SecretError) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), let reference = Self.reference(in: bytes, at: index) else {
                output.append(bytes[index])
                index += 1
                continue
            }
            if let value = value(reference.name) {
                output += value.utf8
            } else if strict {
                throw SecretError("unknown secret \(reference.name) referenced as \(reference.spelling(in: bytes))")
            } else {
                output += bytes[reference.range]
            }
            index = reference.range.upperBound
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The names `text` refers to as `$NAME` or `${NAME}`, in order of first appearance, known or not.
    ///
    /// Lets a caller ask the user for missing secrets before running anything.
    public static func references(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        var seen: Set<String> = []
        var names: [String] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), let reference = reference(in: bytes, at: index) {
                if seen.insert(reference.name).inserted { names.append(reference.name) }
                index = reference.range.upperBound
            } else {
                index += 1
            }
        }
        return names
    }

    private struct Reference {
        var name: String
        /// The bytes of the whole reference, `$` and braces included.
        var range: Range<Int>

        func spelling(in bytes: [UInt8]) -> String {
            String(decoding: bytes[range], as: UTF8.self)
        }
    }

    /// The reference starting at the `$` at `start`, or nil when what follows is not a name.
    private static func reference(in bytes: [UInt8], at start: Int) -> Reference? {
        let braced = start + 1 < bytes.count && bytes[start + 1] == UInt8(ascii: "{")
        let nameStart = start + (braced ? 2 : 1)
        guard nameStart < bytes.count,
            bytes[nameStart] == UInt8(ascii: "_") || isASCIILetter(bytes[nameStart])
        else { return nil }
        var nameEnd = nameStart + 1
        while nameEnd < bytes.count,
            bytes[nameEnd] == UInt8(ascii: "_") || isASCIILetter(bytes[nameEnd]) || isASCIIDigit(bytes[nameEnd])
        {
            nameEnd += 1
        }
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        if braced {
            guard nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "}") else { return nil }
            return Reference(name: name, range: start..<(nameEnd + 1))
        }
        return Reference(name: name, range: start..<nameEnd)
    }
}
