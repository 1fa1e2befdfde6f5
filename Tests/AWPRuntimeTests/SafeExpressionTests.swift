import AWPCore
import AWPRuntime
import Testing

/// Evaluates `source` with `state` bound to the name `state`, as the engine does for `when`.
func evaluate(_ source: String, state: JSONValue = [:], context extra: [String: JSONValue] = [:]) throws -> JSONValue {
    var context = extra
    context["state"] = state
    return try SafeExpression(source).evaluate(context)
}

/// The message of the error `body` throws, or nil when it does not throw.
func expressionError(_ body: () throws -> Void) -> ExpressionError? {
    do {
        try body()
        return nil
    } catch let error as ExpressionError {
        return error
    } catch {
        return ExpressionError("unexpected error type: \(error)")
    }
}

@Suite struct SafeExpressionTests {
    static let triageState: JSONValue = [
        "task": "Server down",
        "triage": ["severity": "high", "tags": ["ops", "db"], "score": 0.7],
        "analyst": ["risk_score": nil],
        "count": 3,
    ]

    @Test func awpExampleConditionComparesANestedKey() throws {
        let condition = try SafeExpression("state.triage.severity == 'high'")
        #expect(condition.source == "state.triage.severity == 'high'")
        #expect(try condition.isTrue(["state": Self.triageState]))
        #expect(try !condition.isTrue(["state": ["triage": ["severity": "low"]]]))
        // An absent key reads as null, so the comparison is simply false...
        #expect(try !condition.isTrue(["state": ["triage": [:]]]))
        // ...but an attribute of null is Python's AttributeError, which the engine turns into fail-open.
        let error = expressionError { _ = try condition.isTrue(["state": [:]]) }
        #expect(error?.message == "'NoneType' object has no attribute 'severity'")
        #expect(error?.column == 13, "the dot before severity")
    }

    @Test func riskScoreAgainstNoneIsATypeError() throws {
        let error = expressionError { _ = try SafeExpression("state.analyst.risk_score > 0.3").evaluate(["state": Self.triageState]) }
        #expect(error?.message == "'>' not supported between instances of 'NoneType' and 'float'")
        #expect(try evaluate("state.triage.score > 0.3", state: Self.triageState) == true)
    }

    static let literalCases: [(String, JSONValue)] = [
        ("42", .integer(42)), ("1_000", 1000), ("0x1F", 31), ("0o17", 15), ("0b101", 5), ("00", 0),
        ("2.5", 2.5), (".5", 0.5), ("1.", 1.0), ("1e3", 1000.0), ("1.5E-3", 0.0015), ("1_0.0_1", 10.01),
        ("'it''s'", "its"), ("\"dq\"", "dq"), ("'a' \"b\" 'c'", "abc"), ("'tab\\there'", "tab\there"),
        ("'\\x41\\u00e9\\U0001F600\\101'", "Aé😀A"), ("'\\q'", "\\q"), ("r'\\d+'", "\\d+"), ("u'x'", "x"),
        ("'''multi\nline'''", "multi\nline"), ("\"\"\"it's \"q\" \"\"\"", "it's \"q\" "), ("'\\''", "'"),
        ("True", true), ("False", false), ("None", nil), ("true", true), ("false", false), ("null", nil),
        ("[1, 'a', None]", [1, "a", nil]), ("[]", []), ("()", []), ("(1,)", [1]), ("(1, 2)", [1, 2]),
        ("1, 2,", [1, 2]), ("[1, 2,]", [1, 2]), ("(7)", 7), ("  42  # a comment\n", 42), ("1 + \\\n 2", 3),
    ]

    @Test(arguments: literalCases)
    func literals(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    static let precedenceCases: [(String, JSONValue)] = [
        ("1 + 2 * 3", .integer(7)), ("(1 + 2) * 3", 9), ("2 - 1 - 1", 0), ("8 / 2 / 2", 2.0),
        ("-2 * 3", -6), ("- - 1", 1), ("+-+1", -1), ("not 1 == 2", true), ("not True and False", false),
        ("1 < 2 and 2 < 1 or True", true), ("False or True and False", false), ("not not 'x'", true),
        ("1 + 2 == 3 and 'a' in 'abc'", true), ("10 - 2 * 3 // 2", 7), ("-3 % 2 * 2", 2), ("2 * -3", -6),
    ]

    @Test(arguments: precedenceCases)
    func precedenceFollowsPython(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func andOrReturnBooleansAndShortCircuit() throws {
        #expect(try evaluate("1 and 2") == .bool(true))
        #expect(try evaluate("0 or ''") == .bool(false))
        #expect(try evaluate("'' or [1]") == .bool(true))
        // The right-hand side is never evaluated, so the undefined name is not an error.
        #expect(try evaluate("False and undefined_name") == .bool(false))
        #expect(try evaluate("True or undefined_name") == .bool(true))
        #expect(throws: ExpressionError.self) { try evaluate("True and undefined_name") }
    }

    @Test func chainedComparisonsAreConjunctions() throws {
        #expect(try evaluate("1 < 2 < 3") == .bool(true))
        #expect(try evaluate("1 < 3 < 2") == .bool(false))
        #expect(try evaluate("3 > 2 == 2 >= 1") == .bool(true))
        #expect(try evaluate("1 < 2.5 < 3") == .bool(true))
        #expect(try evaluate("0 < state.count <= 3 != 4", state: Self.triageState) == .bool(true))
        // Evaluation stops at the first false step, like Python.
        #expect(try evaluate("1 > 2 < undefined_name") == .bool(false))
    }

    @Test func membershipOnStringsArraysAndObjects() throws {
        let state = Self.triageState
        #expect(try evaluate("'down' in state.task", state: state) == true)
        #expect(try evaluate("'Down' in state.task", state: state) == false)
        #expect(try evaluate("'' in 'abc'") == true)
        #expect(try evaluate("'db' in state.triage.tags", state: state) == true)
        #expect(try evaluate("'web' not in state.triage.tags", state: state) == true)
        #expect(try evaluate("'severity' in state.triage", state: state) == true)
        #expect(try evaluate("'high' in state.triage", state: state) == false)
        #expect(try evaluate("1 in [1.0, 2]") == true)
        #expect(try evaluate("True in [1]") == true)
        #expect(try evaluate("[1] in [[1], 2]") == true)
        #expect(try evaluate("1 in state.triage", state: state) == false)
        #expect(try evaluate("'é' in 'café'") == true)
        #expect(expressionError { _ = try SafeExpression("1 in 'abc'").evaluate([:]) }?.message
            == "'in <string>' requires string as left operand, not int")
        #expect(expressionError { _ = try SafeExpression("'a' in None").evaluate([:]) }?.message
            == "argument of type 'NoneType' is not iterable")
        #expect(expressionError { _ = try SafeExpression("[1] in state").evaluate(["state": [:]]) }?.message
            == "unhashable type: 'list'")
    }

    static let divisionCases: [(String, JSONValue)] = [
        ("7 / 2", .number(3.5)), ("6 / 3", 2.0), ("7 // 2", 3), ("-7 // 2", -4), ("7 // -2", -4),
        ("-7 % 3", 2), ("7 % -3", -2), ("7 % 3", 1), ("7.5 // 2", 3.0), ("-7.5 % 2", 0.5), ("7.5 % -2", -0.5),
        ("5 // 0.5", 10.0), ("-5 % 0.3", 0.09999999999999981), ("True + True", 2), ("-True", -1),
        ("1e300 * 1e10", .number(.infinity)), ("2 * 2.5", 5.0), ("1 + 1.0", 2.0), ("10 - 0.5", 9.5),
    ]

    @Test(arguments: divisionCases)
    func divisionAndModuloFollowPython(source: String, expected: JSONValue) throws {
        let value = try evaluate(source)
        #expect(value == expected)
        #expect(value.typeName == expected.typeName, "int stays int and float stays float")
    }

    @Test func negativeZeroFloorDivisionKeepsItsSign() throws {
        guard case .number(let value) = try evaluate("-0.0 // 1") else { Issue.record("not a float"); return }
        #expect(value == 0 && value.sign == .minus)
    }

    @Test(arguments: [
        ("1 / 0", "division by zero"), ("1 // 0", "integer division or modulo by zero"),
        ("1 % 0", "integer division or modulo by zero"), ("1.0 / 0", "float division by zero"),
        ("1.5 % 0.0", "float modulo"), ("9223372036854775807 + 1", "Integer overflow (expressions use 64-bit integers)"),
        ("-9223372036854775807 - 2", "Integer overflow (expressions use 64-bit integers)"),
        ("9223372036854775808", "Integer literal too large (expressions use 64-bit integers)"),
    ])
    func arithmeticFailuresAreErrors(source: String, message: String) {
        #expect(expressionError { _ = try SafeExpression(source).evaluate([:]) }?.message == message)
    }

    @Test func sequencesConcatenateAndRepeat() throws {
        #expect(try evaluate("'ab' + 'cd'") == "abcd")
        #expect(try evaluate("[1] + [2, 3]") == [1, 2, 3])
        #expect(try evaluate("'ab' * 3") == "ababab")
        #expect(try evaluate("2 * [0]") == [0, 0])
        #expect(try evaluate("[0] * -1") == [])
        #expect(try evaluate("'' * 1000000000000") == "")
        #expect(try evaluate("[] * 1000000000000") == [])
        #expect(expressionError { _ = try SafeExpression("'a' + 1").evaluate([:]) }?.message
            == "can only concatenate str (not \"int\") to str")
        #expect(expressionError { _ = try SafeExpression("[1] * 1.5").evaluate([:]) }?.message
            == "can't multiply sequence by non-int of type 'float'")
        #expect(expressionError { _ = try SafeExpression("'%s' % 1").evaluate([:]) }?.message
            == "String formatting with % is not supported in expressions")
    }

    @Test func sequenceBudgetStopsMemoryBombs() {
        for source in ["'x' * 2000000", "[1] * 1000000000000", "[[1] * 1000] * 1000", "[0] * 600000 + [0] * 600000"] {
            #expect(
                expressionError { _ = try SafeExpression(source).evaluate([:]) }?.message.hasPrefix("Sequence too large")
                    == true, "\(source)")
        }
    }
}
