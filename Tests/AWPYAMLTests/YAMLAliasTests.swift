import AWPYAML
import Testing

@Suite struct YAMLAliasTests {
    @Test func aliasExpandsToACopyOfTheAnchoredNode() throws {
        let root = try parseDocument("""
            base: &base
              image: alpine
              args: [a, b]
            copy: *base
            """)
        let base = try #require(root["base"])
        #expect(root["copy"] == base)
        #expect(root["copy"]?["args"]?.sequence?.count == 2)
    }

    @Test func aliasCopyKeepsTheAnchoredNodesMarks() throws {
        let root = try parseDocument("a: &x hello\nb: *x\n")
        #expect(root["b"]?.mark == root["a"]?.mark)
        #expect(root["b"]?.stringValue == "hello")
    }

    @Test func scalarAnchorsWorkAsKeysAndValues() throws {
        let root = try parseDocument("- &k name\n- {*k : 1}\n")
        #expect(root.sequence?[1]["name"]?.intValue == 1)
    }

    @Test func laterAnchorOverridesEarlierOne() throws {
        let root = try parseDocument("a: &x first\nb: &x second\nc: *x\n")
        #expect(root["c"]?.stringValue == "second")
    }

    @Test func aliasBeforeRedefinitionSeesTheEarlierAnchor() throws {
        let root = try parseDocument("a: &x first\nb: *x\nc: &x second\n")
        #expect(root["b"]?.stringValue == "first")
    }

    @Test func undefinedAliasIsReportedWithItsMark() throws {
        let error = try #require(parseError("a: 1\nb: *missing\n"))
        #expect(error.kind == .undefinedAlias)
        #expect(error.mark == mark(2, 4))
        #expect(error.message.contains("*missing"))
    }

    @Test func aliasUsedBeforeItsAnchorIsUndefined() throws {
        let error = try #require(parseError("a: *later\nb: &later 1\n"))
        #expect(error.kind == .undefinedAlias)
        #expect(error.mark == mark(1, 4))
    }

    @Test func aliasInsideItsOwnAnchoredCollectionIsRejected() throws {
        let error = try #require(parseError("a: &loop [1, *loop]\n"))
        #expect(error.kind == .undefinedAlias)
        #expect(error.message.contains("recursive"))
    }

    /// Nine levels of nine aliases each: about 10^9 nodes once expanded.
    private static let billionLaughs: String = {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let aliases = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
            lines.append("\(name): &\(name) [\(aliases)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test(.timeLimit(.minutes(1)))
    func billionLaughsFailsWithAliasLimit() throws {
        let failure = try #require(parseError(Self.billionLaughs))
        #expect(failure.kind == .aliasLimit)
        #expect(failure.message.contains("billion-laughs"))
        #expect(failure.message.contains("200000"))
    }

    @Test func aliasExpansionCountsEveryCopiedNode() throws {
        // Root mapping, key `a`, the sequence and its 3 items, key `b`, then the alias copies 4 more: 11 nodes.
        let text = "a: &a [1, 2, 3]\nb: *a\n"
        #expect(try YAMLParser.parse(text, limits: .init(maxNodes: 11)) != nil)
        let error = try #require(parseError(text, limits: .init(maxNodes: 10)))
        #expect(error.kind == .aliasLimit)
        #expect(error.mark == mark(2, 4))
    }

    @Test func tooManyPlainNodesIsTooLargeNotAnAliasProblem() throws {
        let error = try #require(parseError("[1, 2, 3, 4, 5]", limits: .init(maxNodes: 5)))
        #expect(error.kind == .tooLarge)
    }

    @Test func aliasThatWouldNestTooDeepHitsTheDepthLimit() throws {
        // `*a` holds two levels; placed under three open collections it would reach depth 5.
        let text = "a: &a [[1]]\nb: [[*a]]\n"
        #expect(try YAMLParser.parse(text, limits: .init(maxDepth: 5)) != nil)
        let error = try #require(parseError(text, limits: .init(maxDepth: 4)))
        #expect(error.kind == .depthLimit)
        #expect(error.mark == mark(2, 6))
    }
}
