import AWPYAML
import Testing

@Suite struct YAMLMergeKeyTests {
    @Test func singleMergeBringsInPairsWithTheirOriginalMarks() throws {
        let root = try parseDocument("""
            base: &base {image: alpine, shell: sh}
            job:
              <<: *base
              name: build
            """)
        let job = try #require(root["job"])
        #expect(Set(keys(job)) == ["image", "shell", "name"])
        #expect(job["image"]?.stringValue == "alpine")
        #expect(job["image"]?.mark == mark(1, 21))
        #expect(job["<<"] == nil)
    }

    @Test func explicitKeyAfterMergeOverridesMergedValue() throws {
        let job = try #require(try parseDocument("base: &b {shell: sh, x: 1}\njob:\n  <<: *b\n  shell: bash\n")["job"])
        #expect(job["shell"]?.stringValue == "bash")
        #expect(job["shell"]?.mark == mark(4, 10))
        #expect(job.mapping?.count == 2)
    }

    @Test func explicitKeyBeforeMergeStillWins() throws {
        let job = try #require(try parseDocument("base: &b {shell: sh}\njob:\n  shell: bash\n  <<: *b\n")["job"])
        #expect(job["shell"]?.stringValue == "bash")
        #expect(job.mapping?.count == 1)
    }

    @Test func earlierMappingInAMergeListWins() throws {
        let root = try parseDocument("""
            a: &a {k: from-a, only-a: 1}
            b: &b {k: from-b, only-b: 2}
            c:
              <<: [*a, *b]
            """)
        let merged = try #require(root["c"])
        #expect(merged["k"]?.stringValue == "from-a")
        #expect(merged["only-a"]?.intValue == 1)
        #expect(merged["only-b"]?.intValue == 2)
        #expect(merged.mapping?.count == 3)
    }

    @Test func mergedKeysComeFirstLikeAPythonDict() throws {
        let root = try parseDocument("""
            base: &b {x: 1, y: 2}
            m:
              z: 0
              <<: *b
              x: 9
            """)
        #expect(keys(root["m"]) == ["x", "y", "z"])
        #expect(root["m"]?["x"]?.intValue == 9)
    }

    @Test func inlineMappingCanBeMerged() throws {
        let root = try parseDocument("m: {<<: {a: 1}, b: 2}\n")
        #expect(root["m"]?["a"]?.intValue == 1)
        #expect(root["m"]?["b"]?.intValue == 2)
    }

    @Test func mergesApplyInsideMergedMappings() throws {
        let root = try parseDocument("a: &a {<<: {x: 1}, y: 2}\nb: {<<: *a, z: 3}\n")
        #expect(Set(keys(root["b"])) == ["x", "y", "z"])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let root = try parseDocument("m: {'<<': {a: 1}}\n")
        #expect(keys(root["m"]) == ["<<"])
    }

    @Test func explicitMergeTagMerges() throws {
        let root = try parseDocument("m: {!!merge inherit: {a: 1}, b: 2}\n")
        #expect(Set(keys(root["m"])) == ["a", "b"])
    }

    @Test func scalarMergeValueIsInvalid() throws {
        let error = try #require(parseError("m:\n  <<: just text\n"))
        #expect(error.kind == .invalidMerge)
        #expect(error.mark == mark(2, 7))
    }

    @Test func mergeListWithANonMappingItemIsInvalidAtThatItem() throws {
        let error = try #require(parseError("a: &a {x: 1}\nm:\n  <<: [*a, [1, 2]]\n"))
        #expect(error.kind == .invalidMerge)
        #expect(error.mark == mark(3, 12))
    }

    @Test func duplicateKeyNamesTheKeyAndItsFirstLine() throws {
        let error = try #require(parseError("name: a\nother: 1\nname: b\n"))
        #expect(error.kind == .duplicateKey)
        #expect(error.mark == mark(3, 1))
        #expect(error.message == "duplicate key 'name' (first defined at line 1)")
    }

    @Test func duplicateScalarKeysAreComparedByTextAlone() throws {
        let error = try #require(parseError("steps:\n  a: 1\n  \"a\": 2\n"))
        #expect(error.kind == .duplicateKey)
        #expect(error.mark == mark(3, 3))
    }

    @Test func duplicateCollectionKeysAreComparedStructurally() throws {
        let sequences = try #require(parseError("? [1, 2]\n: x\n? [1, 2]\n: y\n"))
        #expect(sequences.kind == .duplicateKey)
        #expect(sequences.mark == mark(3, 3))
        let mappings = try #require(parseError("? {a: 1, b: 2}\n: x\n? {b: 2, a: 1}\n: y\n"))
        #expect(mappings.kind == .duplicateKey)
        #expect(try YAMLParser.parse("? [1, 2]\n: x\n? [2, 1]\n: y\n")?.mapping?.count == 2)
    }

    @Test func sameKeyInDifferentMappingsIsNotADuplicate() throws {
        let root = try parseDocument("a: {name: 1}\nb: {name: 2}\n")
        #expect(root["b"]?["name"]?.intValue == 2)
    }

    @Test func keyOverridingAMergedKeyIsNotADuplicate() throws {
        let root = try parseDocument("base: &b {name: x}\nm:\n  <<: *b\n  name: y\n")
        #expect(root["m"]?["name"]?.stringValue == "y")
    }

    @Test func duplicateAmongExplicitKeysIsFoundEvenWithAMerge() throws {
        let error = try #require(parseError("base: &b {name: x}\nm:\n  name: y\n  <<: *b\n  name: z\n"))
        #expect(error.kind == .duplicateKey)
        #expect(error.message.contains("first defined at line 3"))
    }
}
