import AWPCore

/// A parsed expression: only whitelisted constructs can be represented, so evaluating a tree can never
/// reach anything the grammar does not allow.
struct ExpressionNode: Sendable {
    var kind: Kind
    /// Where the construct starts (1-based), for error messages.
    var column: Int
    /// The height of this subtree; the parser refuses trees taller than `SafeExpression.maximumDepth`, so
    /// the recursive evaluator cannot overflow the stack.
    var height: Int

    indirect enum Kind: Sendable {
        case literal(JSONValue)
        case name(String)
        /// `value.name`: a key lookup on an object, never a real attribute.
        case attribute(ExpressionNode, String)
        case `subscript`(ExpressionNode, index: ExpressionNode)
        /// A list or tuple literal (both become JSON arrays).
        case list([ExpressionNode])
        /// `len(value)`, the only call.
        case length(ExpressionNode)
        case unary(UnaryOperator, ExpressionNode)
        case not(ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        /// `a and b and c` (n-ary like Python's `BoolOp`), evaluated left to right with short-circuiting.
        case and([ExpressionNode])
        case or([ExpressionNode])
        /// `a < b <= c`: each step compares the previous operand with the next one.
        case comparison(ExpressionNode, [(ComparisonOperator, ExpressionNode)])
    }

    init(_ kind: Kind, column: Int) {
        self.kind = kind
        self.column = column
        let children: [ExpressionNode] =
            switch kind {
            case .literal, .name: []
            case .attribute(let value, _), .length(let value), .unary(_, let value), .not(let value): [value]
            case .subscript(let value, let index): [value, index]
            case .list(let items), .and(let items), .or(let items): items
            case .binary(_, let lhs, let rhs): [lhs, rhs]
            case .comparison(let first, let steps): [first] + steps.map(\.1)
            }
        height = 1 + (children.map(\.height).max() ?? 0)
    }
}

enum UnaryOperator: String, Sendable {
    case plus = "+"
    case minus = "-"
}

enum BinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
    case notIn = "not in"
    case `is` = "is"
    case isNot = "is not"
}
