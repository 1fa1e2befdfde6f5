import AWPCore

/// A number as Python's arithmetic sees it: `bool` and `int` are integers, `float` is a double.
struct Numeric {
    enum Storage {
        case int(Int)
        case float(Double)
    }

    var storage: Storage

    init(int: Int) { storage = .int(int) }
    init(float: Double) { storage = .float(float) }

    init?(_ value: JSONValue) {
        switch value {
        case .integer(let number): storage = .int(number)
        case .bool(let flag): storage = .int(flag ? 1 : 0)
        case .number(let number): storage = .float(number)
        default: return nil
        }
    }

    var json: JSONValue {
        switch storage {
        case .int(let number): .integer(number)
        case .float(let number): .number(number)
        }
    }

    var double: Double {
        switch storage {
        case .int(let number): Double(number)
        case .float(let number): number
        }
    }

    /// -1, 0 or 1, or nil when either side is NaN. An int and a float compare exactly, as in Python, not
    /// after rounding the int to a double.
    static func compare(_ a: Numeric, _ b: Numeric) -> Int? {
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.float(let x), .float(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : x == y ? 0 : 1
        case (.int(let x), .float(let y)): return compare(x, y)
        case (.float(let x), .int(let y)): return compare(y, x).map { -$0 }
        }
    }

    private static func compare(_ x: Int, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        let rounded = Double(x)
        // Rounding is monotonic, so a strict difference after rounding is a strict difference before.
        if rounded != y { return rounded < y ? -1 : 1 }
        // Equal after rounding: y is integral; compare exactly unless it lies beyond Int's range (2^63).
        guard y < 9_223_372_036_854_775_808.0, let exact = Int(exactly: y) else { return -1 }
        return x < exact ? -1 : x == exact ? 0 : 1
    }
}

extension PythonSemantics {
    /// How much sequence data (`+` and `*` results) one evaluation may build, counted in items, nested
    /// items and string bytes. Keeps `'x' * 10**9`-style expressions from exhausting memory or time.
    static let sequenceBudget = 1_000_000

    static func unary(_ op: UnaryOperator, _ value: JSONValue) throws(ExpressionError) -> JSONValue {
        guard let number = Numeric(value) else {
            throw ExpressionError("bad operand type for unary \(op.rawValue): '\(typeName(value))'")
        }
        switch (op, number.storage) {
        case (.plus, _): return number.json
        case (.minus, .float(let x)): return .number(-x)
        case (.minus, .int(let x)):
            let (negated, overflow) = (0).subtractingReportingOverflow(x)
            if overflow { throw overflowError }
            return .integer(negated)
        }
    }

    /// A binary operator. `budget` is what remains of `sequenceBudget` for this evaluation.
    static func binary(
        _ op: BinaryOperator, _ a: JSONValue, _ b: JSONValue, budget: inout Int
    ) throws(ExpressionError) -> JSONValue {
        if let x = Numeric(a), let y = Numeric(b) { return try arithmetic(op, x, y).json }
        switch (op, a, b) {
        case (.add, .string(let x), .string(let y)):
            return try charged(.string(x + y), budget: &budget)
        case (.add, .array(let x), .array(let y)):
            return try charged(.array(x + y), budget: &budget)
        case (.add, .string, _), (.add, .array, _):
            throw ExpressionError("can only concatenate \(typeName(a)) (not \"\(typeName(b))\") to \(typeName(a))")
        case (.multiply, .string, _), (.multiply, .array, _):
            return try repeated(a, b, budget: &budget)
        case (.multiply, _, .string), (.multiply, _, .array):
            return try repeated(b, a, budget: &budget)
        case (.modulo, .string, _):
            throw ExpressionError("String formatting with % is not supported in expressions")
        default:
            throw ExpressionError(
                "unsupported operand type(s) for \(op.rawValue): '\(typeName(a))' and '\(typeName(b))'")
        }
    }

    private static let overflowError = ExpressionError("Integer overflow (expressions use 64-bit integers)")

    private static func arithmetic(_ op: BinaryOperator, _ a: Numeric, _ b: Numeric) throws(ExpressionError) -> Numeric {
        if case .int(let x) = a.storage, case .int(let y) = b.storage {
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            case .multiply: result = x.multipliedReportingOverflow(by: y)
            case .divide:
                guard y != 0 else { throw ExpressionError("division by zero") }
                return Numeric(float: Double(x) / Double(y))
            case .floorDivide, .modulo:
                guard y != 0 else { throw ExpressionError("integer division or modulo by zero") }
                let (quotient, overflow) = x.dividedReportingOverflow(by: y)
                if overflow { throw overflowError }
                var remainder = x - quotient * y
                var floored = quotient
                // Python floors the quotient, so the remainder takes the divisor's sign.
                if remainder != 0 && (remainder < 0) != (y < 0) {
                    remainder += y
                    floored -= 1
                }
                return Numeric(int: op == .modulo ? remainder : floored)
            }
            if result.overflow { throw overflowError }
            return Numeric(int: result.partialValue)
        }
        let x = a.double
        let y = b.double
        switch op {
        case .add: return Numeric(float: x + y)
        case .subtract: return Numeric(float: x - y)
        case .multiply: return Numeric(float: x * y)
        case .divide:
            guard y != 0 else { throw ExpressionError("float division by zero") }
            return Numeric(float: x / y)
        case .floorDivide, .modulo:
            guard y != 0 else {
                throw ExpressionError(op == .modulo ? "float modulo" : "float floor division by zero")
            }
            let (quotient, remainder) = floatDivMod(x, y)
            return Numeric(float: op == .modulo ? remainder : quotient)
        }
    }

    /// CPython's `float_divmod`: the remainder has the divisor's sign and the quotient is floored.
    private static func floatDivMod(_ x: Double, _ y: Double) -> (Double, Double) {
        var remainder = x.truncatingRemainder(dividingBy: y)
        var quotient = (x - remainder) / y
        if remainder != 0 {
            if (y < 0) != (remainder < 0) {
                remainder += y
                quotient -= 1
            }
        } else {
            remainder = Double(signOf: y, magnitudeOf: 0)
        }
        var floored: Double
        if quotient != 0 {
            floored = quotient.rounded(.down)
            if quotient - floored > 0.5 { floored += 1 }
        } else {
            floored = Double(signOf: x / y, magnitudeOf: 0)
        }
        return (floored, remainder)
    }

    /// `sequence * count` (either order), Python's repetition; a negative count gives an empty sequence.
    private static func repeated(
        _ sequence: JSONValue, _ count: JSONValue, budget: inout Int
    ) throws(ExpressionError) -> JSONValue {
        guard let times = integerIndex(count) else {
            throw ExpressionError("can't multiply sequence by non-int of type '\(typeName(count))'")
        }
        let unit = weight(of: sequence, limit: budget)
        // Checked before anything is built: `'' * 10**18` must not loop, `[[]] * 10**9` must not allocate.
        guard unit > 0, times > 0 else { return sequence.isString ? .string("") : .array([]) }
        let (total, overflow) = unit.multipliedReportingOverflow(by: times)
        guard !overflow, total <= budget else { throw tooLarge }
        budget -= total
        switch sequence {
        case .string(let text): return .string(String(repeating: text, count: times))
        case .array(let items): return .array(Array([[JSONValue]](repeating: items, count: times).joined()))
        default: return sequence
        }
    }

    private static func charged(_ value: JSONValue, budget: inout Int) throws(ExpressionError) -> JSONValue {
        let cost = weight(of: value, limit: budget)
        guard cost <= budget else { throw tooLarge }
        budget -= cost
        return value
    }

    private static let tooLarge = ExpressionError(
        "Sequence too large: + and * may build at most \(sequenceBudget) items per evaluation")

    /// The size of a value: one per scalar or item, string bytes, nested items; stops counting past
    /// `limit` so that measuring a huge shared structure stays cheap.
    static func weight(of value: JSONValue, limit: Int) -> Int {
        switch value {
        case .string(let text): return text.utf8.count
        case .array(let items):
            var total = 0
            for item in items {
                total += 1 + weight(of: item, limit: limit - total)
                if total > limit { return total }
            }
            return total
        case .object(let pairs):
            var total = 0
            for pair in pairs {
                total += 1 + weight(of: pair.value, limit: limit - total)
                if total > limit { return total }
            }
            return total
        default: return 1
        }
    }
}

extension JSONValue {
    fileprivate var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
