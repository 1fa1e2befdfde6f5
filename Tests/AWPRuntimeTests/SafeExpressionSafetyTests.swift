import AWPCore
import AWPRuntime
import Testing

/// The whitelist, the limits, and the failure modes of `SafeExpression`.
@Suite struct SafeExpressionSafetyTests {
    @Test(arguments: [
        ("state.get('analyst', {})", "Call"), ("print(1)", "Call"), ("state.x()", "Call"), ("len(x)(1)", "Call"),
        ("__import__('os')", "Call"), ("(lambda: 1)", "Lambda"), ("lambda x: x", "Lambda"),
        ("[x for x in state]", "ListComp"), ("(x for x in state)", "GeneratorExp"), ("len(x for x in y)", "GeneratorExp"),
        ("{x for x in state}", "SetComp"), ("{k: v for k, v in state}", "DictComp"), ("{}", "Dict"),
        ("{'a': 1}", "Dict"), ("{**state}", "Dict"), ("{1, 2}", "Set"), ("2 ** 3", "Pow"), ("1 if True else 2", "IfExp"),
        ("f'{state}'", "JoinedStr"), ("F'x'", "JoinedStr"), ("rf'x'", "JoinedStr"), ("(x := 1)", "NamedExpr"),
        ("state[1:2]", "Slice"), ("state[:2]", "Slice"), ("[*state]", "Starred"), ("1 | 2", "BitOr"), ("1 & 2", "BitAnd"),
        ("1 ^ 2", "BitXor"), ("1 << 2", "LShift"), ("1 >> 2", "RShift"), ("~1", "Invert"), ("a @ b", "MatMult"),
        ("await x", "Await"), ("(yield)", "Yield"), ("...", "Ellipsis"), ("False and state.get('x')", "Call"),
    ])
    func disallowedConstructsAreNamed(source: String, construct: String) {
        let error = expressionError { _ = try SafeExpression(source) }
        #expect(error?.message == "Disallowed expression construct: \(construct)", "\(source)")
        #expect(error?.column != nil)
    }

    @Test(arguments: ["b'x'", "1j", "'\\N{BULLET}'"])
    func unsupportedLiteralsAreRefused(source: String) {
        #expect(expressionError { _ = try SafeExpression(source) } != nil)
    }

    @Test func lenIsTheOnlyCall() throws {
        let state: JSONValue = ["items": [1, 2, 3], "name": "café", "map": ["a": 1, "b": 2]]
        #expect(try evaluate("len(state.items) == 3", state: state) == true)
        #expect(try evaluate("len(state.name)", state: state) == 4)
        #expect(try evaluate("len(state.map)", state: state) == 2)
        #expect(try evaluate("len([]) == 0 and len('') == 0") == true)
        #expect(expressionError { _ = try SafeExpression("len(1)").evaluate([:]) }?.message == "object of type 'int' has no len()")
        #expect(expressionError { _ = try SafeExpression("len()") }?.message == "len() takes exactly one argument (0 given)")
        #expect(expressionError { _ = try SafeExpression("len(1, 2)") }?.message == "len() takes exactly one argument (2 given)")
        #expect(expressionError { _ = try SafeExpression("len(obj=1)") }?.message == "len() takes no keyword arguments")
        // A bare `len` is just a name, looked up in the context like any other.
        #expect(expressionError { _ = try SafeExpression("len").evaluate([:]) }?.message == "Undefined variable 'len'")
    }

    @Test func dunderAttributesAreKeysNotEscapes() throws {
        let state: JSONValue = ["a": 1, "__class__": "just a key"]
        #expect(try evaluate("state.__class__", state: state) == "just a key")
        #expect(try evaluate("state.__class__", state: ["a": 1]) == .null)
        #expect(try evaluate("state.__init__ == None and state.__globals__ is None", state: [:]) == true)
        // Python would return `str`; here a string has no attributes at all.
        #expect(expressionError { _ = try SafeExpression("'x'.__class__").evaluate([:]) }?.message
            == "'str' object has no attribute '__class__'")
        #expect(expressionError { _ = try SafeExpression("state.__class__.__bases__").evaluate(["state": [:]]) }?.message
            == "'NoneType' object has no attribute '__bases__'")
        #expect(expressionError { _ = try SafeExpression("().__class__.__bases__[0].__subclasses__()") }?.message
            == "Disallowed expression construct: Call")
    }

    @Test func undefinedNamesAreErrorsWithAColumn() {
        let error = expressionError { _ = try SafeExpression("state.ok and missing > 1").evaluate(["state": ["ok": true]]) }
        #expect(error?.message == "Undefined variable 'missing'")
        #expect(error?.column == 14)
        #expect(error?.description == "Undefined variable 'missing' (at column 14)")
    }

    @Test(arguments: [
        ("None > 0.3", "'>' not supported between instances of 'NoneType' and 'float'"),
        ("'a' < 1", "'<' not supported between instances of 'str' and 'int'"),
        ("[1] <= 'a'", "'<=' not supported between instances of 'list' and 'str'"),
        ("state >= state", "'>=' not supported between instances of 'dict' and 'dict'"),
        ("1 + None", "unsupported operand type(s) for +: 'int' and 'NoneType'"),
        ("'a' - 'b'", "unsupported operand type(s) for -: 'str' and 'str'"),
        ("-'a'", "bad operand type for unary -: 'str'"), ("None[0]", "'NoneType' object is not subscriptable"),
        ("[1][1]", "list index out of range"), ("[1]['a']", "list indices must be integers or slices, not str"),
        ("'ab'[2]", "string index out of range"), ("state['missing']", "KeyError: 'missing'"),
        ("state[0]", "KeyError: 0"), ("(1).x", "'int' object has no attribute 'x'"),
    ])
    func typeErrorsAreExpressionErrors(source: String, message: String) {
        #expect(expressionError { _ = try SafeExpression(source).evaluate(["state": ["a": 1]]) }?.message == message)
    }

    @Test func subscriptsFollowPython() throws {
        let state: JSONValue = ["list": [10, 20, 30], "obj": ["k": "v"], "s": "héllo"]
        #expect(try evaluate("state.list[0] + state.list[-1]", state: state) == 40)
        #expect(try evaluate("state.list[True]", state: state) == 20)
        #expect(try evaluate("state['obj']['k'] == state.obj.k", state: state) == true)
        #expect(try evaluate("state.s[1] + state.s[-1]", state: state) == "éo")
        #expect(try evaluate("[[1, 2], [3]][0][1]") == 2)
    }

    @Test(arguments: [
        ("0", false), ("0.0", false), ("''", false), ("[]", false), ("()", false), ("state.empty", false),
        ("None", false), ("False", false), ("1", true), ("-0.5", true), ("'0'", true), ("[0]", true),
        ("state.full", true), ("True", true), ("state.missing", false),
    ])
    func truthinessFollowsPython(source: String, expected: Bool) throws {
        let state: JSONValue = ["empty": [:], "full": ["a": nil]]
        #expect(try SafeExpression(source).isTrue(["state": state]) == expected)
    }

    @Test func equalityAndIdentityFollowPython() throws {
        let state: JSONValue = ["a": ["x": 1, "y": [1, 2]], "b": ["y": [1.0, 2], "x": true], "flag": true, "none": nil]
        #expect(try evaluate("state.a == state.b", state: state) == true, "dict order does not matter; 1 == 1.0 == True")
        #expect(try evaluate("1 == 1.0 and True == 1 and 'a' != 1 and None != 0") == true)
        #expect(try evaluate("9007199254740993 == 9007199254740992.0") == false, "ints compare with floats exactly")
        #expect(try evaluate("9007199254740993 > 9007199254740992.0") == true)
        #expect(try evaluate("[1, 2] < [1, 3] and [1, 2] < [1, 2, 0] and 'Z' < 'a'") == true)
        #expect(try evaluate("state.none is None and state.flag is True and state.flag is not False", state: state) == true)
        #expect(try evaluate("1 is True") == false)
        #expect(try evaluate("state.missing is None", state: state) == true)
    }

    @Test func depthIsLimitedWithoutOverflowingTheStack() throws {
        func nested(_ depth: Int) -> String { String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) }
        #expect(try evaluate(nested(64)) == 1)
        #expect(expressionError { _ = try SafeExpression(nested(65)) }?.message.hasPrefix("Expression is nested too deeply") == true)
        #expect(try evaluate(Array(repeating: "1", count: 64).joined(separator: "+")) == 64)
        let hostile = [
            nested(2000), String(repeating: "[", count: 4000), String(repeating: "not ", count: 1000) + "x",
            String(repeating: "-", count: 4000) + "1", "state" + String(repeating: ".a", count: 2000),
            Array(repeating: "1", count: 2000).joined(separator: "+"), "x" + String(repeating: "[0]", count: 1300),
            String(repeating: "len(", count: 1000),
        ]
        for source in hostile {
            #expect(expressionError { _ = try SafeExpression(source) } != nil, "\(source.prefix(20))")
        }
    }

    @Test func longSourcesAreRefused() {
        let source = "1" + String(repeating: " ", count: 4095) + "+1"
        #expect(expressionError { _ = try SafeExpression(source) }?.message == "Expression is longer than 4096 characters")
        #expect((try? SafeExpression("1" + String(repeating: " ", count: 4095))) != nil)
    }

    @Test(arguments: [
        ("", "Empty expression"), ("1 +", "Invalid syntax: unexpected end of expression"),
        ("state.", "Invalid syntax: unexpected end of expression"), ("state.if", "Invalid syntax: unexpected 'if'"),
        ("1 2", "Invalid syntax: unexpected number 2"), ("'abc", "Unterminated string literal"),
        ("a = 1", "Invalid syntax: unexpected '='"), ("$x", "Invalid character '$' in expression"),
        ("01", "Leading zeros in decimal integer literals are not permitted"), ("1abc", "Invalid number literal"),
        ("import os", "Invalid syntax: unexpected 'import'"), ("'\\x4'", "Truncated \\x escape in string literal"),
    ])
    func syntaxErrorsAreReported(source: String, message: String) {
        #expect(expressionError { _ = try SafeExpression(source) }?.message == message)
    }

    /// Random garbage, from random scalars and from shuffled expression fragments, never crashes.
    @Test func randomInputNeverCrashes() {
        var generator = SplitMix64(seed: 0xA3B1_5EED)
        let fragments = [
            "state", ".", "a", "[", "]", "(", ")", "0", "-1", "2.5", "'s'", "\"t\"", "+", "-", "*", "/", "//", "%",
            "==", "<", ">=", "in", "not", "is", "and", "or", ",", "len", "None", "True", "**", "lambda", "if", "else",
            "for", "{", "}", ":", "\\", "#", "'", "\n", " ", "x", "__class__", "1e308", "9223372036854775807", "é",
        ]
        let context: [String: JSONValue] = ["state": ["a": [1, "two", nil, ["b": 2.5]], "s": "text"], "x": 0]
        var parsed = 0
        for round in 0..<20000 {
            var source = ""
            if round % 3 == 0 {
                for _ in 0..<Int.random(in: 0...40, using: &generator) {
                    source.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...127, using: &generator)))
                }
            } else {
                for _ in 0..<Int.random(in: 1...25, using: &generator) {
                    source += fragments.randomElement(using: &generator)! + (Bool.random(using: &generator) ? " " : "")
                }
            }
            guard let expression = try? SafeExpression(source) else { continue }
            parsed += 1
            _ = try? expression.evaluate(context)
            _ = try? expression.isTrue(context)
        }
        #expect(parsed > 100, "the generator should also produce valid expressions")
    }
}

/// A small seeded generator so the garbage test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
