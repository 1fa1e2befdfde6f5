import AWPCore
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(
            #" { "n": null, "t": true, "f": false, "i": -12, "d": 0.5, "s": "x", "a": [1, []], "o": {} } "#
        )
        let expected: JSONValue = [
            "n": nil, "t": true, "f": false, "i": -12, "d": 0.5, "s": "x", "a": [1, []], "o": [:],
        ]
        #expect(value == expected)
    }

    @Test func preservesKeyOrder() throws {
        let value = try JSONParser.parse(#"{"zeta": 1, "alpha": 2, "mid": {"y": 1, "x": 2}}"#)
        let object = try #require(value.objectValue)
        #expect(object.map(\.key) == ["zeta", "alpha", "mid"])
        #expect(value["mid"]?.objectValue?.map(\.key) == ["y", "x"])
    }

    @Test func keepsDuplicateKeysInOrder() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        let object = try #require(value.objectValue)
        #expect(object.map(\.key) == ["a", "b", "a"])
        #expect(object.map(\.value) == [1, 2, 3])
        #expect(value["a"] == 1)
    }

    @Test func decodesEscapes() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/b\bf\fn\nr\rt\tA\u0041e\u00e9""#)
        #expect(value == .string("q\"b\\s/b\u{8}f\u{C}n\nr\rt\tAAe\u{E9}"))
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""x\uD834\uDD1Ey""#) == .string("x\u{1D11E}y"))
    }

    @Test func keepsNonASCIIText() throws {
        #expect(try JSONParser.parse(#"["héllo wörld ✓ 😀"]"#) == ["héllo wörld ✓ 😀"])
    }

    @Test func allowsAnEscapedNullCharacter() throws {
        #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test(arguments: [
        ("0", "integer"),
        ("-0", "integer"),
        ("1", "integer"),
        ("-42", "integer"),
        ("123456789012345678", "integer"),
        ("1234567890123456789", "integer"),
        ("9223372036854775807", "integer"),
        ("-9223372036854775808", "integer"),
        ("9223372036854775808", "number"),
        ("-9223372036854775809", "number"),
        ("100000000000000000000000", "number"),
        ("1.0", "number"),
        ("1e2", "number"),
        ("1E+2", "number"),
        ("1e-2", "number"),
        ("-0.5", "number"),
    ])
    func classifiesNumbers(text: String, typeName: String) throws {
        #expect(try JSONParser.parse(text).typeName == typeName)
    }

    @Test func readsIntegerAndNumberValues() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .integer(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(Int.min))
        #expect(try JSONParser.parse("9223372036854775808").doubleValue == 9_223_372_036_854_775_808.0)
        #expect(try JSONParser.parse("0.85").doubleValue == 0.85)
        #expect(try JSONParser.parse("-2.5E-3").doubleValue == -0.0025)
        #expect(try JSONParser.parse("1e-999").doubleValue == 0)
    }

    @Test(arguments: [
        ("", 1, 1, "unexpected end of input"),
        ("   \n  ", 2, 3, "unexpected end of input"),
        ("[1,]", 1, 3, "trailing comma before ']'"),
        (#"{"a": 1,}"#, 1, 8, "trailing comma before '}'"),
        ("[1,\n  ]", 1, 3, "trailing comma"),
        ("01", 1, 1, "leading zeros"),
        ("-01", 1, 2, "leading zeros"),
        ("[00]", 1, 2, "leading zeros"),
        (#""\ud800""#, 1, 2, "unpaired high surrogate"),
        (#""\ud800\u0041""#, 1, 2, "unpaired high surrogate"),
        (#""\udc00""#, 1, 2, "unpaired low surrogate"),
        (#""abc"#, 1, 1, "unterminated string"),
        (#""abc\"#, 1, 1, "unterminated string"),
        (#"{"a" 1}"#, 1, 6, "expected ':' after an object key"),
        (#"{1: 2}"#, 1, 2, "expected a string as an object key"),
        (#"{"a": 1 "b": 2}"#, 1, 9, "expected ',' or '}' after an object member"),
        ("[1 2]", 1, 4, "expected ',' or ']' after an array element"),
        ("tru", 1, 1, "expected 'true'"),
        ("nul", 1, 1, "expected 'null'"),
        ("fals", 1, 1, "expected 'false'"),
        ("True", 1, 1, "unexpected 'T'"),
        ("1 2", 1, 3, "after the JSON value"),
        ("{} {}", 1, 4, "after the JSON value"),
        ("\"a\nb\"", 1, 3, "control character U+000A"),
        ("\"a\tb\"", 1, 3, "control character U+0009"),
        ("[", 1, 2, "unexpected end of input"),
        ("[1, 2", 1, 6, "expected ',' or ']'"),
        (#"{"a""#, 1, 5, "expected ':'"),
        (#"{"a":"#, 1, 6, "unexpected end of input"),
        ("-", 1, 2, "expected a digit after '-'"),
        ("-a", 1, 2, "expected a digit after '-'"),
        ("1.", 1, 3, "after the decimal point"),
        ("1.e3", 1, 3, "after the decimal point"),
        ("1e", 1, 3, "in the exponent"),
        ("1e+", 1, 4, "in the exponent"),
        (".5", 1, 1, "unexpected '.'"),
        ("+1", 1, 1, "unexpected '+'"),
        ("1e999", 1, 1, "number out of range"),
        ("[-1e999]", 1, 2, "number out of range"),
        (#""\x""#, 1, 2, "invalid escape sequence '\\x'"),
        (#""\u12""#, 1, 2, "four hex digits"),
        (#""\u12g4""#, 1, 2, "four hex digits"),
        ("// comment\n1", 1, 1, "unexpected '/'"),
        ("/* comment */ 1", 1, 1, "unexpected '/'"),
        ("NaN", 1, 1, "unexpected 'N'"),
        ("'a'", 1, 1, "unexpected '''"),
        ("\u{FEFF}1", 1, 1, "byte 0xEF"),
        ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "expected ',' or '}' after an object member"),
        ("[\n1,\n2,\n]", 3, 2, "trailing comma"),
    ])
    func rejectsInvalidInput(text: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "none")")
    }

    @Test func describesErrorsWithLineAndColumn() {
        let text = "{\"a\": 1" + String(repeating: "\n", count: 20) + "\"b\": 2}"
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.description == "line 21, column 1: expected ',' or '}' after an object member")
    }

    @Test func countsColumnsInBytes() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"["é" 1]"#) }
        #expect(error == JSONParseError(message: "expected ',' or ']' after an array element", line: 1, column: 7))
    }

    @Test(arguments: [
        [0x5B, 0x22, 0x61, 0xFF, 0x22, 0x5D],
        [0x22, 0x61, 0xC0, 0x80, 0x22],
        [0x22, 0x61, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0x61, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0x61, 0xE2, 0x82, 0x22],
        [0x22, 0x61, 0x80, 0x22],
        [0x22, 0x5C, 0x6E, 0xC3, 0x22],
        [0x22, 0x5C, 0x6E, 0xC3, 0x5C, 0x6E, 0xA9, 0x22],
    ] as [[UInt8]])
    func rejectsInvalidUTF8InStrings(bytes: [UInt8]) throws {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.message == "invalid UTF-8 in a string")
        let badByte = try #require(bytes.firstIndex { $0 >= 0x80 })
        #expect(error?.column == badByte + 1)
    }

    @Test func acceptsValidMultiByteUTF8() throws {
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        #expect(try JSONParser.parse(bytes) == .string("é€😀\u{10FFFF}"))
        #expect(try JSONParser.parse(#""é\n€""#) == .string("é\n€"))
    }

    @Test func rejectsDeepNestingWithoutCrashing() {
        let deepArrays = String(repeating: "[", count: 100_000)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(deepArrays) }
        #expect(error?.message == "nesting is deeper than 512 levels")
        #expect(error?.column == 513)

        let deepObjects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deepObjects) }
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let atLimit = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONParser.parse(atLimit)
        let overLimit = "[" + atLimit + "]"
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overLimit) }
    }

    @Test func honoursACustomDepthLimit() throws {
        let parser = JSONParser(maximumDepth: 2)
        #expect(try parser.parse("[[1]]") == [[1]])
        #expect(try parser.parse(#"{"a": [1]}"#) == ["a": [1]])
        let error = #expect(throws: JSONParseError.self) { try parser.parse("[[[1]]]") }
        #expect(error?.message == "nesting is deeper than 2 levels")
        // Empty containers count as a level too.
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"a": [{}]}"#) }
    }

    @Test func parsesBytesFromAnyCollection() throws {
        let text = #"{"a": [1, "b"]}"#
        let expected: JSONValue = ["a": [1, "b"]]
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
        #expect(try JSONParser.parse(Array(("xx" + text).utf8).dropFirst(2)) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(AnyCollection(Array(text.utf8))) == expected)
    }

    @Test func parsesLongStringsWithAndWithoutEscapes() throws {
        let plain = String(repeating: "abcdefgh", count: 10_000)
        #expect(try JSONParser.parse("\"\(plain)\"") == .string(plain))
        let escaped = String(repeating: #"ab\"\\\n\u00e9"#, count: 10_000)
        let expected = String(repeating: "ab\"\\\né", count: 10_000)
        #expect(try JSONParser.parse("\"\(escaped)\"") == .string(expected))
    }

    @Test func neverCrashesOnTruncatedInput() {
        let document = #"{"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {"c": []}}"#
        let bytes = Array(document.utf8)
        for length in 0..<bytes.count {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes[..<length]) }
        }
    }

    @Test func neverCrashesOnRandomBytes() {
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array(#"{}[],:"\u0123456789abcdefE.+- tnrlsx"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            _ = try? JSONParser.parse(bytes)
            let random = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? JSONParser.parse(random)
        }
    }
}

/// A small, seedable generator so the random-input test is the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
