public import AWPCore

/// Removes secret values from text before it is shown, stored, logged or sent to a model.
///
/// Each secret is searched for in several spellings, because a value rarely leaks verbatim:
/// - as written;
/// - base64 (standard and URL-safe alphabets, padded or not), including where the value sits at any
///   byte offset inside a longer base64 text, as a password does in `Basic base64(user:password)`;
/// - URL percent-encoded (upper- and lower-case hex, and the form encoding that writes space as `+`);
/// - JSON-escaped, for text that is already serialized JSON.
///
/// Every spelling is replaced by `[redacted:NAME]`. Values shorter than 4 characters are ignored: a
/// secret `1` or `abc` would turn every log line into noise and still hide nothing. Matching is one
/// left-to-right pass that tries the longest spelling first, so a secret that contains another secret
/// is reported under its own name, and a replacement marker is never searched again.
public struct SecretRedactor: Sendable {
    /// The shortest value, in characters, that is redacted.
    public static let minimumValueLength = 4

    private struct Pattern: Sendable {
        var bytes: [UInt8]
        var marker: [UInt8]
    }

    /// Patterns by their first byte, each list longest first.
    private var patterns: [UInt8: [Pattern]]

    /// A redactor for `secrets`, keyed by name.
    public init(secrets: [String: String]) {
        var seen: Set<[UInt8]> = []
        var all: [Pattern] = []
        // Sorted names make the reported name deterministic when two secrets share a value.
        for name in secrets.keys.sorted() {
            let value = secrets[name]!
            guard value.count >= Self.minimumValueLength else { continue }
            let marker = Array("[redacted:\(name)]".utf8)
            for spelling in Self.spellings(of: Array(value.utf8)) where seen.insert(spelling).inserted {
                all.append(Pattern(bytes: spelling, marker: marker))
            }
        }
        all.sort { $0.bytes.count > $1.bytes.count }
        patterns = Dictionary(grouping: all) { $0.bytes[0] }
    }

    /// True when there is nothing to redact (no secret of at least `minimumValueLength` characters).
    public var isEmpty: Bool {
        patterns.isEmpty
    }

    /// `text` with every spelling of every secret replaced by `[redacted:NAME]`.
    public func redact(_ text: String) -> String {
        guard !patterns.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var changed = false
        var index = 0
        while index < bytes.count {
            if let pattern = match(in: bytes, at: index) {
                if !changed {
                    output.reserveCapacity(bytes.count)
                    output += bytes[0..<index]
                    changed = true
                }
                output += pattern.marker
                index += pattern.bytes.count
            } else {
                if changed { output.append(bytes[index]) }
                index += 1
            }
        }
        // Patterns are whole UTF-8 sequences starting on a lead byte, so cutting them out keeps the text valid.
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// `value` with `redact(_:)` applied to every string and every object key, at any depth.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !patterns.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map { redact($0) })
        case .object(let pairs): return .object(pairs.map { (key: redact($0.key), value: redact($0.value)) })
        case .null, .bool, .number, .integer: return value
        }
    }

    /// True when `text` holds any spelling of any secret; for checks such as "nothing persisted leaks".
    public func contains(secretIn text: String) -> Bool {
        guard !patterns.isEmpty else { return false }
        let bytes = Array(text.utf8)
        for index in bytes.indices where match(in: bytes, at: index) != nil { return true }
        return false
    }

    private func match(in bytes: [UInt8], at index: Int) -> Pattern? {
        guard let candidates = patterns[bytes[index]] else { return nil }
        let remaining = bytes.count - index
        for pattern in candidates where pattern.bytes.count <= remaining {
            var equal = true
            for offset in 1..<pattern.bytes.count where bytes[index + offset] != pattern.bytes[offset] {
                equal = false
                break
            }
            if equal { return pattern }
        }
        return nil
    }
}

// MARK: - Spellings

extension SecretRedactor {
    /// The forms of one value that are searched for.
    private static func spellings(of value: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = [value]
        let standard = Base64Spelling.encode(value, urlSafe: false)
        let urlSafe = Base64Spelling.encode(value, urlSafe: true)
        for encoded in [standard, urlSafe] {
            result.append(encoded)
            result.append(Array(encoded.prefix { $0 != UInt8(ascii: "=") }))
        }
        // Inside a longer base64 text the value may start at any of three byte offsets; for each, keep
        // only the characters that depend on the value alone. Short cores are skipped: they would match
        // unrelated base64 by chance.
        for offset in 0..<3 {
            for urlSafe in [false, true] {
                let core = Base64Spelling.alignedCore(of: value, offset: offset, urlSafe: urlSafe)
                if core.count >= 8 { result.append(core) }
            }
        }
        result.append(PercentSpelling.encode(value, lowercase: false, spaceAsPlus: false))
        result.append(PercentSpelling.encode(value, lowercase: true, spaceAsPlus: false))
        result.append(PercentSpelling.encode(value, lowercase: false, spaceAsPlus: true))
        let escaped = JSONValue.string(String(decoding: value, as: UTF8.self)).serializedUTF8()
        result.append(Array(escaped.dropFirst().dropLast()))
        return result.filter { !$0.isEmpty }
    }
}
