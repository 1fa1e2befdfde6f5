/// Why an expression could not be parsed or evaluated.
///
/// The message reads like Python's own (`'>' not supported between instances of 'NoneType' and 'float'`,
/// `Undefined variable 'x'`, `Disallowed expression construct: Call`) so that people who know the
/// reference runtime recognise it. The engine logs it as a warning for a failing `when` and as the reason
/// a loop stopped for a failing `until_condition`.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words.
    public var message: String
    /// The 1-based position in the source (counted in Unicode scalars, so the column on a one-line
    /// expression) of the construct that failed, when one is known.
    public var column: Int?

    public init(_ message: String, column: Int? = nil) {
        self.message = message
        self.column = column
    }

    public var description: String {
        guard let column else { return message }
        return "\(message) (at column \(column))"
    }
}

extension ExpressionError {
    /// The error for a Python construct that is outside the whitelist, named as Python's `ast` names it.
    static func disallowed(_ construct: String, column: Int?) -> ExpressionError {
        ExpressionError("Disallowed expression construct: \(construct)", column: column)
    }
}
