import AWPCore

/// Walks a parsed expression over a context of named JSON values.
///
/// Recursion depth is bounded by the tree height the parser allows. The only state is what is left of
/// the sequence budget, so one evaluator serves exactly one evaluation.
struct ExpressionEvaluator {
    let context: [String: JSONValue]
    private var budget = PythonSemantics.sequenceBudget

    init(context: [String: JSONValue]) {
        self.context = context
    }

    mutating func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        do {
            return try value(of: node)
        } catch var error {
            // Operator failures carry no position; the innermost node that failed supplies it.
            if error.column == nil { error.column = node.column }
            throw error
        }
    }

    private mutating func value(of node: ExpressionNode) throws(ExpressionError) -> JSONValue {
        switch node.kind {
        case .literal(let value):
            return value
        case .name(let name):
            guard let value = context[name] else { throw ExpressionError("Undefined variable '\(name)'") }
            return value
        case .attribute(let base, let name):
            return try PythonSemantics.attribute(try evaluate(base), name)
        case .subscript(let base, let index):
            let container = try evaluate(base)
            return try PythonSemantics.subscripted(container, try evaluate(index))
        case .list(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .length(let argument):
            return .integer(try PythonSemantics.length(try evaluate(argument)))
        case .unary(let op, let operand):
            return try PythonSemantics.unary(op, try evaluate(operand))
        case .not(let operand):
            return .bool(!PythonSemantics.isTruthy(try evaluate(operand)))
        case .binary(let op, let lhs, let rhs):
            let left = try evaluate(lhs)
            let right = try evaluate(rhs)
            return try PythonSemantics.binary(op, left, right, budget: &budget)
        case .and(let operands):
            // Like the reference (`all(...)`): short-circuits, and the result is a bool, not an operand.
            for operand in operands where !PythonSemantics.isTruthy(try evaluate(operand)) { return .bool(false) }
            return .bool(true)
        case .or(let operands):
            for operand in operands where PythonSemantics.isTruthy(try evaluate(operand)) { return .bool(true) }
            return .bool(false)
        case .comparison(let first, let steps):
            // `a < b < c` is `a < b and b < c` with `b` evaluated once, stopping at the first false step.
            var left = try evaluate(first)
            for (op, operand) in steps {
                let right = try evaluate(operand)
                if !(try compare(op, left, right)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        }
    }

    private func compare(_ op: ComparisonOperator, _ left: JSONValue, _ right: JSONValue) throws(ExpressionError) -> Bool {
        switch op {
        case .equal: PythonSemantics.equals(left, right)
        case .notEqual: !PythonSemantics.equals(left, right)
        case .less, .lessOrEqual, .greater, .greaterOrEqual: try PythonSemantics.order(op, left, right)
        case .in: try PythonSemantics.contains(right, left)
        case .notIn: !(try PythonSemantics.contains(right, left))
        case .is: PythonSemantics.identical(left, right)
        case .isNot: !PythonSemantics.identical(left, right)
        }
    }
}
