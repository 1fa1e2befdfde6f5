/// One finding about a workflow: an error that makes it invalid, or a warning worth reading.
///
/// Every diagnostic carries the AWP rule it enforces (`R7`, `R5/R9`, …) when there is one, and
/// where it was found. Problems that no AWP rule names (YAML syntax, wrong types, unknown keys)
/// have `rule == nil`.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public var severity: Severity
    public var rule: String?
    public var message: String
    public var location: SourceLocation?

    public init(_ severity: Severity, rule: String? = nil, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
    }

    public static func error(rule: String? = nil, _ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.error, rule: rule, message, at: location)
    }

    public static func warning(rule: String? = nil, _ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.warning, rule: rule, message, at: location)
    }

    public var isError: Bool { severity == .error }

    /// Compiler style: `path:line:col: error: [R7] message`.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): "
        if let rule { text += "[\(rule)] " }
        return text + message
    }
}

extension Array where Element == Diagnostic {
    /// True when any element is an error.
    public var containsErrors: Bool { contains { $0.isError } }
}
