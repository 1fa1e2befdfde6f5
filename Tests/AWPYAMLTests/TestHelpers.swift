import AWPYAML
import Testing

/// Parses `text` and requires a document with content.
func parseDocument(
    _ text: String,
    limits: YAMLParser.Limits = .init(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> YAMLNode {
    try #require(try YAMLParser.parse(text, limits: limits), sourceLocation: sourceLocation)
}

/// The error parsing `text` throws; records an issue and returns nil when it parses instead.
func parseError(
    _ text: String,
    limits: YAMLParser.Limits = .init(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> YAMLError? {
    parseError(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
}

/// The error parsing `bytes` throws; records an issue and returns nil when it parses instead.
func parseError(
    _ bytes: [UInt8],
    limits: YAMLParser.Limits = .init(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> YAMLError? {
    do {
        let node = try YAMLParser.parse(bytes, limits: limits)
        Issue.record("expected a YAMLError, parsed \(String(describing: node))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Shorthand for a 1-based mark.
func mark(_ line: Int, _ column: Int) -> YAMLMark {
    YAMLMark(line: line, column: column)
}

/// The keys of a mapping node as text, in order.
func keys(_ node: YAMLNode?) -> [String] {
    node?.mapping?.compactMap { $0.key.scalar?.text } ?? []
}
