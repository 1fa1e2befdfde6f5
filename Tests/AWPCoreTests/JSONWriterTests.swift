import AWPCore
import Testing

@Suite struct JSONWriterTests {
    @Test func writesCompactTextByDefault() {
        let value: JSONValue = ["a": 1, "b": [true, nil]]
        #expect(value.serialized() == #"{"a":1,"b":[true,null]}"#)
    }

    @Test func writesPrettyTextWithTwoSpaceIndentation() {
        let value: JSONValue = ["name": "x", "list": [1, ["deep": false]], "empty": [:], "none": []]
        let expected = """
            {
              "name": "x",
              "list": [
                1,
                {
                  "deep": false
                }
              ],
              "empty": {},
              "none": []
            }
            """
        #expect(value.serialized(pretty: true) == expected)
    }

    @Test func writesEmptyContainers() {
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.object([]).serialized(pretty: true) == "{}")
        #expect(JSONValue.array([[], [:]]).serialized() == "[[],{}]")
    }

    @Test func keepsKeyOrderUnlessSorting() {
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "é": 4]
        #expect(value.serialized() == #"{"b":1,"a":2,"B":3,"é":4}"#)
        #expect(value.serialized(sortKeys: true) == #"{"B":3,"a":2,"b":1,"é":4}"#)
    }

    @Test func sortsNestedKeysAndKeepsRepeatedKeysInOrder() {
        let value = JSONValue.object([
            (key: "z", value: ["y": 1, "x": 2]),
            (key: "a", value: 1),
            (key: "a", value: 2),
        ])
        #expect(value.serialized(sortKeys: true) == #"{"a":1,"a":2,"z":{"x":2,"y":1}}"#)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote\"backslash\\", #""quote\"backslash\\""#),
        ("\n\t\r\u{8}\u{C}", #""\n\t\r\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("a/b", #""a/b""#),
        ("héllo 😀 \u{7F}", "\"héllo 😀 \u{7F}\""),
    ])
    func escapesOnlyWhatJSONRequires(string: String, expected: String) {
        #expect(JSONValue.string(string).serialized() == expected)
    }

    @Test(arguments: [
        (JSONValue.integer(0), "0"),
        (.integer(-42), "-42"),
        (.integer(Int.min), "-9223372036854775808"),
        (.number(0.85), "0.85"),
        (.number(1), "1.0"),
        (.number(-2.5), "-2.5"),
        (.number(1e300), "1e+300"),
        (.number(.nan), "null"),
        (.number(.infinity), "null"),
        (.number(-.infinity), "null"),
    ])
    func writesNumbers(value: JSONValue, expected: String) {
        #expect(value.serialized() == expected)
    }

    @Test func writesNonFiniteNumbersInsideContainersAsNull() {
        let value: JSONValue = ["x": .number(.nan), "y": [.number(.infinity)]]
        #expect(value.serialized() == #"{"x":null,"y":[null]}"#)
    }

    @Test func producesUTF8Bytes() {
        let value: JSONValue = ["é": "✓"]
        #expect(value.serializedUTF8() == Array(#"{"é":"✓"}"#.utf8))
    }

    @Test(arguments: [
        #"{"a":1,"b":[true,null]}"#,
        #"[]"#,
        #"{"nested":{"deeper":[[],{},[{"x":-0.5}]]},"text":"line\nbreak \"quoted\" \\ \u0001 é 😀"}"#,
        #"[0,-1,9223372036854775807,-9223372036854775808,9223372036854775808,1e-7,123.456,5e-324]"#,
        #"{"dup":1,"dup":2}"#,
        #""\ud83d\ude00 and \u2028""#,
    ])
    func roundTrips(text: String) throws {
        let value = try JSONParser.parse(text)
        for pretty in [false, true] {
            for sortKeys in [false, true] {
                let written = value.serialized(pretty: pretty, sortKeys: sortKeys)
                let reread = try JSONParser.parse(written)
                #expect(reread == (sortKeys ? try JSONParser.parse(value.serialized(sortKeys: true)) : value))
                #expect(reread.serialized(pretty: pretty, sortKeys: sortKeys) == written)
            }
        }
    }

    @Test func roundTripsCompactCanonicalTextExactly() throws {
        let text = #"{"z":[1,2.5,"s",null,true,false,{}],"a":{"k":"v"}}"#
        #expect(try JSONParser.parse(text).serialized() == text)
    }

    @Test func roundTripsNumberKinds() throws {
        let value: JSONValue = [.integer(1), .number(1), .number(0.1), .number(-1e-300), .integer(Int.max)]
        let reread = try JSONParser.parse(value.serialized())
        #expect(reread.arrayValue?.map(\.typeName) == ["integer", "number", "number", "number", "integer"])
        #expect(reread == value)
    }
}
