public import AWPCore
internal import AWPYAML

/// Collects the diagnostics of one file while it is read into models.
///
/// A class because every reader of the file appends to the same list; it lives for one load and
/// is never shared across tasks.
final class LoadContext {
    /// The file being read, relative to the workflow directory.
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func location(of node: YAMLNode) -> SourceLocation {
        location(node.mark)
    }

    func error(_ message: String, at node: YAMLNode?, rule: String? = nil) {
        diagnostics.append(.error(rule: rule, message, at: node.map(location(of:)) ?? SourceLocation(file: file)))
    }

    func warning(_ message: String, at node: YAMLNode?, rule: String? = nil) {
        diagnostics.append(.warning(rule: rule, message, at: node.map(location(of:)) ?? SourceLocation(file: file)))
    }

    func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    var hasErrors: Bool { diagnostics.containsErrors }
}

/// Where each key of a model's mapping was written, so rules can point at the exact line.
public struct FieldLocations: Sendable, Hashable {
    /// Where the mapping itself starts.
    public var node: SourceLocation?
    /// Where each key that was present starts.
    public var keys: [String: SourceLocation]
    /// Where each key's value starts.
    public var values: [String: SourceLocation]

    public init(node: SourceLocation? = nil, keys: [String: SourceLocation] = [:], values: [String: SourceLocation] = [:]) {
        self.node = node
        self.keys = keys
        self.values = values
    }

    /// The location of `key`'s value when present, else of the key, else of the mapping.
    public subscript(_ key: String) -> SourceLocation? {
        values[key] ?? keys[key] ?? node
    }

    /// True when the key was written in the file (as opposed to taking its default).
    public func contains(_ key: String) -> Bool { keys[key] != nil }
}

/// A key that AWP 1.0 does not define, kept with its value and where it was written.
public struct ExtraField: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public var location: SourceLocation

    public init(key: String, value: JSONValue, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}
