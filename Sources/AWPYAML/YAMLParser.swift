/// Parses one YAML document into a `YAMLNode` tree with 1-based marks, using libyaml's event API.
///
/// Aliases are expanded into copies, merge keys (`<<`) applied and duplicate keys rejected while the tree is
/// built. Every way a hostile or broken file could cost unbounded time, memory or stack is capped by `Limits`
/// and reported as a `YAMLError`; parsing never traps.
public struct YAMLParser {
    /// Caps on what one parse may consume.
    public struct Limits: Sendable {
        /// How many collections may nest inside each other.
        public var maxDepth: Int
        /// How many nodes the finished tree may hold, counting every node an alias copies.
        public var maxNodes: Int
        /// How many bytes of input are accepted at all.
        public var maxInputBytes: Int

        /// Limits generous for any real workflow and small enough that no input can exhaust the process.
        public init(maxDepth: Int = 256, maxNodes: Int = 200_000, maxInputBytes: Int = 16 << 20) {
            self.maxDepth = maxDepth
            self.maxNodes = maxNodes
            self.maxInputBytes = maxInputBytes
        }
    }

    /// Parses `text`; returns nil when the stream holds no document or the document has no content.
    public static func parse(_ text: String, limits: Limits = .init()) throws(YAMLError) -> YAMLNode? {
        // Check before copying, so an oversized string is refused without first being duplicated.
        guard text.utf8.count <= limits.maxInputBytes else { throw tooLarge(text.utf8.count, limits: limits) }
        return try parse(Array(text.utf8), limits: limits)
    }

    /// Parses UTF-8 `bytes`; returns nil when the stream holds no document or the document has no content.
    public static func parse(_ bytes: [UInt8], limits: Limits = .init()) throws(YAMLError) -> YAMLNode? {
        guard bytes.count <= limits.maxInputBytes else { throw tooLarge(bytes.count, limits: limits) }
        // libyaml would quietly decode UTF-16 after a byte order mark; workflow files must be UTF-8.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw YAMLError(
                .invalidEncoding,
                "input starts with a UTF-16 byte order mark; YAML files must be UTF-8",
                at: YAMLMark(line: 1, column: 1)
            )
        }
        let reader = LibYAMLEventReader(bytes)
        var builder = YAMLTreeBuilder(limits: limits)
        while try !builder.consume(reader.next()) {}
        return builder.result
    }

    private static func tooLarge(_ count: Int, limits: Limits) -> YAMLError {
        YAMLError(.tooLarge, "input is \(count) bytes; the limit is \(limits.maxInputBytes)")
    }
}
