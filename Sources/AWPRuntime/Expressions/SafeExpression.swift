public import AWPCore

/// A parsed AWP condition: the Python-expression subset used by a node's `when` and a loop's
/// `until_condition` (AWP digest §D.2; grammar and semantics in `docs/EXPRESSIONS.md`).
///
/// The source is parsed once, at construction; evaluation only walks the tree. Names are looked up in the
/// context (the engine passes `["state": state]`), and Python's semantics apply to comparisons, `in`,
/// arithmetic and truthiness.
///
/// ```swift
/// let condition = try SafeExpression("state.triage.severity == 'high'")
/// if try condition.isTrue(["state": state]) { … }
/// ```
///
/// Allowed: literals (`1`, `2.5`, `'text'`, `True`/`False`/`None` and also `true`/`false`/`null`), names,
/// `a.b`, `a[i]`, the comparisons `== != < <= > >= in not in is is not` (chains are conjunctions),
/// `and`/`or` (they return a bool, as in the reference), `not`, unary `+`/`-`, `+ - * / // %`, parentheses,
/// list and tuple literals (both become arrays), and `len(x)`.
///
/// `len(x)` is our one extension; any other call, lambdas, comprehensions, dict and set literals, `**`,
/// conditional expressions, f-strings, `:=`, slices and bitwise operators are refused at parse time with
/// "Disallowed expression construct: <Python ast node name>".
///
/// - Important: Attribute access is never real attribute access. On an object, `a.b` is the key `"b"`
///   (null when absent); on anything else it is an error. The reference falls back to Python's `getattr`
///   on non-mappings, so `x.__class__` reaches interpreter internals there; here a dunder name is just a
///   key that is usually absent, so there is nothing to escape to.
public struct SafeExpression: Sendable {
    /// The expression as written.
    public let source: String
    private let root: ExpressionNode

    /// The longest source accepted, in Unicode scalars.
    public static let maximumLength = 4096
    /// The deepest nesting accepted: parentheses, brackets, prefix operators and chained operations all count.
    /// Deeper input is an error, never a stack overflow.
    public static let maximumDepth = 64

    /// Parses `source`.
    ///
    /// - Throws: `ExpressionError` for a syntax error, a disallowed construct, a source longer than
    ///   `maximumLength` or nested deeper than `maximumDepth`.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        if source.unicodeScalars.count > Self.maximumLength {
            throw ExpressionError("Expression is longer than \(Self.maximumLength) characters")
        }
        var tokenizer = ExpressionTokenizer(source)
        var parser = ExpressionParser(tokens: try tokenizer.tokenize(), maximumDepth: Self.maximumDepth)
        root = try parser.parse()
    }

    /// Evaluates the expression with `context` supplying the names.
    ///
    /// - Returns: the value, with Python's result types: comparisons, `and`, `or` and `not` give booleans,
    ///   `int / int` a float, tuples and lists arrays.
    /// - Throws: `ExpressionError` for an undefined name ("Undefined variable 'x'"), a type error such as
    ///   `None > 0.3`, a missing dict key or list index, division by zero, integer overflow (integers are
    ///   64-bit), or a sequence built by `+`/`*` larger than a million items.
    public func evaluate(_ context: [String: JSONValue]) throws(ExpressionError) -> JSONValue {
        var evaluator = ExpressionEvaluator(context: context)
        return try evaluator.evaluate(root)
    }

    /// Evaluates the expression and applies Python's truthiness: `None`, `False`, `0`, `0.0`, `""`, `[]` and
    /// `{}` are false, everything else true.
    ///
    /// - Throws: `ExpressionError` as `evaluate(_:)` does. The caller decides what a failure means: the
    ///   engine treats a failing `when` as true (with a warning) and a failing loop condition as "stop".
    public func isTrue(_ context: [String: JSONValue]) throws(ExpressionError) -> Bool {
        PythonSemantics.isTruthy(try evaluate(context))
    }
}

extension SafeExpression: CustomStringConvertible {
    public var description: String { source }
}
