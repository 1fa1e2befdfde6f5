import AWPYAML
import Testing

@Suite struct YAMLErrorTests {
    @Test func descriptionPutsTheMarkFirst() {
        let error = YAMLError(.syntax, "mapping values are not allowed here", at: YAMLMark(line: 3, column: 7))
        #expect(error.description == "3:7: mapping values are not allowed here")
        #expect(YAMLError(.tooLarge, "too big").description == "too big")
    }

    @Test func mappingValueInWrongPlaceHasLibyamlsMessageAndMark() throws {
        let error = try #require(parseError("name: x\nrole: : broken\n"))
        #expect(error.kind == .syntax)
        #expect(error.mark == mark(2, 7))
        #expect(error.message.hasPrefix("mapping values are not allowed"))
    }

    @Test func overIndentedKeyIsASyntaxErrorOnItsLine() throws {
        let error = try #require(parseError("a: 1\nb: 2\n  c: 3\n"))
        #expect(error.kind == .syntax)
        #expect(error.mark == mark(3, 4))
    }

    @Test func unclosedFlowSequenceNamesTheContextAndWhereItStarted() throws {
        let error = try #require(parseError("a: [1, 2"))
        #expect(error.kind == .syntax)
        // libyaml reports the end of the stream as the start of the line after the last one.
        #expect(error.mark == mark(2, 1))
        #expect(error.message == "did not find expected ',' or ']' (while parsing a flow sequence at 1:4)")
        #expect(error.description == "2:1: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)")
    }

    @Test func unterminatedQuoteIsASyntaxError() throws {
        let error = try #require(parseError("key: \"unterminated\n"))
        #expect(error.kind == .syntax)
        #expect(error.message.contains("while scanning a quoted scalar at 1:6"))
    }

    @Test func tabIndentationIsASyntaxErrorAtTheTab() throws {
        let error = try #require(parseError("a:\n\t- b\n"))
        #expect(error.kind == .syntax)
        #expect(error.mark == mark(2, 1))
    }

    @Test func invalidUTF8IsAnEncodingErrorAtTheBadByte() throws {
        let error = try #require(parseError(Array("ok: 1\nä: ".utf8) + [0xFF, 0x0A]))
        #expect(error.kind == .invalidEncoding)
        #expect(error.mark == mark(2, 4))
        #expect(error.message.contains("0xFF"))
    }

    @Test func truncatedUTF8SequenceIsAnEncodingError() throws {
        let error = try #require(parseError(Array("a: ".utf8) + [0xC3]))
        #expect(error.kind == .invalidEncoding)
    }

    @Test func utf16InputIsAnEncodingError() throws {
        let utf16LE: [UInt8] = [0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00, 0x20, 0x00, 0x31, 0x00]
        #expect(parseError(utf16LE)?.kind == .invalidEncoding)
        let utf16BE: [UInt8] = [0xFE, 0xFF, 0x00, 0x61, 0x00, 0x3A, 0x00, 0x20, 0x00, 0x31]
        #expect(parseError(utf16BE)?.kind == .invalidEncoding)
    }

    @Test func nulBytesAreRejectedNotTruncated() throws {
        let error = try #require(parseError("a: b\u{0}c\n"))
        #expect(error.kind == .invalidEncoding)
        #expect(error.mark == mark(1, 5))
    }

    @Test func inputOverTheByteLimitIsTooLarge() throws {
        let error = try #require(parseError("a: 12345678", limits: .init(maxInputBytes: 10)))
        #expect(error.kind == .tooLarge)
        #expect(error.mark == nil)
        #expect(try YAMLParser.parse("a: 1234567", limits: .init(maxInputBytes: 10)) != nil)
    }

    @Test func tenThousandOpenBracketsHitTheDepthLimit() throws {
        let error = try #require(parseError(String(repeating: "[", count: 10_000)))
        #expect(error.kind == .depthLimit)
        #expect(error.mark == mark(1, 257))
    }

    @Test func deepBlockNestingHitsTheDepthLimit() throws {
        var text = ""
        for level in 0..<300 {
            text += String(repeating: " ", count: level) + "k:\n"
        }
        let error = try #require(parseError(text))
        #expect(error.kind == .depthLimit)
        #expect(error.mark == mark(257, 257))
    }

    @Test func nestingExactlyAtTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try YAMLParser.parse(text) != nil)
        #expect(parseError("[" + text + "]")?.kind == .depthLimit)
    }

    @Test func everyPrefixOfAWorkflowParsesOrFailsCleanly() {
        let text = """
            %YAML 1.1
            ---
            name: "demo \\u00e9"
            defaults: &d {shell: bash, env: [A, B]}
            jobs:
              - <<: *d
                run: |
                  echo "hi"
                when: 'yes'
              - [1, 2.5, ~, !!str 3]
            ...
            """
        let bytes = Array(text.utf8)
        var outcomes = 0
        for end in 0...bytes.count {
            do {
                _ = try YAMLParser.parse(Array(bytes[..<end]))
            } catch {
                #expect(error.mark.map { $0.line >= 1 && $0.column >= 1 } ?? true)
            }
            outcomes += 1
        }
        #expect(outcomes == bytes.count + 1)
    }

    @Test(arguments: 0..<8)
    func randomBytesNeverCrashOrHang(seed: Int) {
        // A fixed linear congruential generator: the same garbage on every run.
        var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let alphabet = Array("[]{}:,-?&*!|>'\"#%@` \n\t\u{0}ab1.~<".utf8) + [0xC3, 0xFF, 0x80]
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            do {
                _ = try YAMLParser.parse(bytes)
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }
}
