import AWPCore

/// Python's meaning of the whitelisted operators, over JSON values.
///
/// JSON null, booleans, integers, numbers, strings, arrays and objects play Python's `None`, `bool`, `int`,
/// `float`, `str`, `list` and `dict`. As in Python, `bool` is a kind of `int` (`True + 1 == 2`,
/// `True == 1`), ints and floats compare exactly, strings compare by code point, lists compare
/// lexicographically and dicts only for equality. Errors carry no column; the evaluator adds the
/// column of the node that failed.
enum PythonSemantics {
    /// Python's type name, for error messages.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .integer: "int"
        case .number: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// `bool(value)`: None, False, 0, 0.0, and empty strings, lists and dicts are false.
    static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .integer(let number): number != 0
        case .number(let number): number != 0
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let pairs): !pairs.isEmpty
        }
    }

    /// `a == b`. Never fails: values of unrelated types are simply unequal.
    static func equals(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = Numeric(a), let y = Numeric(b) { return Numeric.compare(x, y) == 0 }
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return sameText(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equals($0, $1) }
        case (.object(let x), .object(let y)):
            // Dicts compare as sets of keys, whatever the order they were written in.
            let left = distinctPairs(x)
            let right = distinctPairs(y)
            guard left.count == right.count else { return false }
            return left.allSatisfy { key, value in right[key].map { equals(value, $0) } ?? false }
        default: return false
        }
    }

    /// `a < b`, `a <= b`, `a > b`, `a >= b`.
    static func order(_ op: ComparisonOperator, _ a: JSONValue, _ b: JSONValue) throws(ExpressionError) -> Bool {
        let sign: Int?
        if let x = Numeric(a), let y = Numeric(b) {
            sign = Numeric.compare(x, y)
        } else if case .string(let x) = a, case .string(let y) = b {
            sign = x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : sameText(x, y) ? 0 : 1
        } else if case .array(let x) = a, case .array(let y) = b {
            // The first differing item decides, compared with the same operator; otherwise the lengths do.
            if let i = x.indices.first(where: { $0 < y.count && !equals(x[$0], y[$0]) }) { return try order(op, x[i], y[i]) }
            sign = x.count < y.count ? -1 : x.count == y.count ? 0 : 1
        } else {
            throw ExpressionError(
                "'\(op.rawValue)' not supported between instances of '\(typeName(a))' and '\(typeName(b))'")
        }
        guard let sign else { return false }  // NaN compares false with everything
        switch op {
        case .less: return sign < 0
        case .lessOrEqual: return sign <= 0
        case .greater: return sign > 0
        default: return sign >= 0
        }
    }

    /// `item in container`: a substring, a list member, or a dict key.
    static func contains(_ container: JSONValue, _ item: JSONValue) throws(ExpressionError) -> Bool {
        switch container {
        case .string(let text):
            guard case .string(let needle) = item else {
                throw ExpressionError("'in <string>' requires string as left operand, not \(typeName(item))")
            }
            return containsSubstring(text, needle)
        case .array(let items):
            return items.contains { equals($0, item) }
        case .object(let pairs):
            switch item {
            case .string(let key): return pairs.contains { sameText($0.key, key) }
            case .array, .object: throw ExpressionError("unhashable type: '\(typeName(item))'")
            default: return false  // JSON keys are always strings
            }
        default:
            throw ExpressionError("argument of type '\(typeName(container))' is not iterable")
        }
    }

    /// `a is b`. JSON values have no identity, so this is "the same type and equal": exactly Python's
    /// answer for `None`, `True` and `False`, which is what `is` is used for in practice.
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null), (.bool, .bool), (.integer, .integer), (.number, .number), (.string, .string),
            (.array, .array), (.object, .object):
            equals(a, b)
        default: false
        }
    }

    /// `len(value)` for strings (in code points), lists and dicts.
    static func length(_ value: JSONValue) throws(ExpressionError) -> Int {
        switch value {
        case .string(let text): return text.unicodeScalars.count
        case .array(let items): return items.count
        case .object(let pairs): return distinctPairs(pairs).count
        default: throw ExpressionError("object of type '\(typeName(value))' has no len()")
        }
    }

    /// `value.name`: a key lookup on an object (null when absent). There is no real attribute access, so
    /// `x.__class__` and friends are just keys, never a way into the interpreter.
    static func attribute(_ value: JSONValue, _ name: String) throws(ExpressionError) -> JSONValue {
        guard case .object(let pairs) = value else {
            throw ExpressionError("'\(typeName(value))' object has no attribute '\(name)'")
        }
        return pairs.first { sameText($0.key, name) }?.value ?? .null
    }

    /// `value[index]`: dict by key (a missing key is an error, as in Python), list or string by integer
    /// position (negative counts from the end).
    static func subscripted(_ value: JSONValue, _ index: JSONValue) throws(ExpressionError) -> JSONValue {
        switch value {
        case .object(let pairs):
            if case .array = index { throw ExpressionError("unhashable type: 'list'") }
            if case .object = index { throw ExpressionError("unhashable type: 'dict'") }
            if case .string(let key) = index, let found = pairs.first(where: { sameText($0.key, key) }) { return found.value }
            throw ExpressionError("KeyError: \(repr(index))")
        case .array(let items):
            guard let position = integerIndex(index) else {
                throw ExpressionError("list indices must be integers or slices, not \(typeName(index))")
            }
            guard let offset = normalized(position, count: items.count) else {
                throw ExpressionError("list index out of range")
            }
            return items[offset]
        case .string(let text):
            guard let position = integerIndex(index) else {
                throw ExpressionError("string indices must be integers, not '\(typeName(index))'")
            }
            let scalars = Array(text.unicodeScalars)
            guard let offset = normalized(position, count: scalars.count) else {
                throw ExpressionError("string index out of range")
            }
            return .string(String(scalars[offset]))
        default:
            throw ExpressionError("'\(typeName(value))' object is not subscriptable")
        }
    }

    /// A short Python-style rendering of a key, for `KeyError` messages.
    static func repr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .string(let text):
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "'": escaped += "\\'"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                case "\t": escaped += "\\t"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "'\(escaped)'"
        case .array: return "[...]"
        case .object: return "{...}"
        }
    }
}

// MARK: - Helpers

extension PythonSemantics {
    /// An integer usable as a position (`True` counts as 1, as in Python).
    static func integerIndex(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let number): number
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    /// Python string equality: the same code points (Swift's `==` would also equate canonically
    /// equivalent spellings such as a precomposed and a decomposed "é").
    static func sameText(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    private static func normalized(_ position: Int, count: Int) -> Int? {
        let offset = position < 0 ? count + position : position
        return (0..<count).contains(offset) ? offset : nil
    }

    /// An object as Python would load it: the first value of a repeated key wins, like `JSONValue[key]`.
    private static func distinctPairs(_ pairs: [(key: String, value: JSONValue)]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (key, value) in pairs where result[key] == nil { result[key] = value }
        return result
    }

    /// Code-point substring search. UTF-8 is self-synchronising, so a byte match is a code-point match;
    /// `String.contains` would also match canonically equivalent spellings, which Python does not.
    private static func containsSubstring(_ text: String, _ needle: String) -> Bool {
        let haystack = Array(text.utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        guard pattern.count <= haystack.count else { return false }
        let first = pattern[0]
        var start = 0
        while start <= haystack.count - pattern.count {
            guard let hit = haystack[start...(haystack.count - pattern.count)].firstIndex(of: first) else { return false }
            if haystack[hit..<hit + pattern.count].elementsEqual(pattern) { return true }
            start = hit + 1
        }
        return false
    }
}
