import AWPYAML
import Testing

@Suite struct YAMLParserTests {
    private let workflow = """
        name: demo
        steps:
          - id: one
            run: echo hi
          - id: two
            with: {a: [x, y]}
        """

    @Test func keysAndValuesCarryOneBasedMarks() throws {
        let root = try parseDocument(workflow)
        #expect(root.mark == mark(1, 1))
        let pairs = try #require(root.mapping)
        #expect(pairs[0].key.mark == mark(1, 1))
        #expect(pairs[0].value.mark == mark(1, 7))
        #expect(pairs[1].key.mark == mark(2, 1))
        #expect(pairs[1].value.mark == mark(3, 3))
    }

    @Test func sequenceItemsAndNestedNodesCarryMarks() throws {
        let steps = try #require(try parseDocument(workflow)["steps"]?.sequence)
        #expect(steps.count == 2)
        #expect(steps[0].mark == mark(3, 5))
        #expect(steps[0]["id"]?.mark == mark(3, 9))
        let run = try #require(steps[0].mapping?[1])
        #expect(run.key.mark == mark(4, 5))
        #expect(run.value.mark == mark(4, 10))
        #expect(steps[1].mark == mark(5, 5))
    }

    @Test func flowCollectionsCarryMarks() throws {
        let with = try #require(try parseDocument(workflow)["steps"]?.sequence?[1]["with"])
        #expect(with.mark == mark(6, 11))
        let list = try #require(with["a"])
        #expect(list.mark == mark(6, 15))
        #expect(list.sequence?.map(\.mark) == [mark(6, 16), mark(6, 19)])
        #expect(list.sequence?.map(\.stringValue) == ["x", "y"])
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let root = try parseDocument("äöü: ß\n")
        #expect(root["äöü"]?.mark == mark(1, 6))
        #expect(root["äöü"]?.stringValue == "ß")
    }

    @Test func scalarStylesComeFromTheEvent() throws {
        let root = try parseDocument("""
            plain: text
            single: 'it''s'
            double: "tab\\there"
            literal: |
              line one
              line two
            folded: >
              folded
              text
            """)
        #expect(root["plain"]?.scalar == YAMLScalar("text", style: .plain))
        #expect(root["single"]?.scalar == YAMLScalar("it's", style: .singleQuoted))
        #expect(root["double"]?.scalar == YAMLScalar("tab\there", style: .doubleQuoted))
        #expect(root["literal"]?.scalar == YAMLScalar("line one\nline two\n", style: .literal))
        // The last line has no line break, so the folded scalar has none either.
        #expect(root["folded"]?.scalar == YAMLScalar("folded text", style: .folded))
    }

    @Test func documentOrderIsKept() throws {
        let root = try parseDocument("z: 1\na: 2\nm: 3\n")
        #expect(keys(root) == ["z", "a", "m"])
    }

    @Test(arguments: ["", "   \n\n", "# only a comment\n# and another\n", "---\n", "---\n...\n"])
    func streamsWithoutContentParseToNil(text: String) throws {
        #expect(try YAMLParser.parse(text) == nil)
    }

    @Test func explicitNullDocumentIsContent() throws {
        let root = try parseDocument("--- ~\n")
        #expect(root.isNull)
    }

    @Test func explicitDocumentMarkersAroundOneDocumentAreAccepted() throws {
        let root = try parseDocument("---\na: 1\n...\n")
        #expect(root["a"]?.intValue == 1)
    }

    @Test func secondDocumentIsRejectedAtItsStart() throws {
        let error = try #require(parseError("a: 1\n---\nb: 2\n"))
        #expect(error.kind == .multipleDocuments)
        #expect(error.mark == mark(2, 1))
    }

    @Test func secondDocumentAfterEndMarkerIsRejected() throws {
        let error = try #require(parseError("a: 1\n...\n---\nb: 2\n"))
        #expect(error.kind == .multipleDocuments)
        #expect(error.mark == mark(3, 1))
    }

    @Test func secondaryTagHandleIsStoredInFullForm() throws {
        let root = try parseDocument("a: !!str 12\nb: !!int '7'\n")
        #expect(root["a"]?.tag == "tag:yaml.org,2002:str")
        #expect(root["b"]?.tag == YAMLTag.int)
    }

    @Test func localVerbatimAndDirectiveTagsAreKept() throws {
        let root = try parseDocument("""
            %TAG !e! tag:example.com,2000:
            ---
            local: !thing x
            verbatim: !<tag:example.com,2000:v> y
            handle: !e!widget z
            """)
        #expect(root["local"]?.tag == "!thing")
        #expect(root["verbatim"]?.tag == "tag:example.com,2000:v")
        #expect(root["handle"]?.tag == "tag:example.com,2000:widget")
    }

    @Test func nonSpecificTagMakesAScalarAString() throws {
        let root = try parseDocument("a: ! 12\nb: ! [1]\n")
        #expect(root["a"]?.tag == YAMLTag.string)
        #expect(root["a"]?.implicitType == .string)
        #expect(root["b"]?.tag == nil)
    }

    @Test func untaggedNodesHaveNoTag() throws {
        let root = try parseDocument("a: 1\n")
        #expect(root.tag == nil)
        #expect(root["a"]?.tag == nil)
    }

    @Test func stringAndBytesOverloadsAgree() throws {
        let text = "list: [1, 'two', {three: 3}]\n"
        #expect(try YAMLParser.parse(text) == YAMLParser.parse(Array(text.utf8)))
    }

    @Test func utf8ByteOrderMarkIsAcceptedAndDoesNotShiftColumns() throws {
        let root = try #require(try YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: b\n".utf8)))
        #expect(root["a"]?.mark == mark(1, 4))
    }

    @Test func windowsLineEndingsCountAsOneLineBreak() throws {
        let root = try parseDocument("a: 1\r\nb: 2\r\n")
        #expect(root.mapping?[1].key.mark == mark(2, 1))
    }
}
