import AWPYAML
import Testing

@Suite struct YAMLResolveTests {
    private func plain(_ text: String, tag: String? = nil) -> YAMLNode {
        YAMLNode(.scalar(YAMLScalar(text, style: .plain)), mark: mark(1, 1), tag: tag)
    }

    @Test(arguments: [
        ("", YAMLNode.ImplicitType.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
        ("nULL", .string), ("none", .string),
        ("yes", .bool), ("Yes", .bool), ("YES", .bool), ("no", .bool), ("No", .bool), ("NO", .bool),
        ("true", .bool), ("True", .bool), ("TRUE", .bool), ("false", .bool), ("False", .bool), ("FALSE", .bool),
        ("on", .bool), ("On", .bool), ("ON", .bool), ("off", .bool), ("Off", .bool), ("OFF", .bool),
        ("y", .string), ("n", .string), ("Y", .string), ("yEs", .string), ("tRUE", .string),
        ("0", .int), ("-0", .int), ("+12", .int), ("1_000", .int), ("010", .int), ("0x1F", .int), ("0x_a", .int),
        ("0b101", .int), ("-0b1", .int), ("190:20:30", .int), ("1:5", .int),
        ("08", .string), ("0o10", .string), ("0x", .string), ("0b", .string), ("0X1F", .string), ("1:60", .string),
        ("0:30", .string), ("12abc", .string), ("1 2", .string), ("-", .string), ("+", .string),
        ("1.0", .float), ("-1.5", .float), ("1.", .float), ("1.0e+3", .float), ("1.e-2", .float), (".5", .float),
        ("1_000.5", .float), ("190:20:30.15", .float), ("0:30.5", .float),
        (".inf", .float), ("-.inf", .float), ("+.INF", .float), (".Inf", .float), (".nan", .float), (".NaN", .float),
        ("1e3", .string), ("1.0e3", .string), ("1.0e10", .string), ("1E+3", .string), ("-.nan", .string), ("-.5", .string),
        (".", .string), ("1.2.3", .string), (".infinity", .string), ("inf", .string), ("nan", .string),
        ("hello", .string), ("<<", .string), ("2024-01-02", .string),
    ])
    func plainScalarsResolveLikePyYAML(text: String, expected: YAMLNode.ImplicitType) {
        #expect(plain(text).implicitType == expected)
    }

    @Test(arguments: [
        ("yes", true), ("Yes", true), ("ON", true), ("True", true), ("no", false), ("Off", false), ("FALSE", false),
    ])
    func booleanValues(text: String, expected: Bool) {
        #expect(plain(text).boolValue == expected)
    }

    @Test(arguments: ["y", "n", "1", "enabled", "'yes'"])
    func nonBooleansHaveNoBoolValue(text: String) {
        #expect(plain(text).boolValue == nil)
    }

    @Test(arguments: [
        ("0", 0), ("-0", 0), ("+12", 12), ("1_000", 1000), ("010", 8), ("-017", -15), ("0x1F", 31), ("0x_A", 10),
        ("0b101", 5), ("-0b11", -3), ("190:20:30", 685_230), ("-1:30", -90), ("1__0", 10),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func integerValues(text: String, expected: Int) {
        #expect(plain(text).intValue == expected)
    }

    @Test(arguments: ["9223372036854775808", "0x1_0000_0000_0000_0000", "1.0", "1e3", "yes", "08", "0b_"])
    func nonIntegersOrOverflowHaveNoIntValue(text: String) {
        #expect(plain(text).intValue == nil)
    }

    @Test(arguments: [
        ("1.0", 1.0), ("-1.5", -1.5), ("1.", 1.0), ("1.0e+3", 1000.0), ("1.e-2", 0.01), (".5", 0.5),
        ("1_000.5", 1000.5), ("190:20:30.15", 685_230.15), ("12", 12.0), ("0x10", 16.0), ("010", 8.0),
        ("99999999999999999999", 1e20), (".inf", Double.infinity), ("-.inf", -Double.infinity),
    ])
    func floatValuesIncludeIntegers(text: String, expected: Double) {
        #expect(plain(text).doubleValue == expected)
    }

    @Test func notANumberIsAFloat() throws {
        let value = try #require(plain(".NaN").doubleValue)
        #expect(value.isNaN)
    }

    @Test(arguments: ["1e3", "1.0e3", "abc", "yes", "~", "._"])
    func nonFloatsHaveNoDoubleValue(text: String) {
        #expect(plain(text).doubleValue == nil)
    }

    @Test(arguments: ["~", "null", "Null", "NULL", ""])
    func nullSpellingsAreNull(text: String) {
        #expect(plain(text).isNull)
    }

    @Test func quotedAndBlockScalarsAreAlwaysStrings() throws {
        let root = try parseDocument("""
            a: 'yes'
            b: "12"
            c: '~'
            d: |
              1.5
            e: ''
            """)
        for key in ["a", "b", "c", "d", "e"] {
            let node = try #require(root[key])
            #expect(node.implicitType == .string, "\(key)")
            #expect(!node.isNull, "\(key)")
        }
        #expect(root["a"]?.boolValue == nil)
        #expect(root["b"]?.intValue == nil)
        #expect(root["b"]?.doubleValue == nil)
        #expect(root["b"]?.stringValue == "12")
    }

    @Test func parsedPlainScalarsResolve() throws {
        let root = try parseDocument("on: yes\nretries: 0x1F\nratio: 1.0\nversion: 1e3\nempty:\nmode: 010\n")
        #expect(root.mapping?.first?.key.boolValue == true)
        #expect(root["on"]?.boolValue == true)
        #expect(root["retries"]?.intValue == 31)
        #expect(root["ratio"]?.doubleValue == 1.0)
        #expect(root["version"]?.implicitType == .string)
        #expect(root["version"]?.stringValue == "1e3")
        #expect(root["empty"]?.isNull == true)
        #expect(root["mode"]?.intValue == 8)
    }

    @Test func explicitTagsForceTheType() throws {
        let root = try parseDocument("""
            s: !!str yes
            i: !!int "42"
            b: !!bool 'YeS'
            f: !!float 1e3
            g: !!float "7"
            n: !!null whatever
            bad: !!int twelve
            """)
        #expect(root["s"]?.implicitType == .string)
        #expect(root["s"]?.boolValue == nil)
        #expect(root["i"]?.intValue == 42)
        #expect(root["b"]?.boolValue == true)
        #expect(root["f"]?.doubleValue == 1000)
        #expect(root["g"]?.doubleValue == 7)
        #expect(root["n"]?.isNull == true)
        #expect(root["bad"]?.implicitType == .int)
        #expect(root["bad"]?.intValue == nil)
    }

    @Test func collectionsHaveNoScalarMeaning() throws {
        let root = try parseDocument("list: [1]\nmap: {a: 1}\n")
        for node in [root, try #require(root["list"]), try #require(root["map"])] {
            #expect(node.implicitType == nil)
            #expect(node.stringValue == nil)
            #expect(!node.isNull)
            #expect(node.intValue == nil)
        }
    }
}
