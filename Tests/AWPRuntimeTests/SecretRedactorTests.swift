import AWPCore
import AWPRuntime
import Foundation
import Testing

@Suite struct SecretRedactorTests {
    private let redactor = SecretRedactor(secrets: ["API_KEY": "sk-live-123456", "PASS": "p@ss word/1", "PIN": "123"])

    @Test func redactsPlainValues() {
        #expect(redactor.redact("key=sk-live-123456;") == "key=[redacted:API_KEY];")
        #expect(redactor.contains(secretIn: "xx sk-live-123456"))
        #expect(!redactor.contains(secretIn: "nothing here"))
    }

    @Test func shortValuesAreIgnored() {
        #expect(redactor.redact("pin 123 and 1234") == "pin 123 and 1234")
        #expect(SecretRedactor(secrets: ["A": "abc"]).isEmpty)
        #expect(!redactor.isEmpty)
    }

    @Test func redactsBase64AndPercentEncodedForms() {
        let base64 = Data("sk-live-123456".utf8).base64EncodedString()
        #expect(redactor.redact("b=\(base64)") == "b=[redacted:API_KEY]")
        // Embedded at an arbitrary offset of a longer payload: HTTP basic auth.
        let basic = Data("admin:p@ss word/1".utf8).base64EncodedString()
        #expect(redactor.contains(secretIn: "Authorization: Basic \(basic)"))
        #expect(!redactor.redact("Basic \(basic)").contains(String(basic.dropFirst(8).prefix(8))))
        #expect(redactor.redact("q=p%40ss%20word%2F1&x") == "q=[redacted:PASS]&x")
        #expect(redactor.redact("q=p%40ss+word%2F1") == "q=[redacted:PASS]")
        #expect(redactor.redact("q=p%40ss%20word%2f1") == "q=[redacted:PASS]")
    }

    @Test func redactsEveryStringAndKeyInNestedJSON() {
        let base64 = Data("sk-live-123456".utf8).base64EncodedString()
        let value: JSONValue = [
            "sk-live-123456": ["nested": ["ok", "token sk-live-123456", .integer(123)]],
            "url": "https://h/?p=p%40ss%20word%2F1",
            "blob": .string(base64),
        ]
        let expected: JSONValue = [
            "[redacted:API_KEY]": ["nested": ["ok", "token [redacted:API_KEY]", .integer(123)]],
            "url": "https://h/?p=[redacted:PASS]",
            "blob": "[redacted:API_KEY]",
        ]
        #expect(redactor.redact(value) == expected)
    }

    @Test func longestValueWinsAndMarkersAreNotRescanned() {
        let redactor = SecretRedactor(secrets: ["SHORT": "abcd", "LONG": "abcdefgh", "WORD": "redacted"])
        #expect(redactor.redact("abcdefgh abcd") == "[redacted:LONG] [redacted:SHORT]")
        #expect(redactor.redact("redacted") == "[redacted:WORD]")
    }

    @Test func storeRedactorCoversItsSecretsAndKeepsUnicodeIntact() {
        let store = SecretStore(values: ["K": "ключ-секрет"])
        #expect(store.redactor.redact("é ключ-секрет ü") == "é [redacted:K] ü")
    }
}
