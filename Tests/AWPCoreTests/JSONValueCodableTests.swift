import AWPCore
import Foundation
import Testing

@Suite struct JSONValueCodableTests {
    private struct Envelope: Codable, Equatable {
        var id: Int
        var params: JSONValue
    }

    @Test func decodesEveryKindOfValue() throws {
        let text = #"{"n": null, "t": true, "i": 7, "d": 0.25, "s": "x", "a": [1, "two", [false]], "o": {"k": {}}}"#
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(decoded.serialized(sortKeys: true) == (try JSONParser.parse(text).serialized(sortKeys: true)))
    }

    @Test func decodesNumberKinds() throws {
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data("[1, 2.5, true]".utf8))
        #expect(decoded.arrayValue?.map(\.typeName) == ["integer", "number", "boolean"])
    }

    @Test func encodesEveryKindOfValue() throws {
        let value: JSONValue = ["b": [1, 2.5, "s", nil, true], "a": ["nested": [:]], "c": []]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        #expect(try JSONParser.parse(Array(data)).serialized() == value.serialized(sortKeys: true))
    }

    @Test func roundTripsInsideAnotherCodableType() throws {
        let envelope = Envelope(id: 3, params: ["path": "/tmp/x", "flags": ["a", "b"], "limit": 10])
        let data = try JSONEncoder().encode(envelope)
        let decoded = try JSONDecoder().decode(Envelope.self, from: data)
        #expect(decoded.id == 3)
        #expect(decoded.params.serialized(sortKeys: true) == envelope.params.serialized(sortKeys: true))
    }
}
