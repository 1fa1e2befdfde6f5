import AWPCore
import AWPRuntime
import AWPTestSupport
import Foundation
import Testing

/// A workspace and a source folder inside one temporary directory.
private struct Fixture {
    var root: URL
    var workspace: String { root.path + "/ws" }
    func source(_ name: String) -> String { root.path + "/src/" + name }

    init(_ root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root.path + "/ws", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/src", withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ text: String, _ name: String) throws -> String {
        try TestSupport.write(text, to: "src/" + name, in: root)
        return source(name)
    }

    @discardableResult
    func write(bytes: [UInt8], _ name: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: source(name)))
        return source(name)
    }

    func prepare(_ key: String, _ name: String, limit: Int = 1 << 30) throws -> InputEntry {
        let manifest = try InputPreparer.prepare([InputSpec(key: key, path: source(name))], workspace: workspace, maxTotalBytes: limit)
        return try #require(manifest.entries.first)
    }

    func inputsListing() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: workspace + "/inputs").sorted()) ?? []
    }
}

@Suite struct InputSpecTests {
    @Test func parsesKeyEqualsPathAtTheFirstEquals() throws {
        #expect(try InputSpec(parsing: "sales=data/q=3.csv") == InputSpec(key: "sales", path: "data/q=3.csv"))
        #expect(try InputSpec(parsing: "_a.b-c=x").key == "_a.b-c")
    }

    @Test(arguments: ["nokey", "=path", "1abc=x", "a/b=x", ".hidden=x", "a b=x", "key="])
    func rejectsMalformedArguments(argument: String) {
        #expect(throws: InputError.self) { try InputSpec(parsing: argument) }
    }
}

@Suite struct InputPreparerTests {
    @Test func csvWithQuotesEmbeddedNewlinesBOMAndCRLF() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            let csv = "\u{FEFF}name,note,amount\r\n\"Smith, J\",\"said \"\"hi\"\"\",10\r\n\"multi\r\nline\",plain,2.5\r\n\r\nlast,,-3\r\n"
            try fixture.write(csv, "people.csv")
            let entry = try fixture.prepare("people", "people.csv")
            #expect(entry.kind == "csv")
            #expect(entry.workspacePath == "inputs/people.csv")
            #expect(entry.columns == ["name", "note", "amount"])
            #expect(entry.rowCount == 3)
            let schema = try #require(entry.json["schema"])
            #expect(schema["head"]?.arrayValue?.first == ["Smith, J", "said \"hi\"", "10"])
            #expect(schema["head"]?.arrayValue?[1].arrayValue?.first == "multi\r\nline")
            let amount = try #require(schema["columns"]?.arrayValue?[2])
            #expect(amount["type"] == "number")
            #expect(amount["min"] == -3.0)
            #expect(amount["max"] == 10.0)
            #expect(amount["mean"]?.doubleValue == 9.5 / 3)
            #expect(schema["columns"]?.arrayValue?[1]["missing"] == 1)
            #expect(entry.preview.hasPrefix("name,note,amount\n\"Smith, J\",\"said \"\"hi\"\"\",10\n"))
        }
    }

    @Test func integerColumnsKeepIntegerStatistics() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write("id\tcity\n3\tParis\n1\tNA\n8\tRome\n", "t.tsv")
            let entry = try fixture.prepare("t", "t.tsv")
            #expect(entry.kind == "tsv")
            let columns = try #require(entry.json["schema"]?["columns"]?.arrayValue)
            #expect(columns[0] == ["name": "id", "type": "integer", "min": 1, "max": 8, "mean": 4.0, "missing": 0])
            #expect(columns[1]["type"] == "string")
            #expect(columns[1]["missing"] == 1)
        }
    }

    @Test func emptyAndHeaderOnlyCSVFiles() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write("", "empty.csv")
            try fixture.write("a,b\n", "header.csv")
            let empty = try fixture.prepare("empty", "empty.csv")
            #expect(empty.kind == "csv")
            #expect(empty.columns == [])
            #expect(empty.rowCount == 0)
            let header = try fixture.prepare("header", "header.csv")
            #expect(header.columns == ["a", "b"])
            #expect(header.rowCount == 0)
        }
    }

    @Test func largeCSVIsSampledAndItsRowCountEstimated() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            let row = "12345,abcdefghij,3.5\n"
            try fixture.write("n,s,x\n" + String(repeating: row, count: 300_000), "big.csv")
            let entry = try fixture.prepare("big", "big.csv")
            #expect(entry.rowCount == nil)
            #expect(entry.columns == ["n", "s", "x"])
            let estimate = try #require(entry.json["schema"]?["row_count_estimate"]?.doubleValue)
            #expect(abs(estimate - 300_000) < 3_000)
        }
    }

    @Test func jsonJSONLinesTextImageAndBinaryDescriptions() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write(#"{"b": 1, "a": [1, 2]}"#, "doc.json")
            try fixture.write("{\"x\": 1, \"y\": 2}\n{\"x\": 3}\n", "rows.jsonl")
            try fixture.write("# Title\n\nsome words here\n", "notes.md")
            var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            png += [0, 0, 2, 128, 0, 0, 1, 224, 8, 6, 0, 0, 0]
            try fixture.write(bytes: png, "pic.png")
            try fixture.write(bytes: Array("GIF89a".utf8) + [10, 0, 20, 0, 0], "anim.gif")
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 48, 0, 64, 3, 0, 0, 0]
            try fixture.write(bytes: jpeg, "photo.jpg")
            try fixture.write(bytes: [0, 1, 2, 3, 255], "blob.bin")

            let json = try fixture.prepare("doc", "doc.json")
            #expect(json.kind == "json")
            #expect(json.json["schema"] == ["top_level": "object", "keys": ["b", "a"], "key_count": 2])
            let jsonl = try fixture.prepare("rows", "rows.jsonl")
            #expect(jsonl.json["schema"]?["line_count"] == 2)
            #expect(jsonl.json["schema"]?["keys"] == ["x", "y"])
            let text = try fixture.prepare("notes", "notes.md")
            #expect(text.kind == "text")
            #expect(text.json["schema"] == ["lines": 3, "words": 5])
            #expect(text.preview == "# Title\n\nsome words here\n")
            #expect(try fixture.prepare("pic", "pic.png").json["schema"] == ["format": "png", "width": 640, "height": 480])
            #expect(try fixture.prepare("anim", "anim.gif").json["schema"] == ["format": "gif", "width": 10, "height": 20])
            #expect(try fixture.prepare("photo", "photo.jpg").json["schema"] == ["format": "jpeg", "width": 64, "height": 48])
            let binary = try fixture.prepare("blob", "blob.bin")
            #expect(binary.kind == "binary")
            #expect(binary.json["schema"]?["sha256"] == .string(SHA256.hexDigest(of: [0, 1, 2, 3, 255])))
        }
    }

    @Test func directoryInputsAreCopiedRecursivelyWithInternalLinksResolved() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write("1", "dir/a.txt")
            try fixture.write("22", "dir/sub/b.txt")
            try FileManager.default.createSymbolicLink(atPath: fixture.source("dir/link.txt"), withDestinationPath: "sub/b.txt")
            let entry = try fixture.prepare("data", "dir")
            #expect(entry.kind == "directory")
            #expect(entry.workspacePath == "inputs/data")
            #expect(entry.size == 5)
            #expect(entry.json["schema"] == ["file_count": 3, "total_size": 5, "files": ["a.txt", "link.txt", "sub/b.txt"]])
            let copied = fixture.workspace + "/inputs/data/link.txt"
            let attributes = try FileManager.default.attributesOfItem(atPath: copied)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular)
            #expect(try String(contentsOfFile: copied, encoding: .utf8) == "22")
        }
    }

    @Test func symlinksEscapingADirectoryInputAreRefusedAndNothingIsLeftBehind() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try TestSupport.write("secret", to: "outside.txt", in: root)
            try fixture.write("ok", "first.txt")
            try fixture.write("1", "dir/a.txt")
            try FileManager.default.createSymbolicLink(atPath: fixture.source("dir/z-escape"), withDestinationPath: root.path + "/outside.txt")
            let inputs = [InputSpec(key: "first", path: fixture.source("first.txt")), InputSpec(key: "d", path: fixture.source("dir"))]
            let error = #expect(throws: InputError.self) { try InputPreparer.prepare(inputs, workspace: fixture.workspace) }
            #expect(error?.message.contains("z-escape") == true)
            #expect(error?.message.contains("outside the input directory") == true)
            #expect(fixture.inputsListing().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: fixture.workspace + "/input_manifest.json"))
        }
    }

    @Test func specialFilesAndLinkLoopsAreRefused() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write("1", "dir/a.txt")
            try FileManager.default.createSymbolicLink(atPath: fixture.source("dir/loop"), withDestinationPath: ".")
            #expect(throws: InputError.self) { try fixture.prepare("d", "dir") }
            #expect(mkfifo(fixture.source("pipe"), 0o600) == 0)
            let error = #expect(throws: InputError.self) { try fixture.prepare("p", "pipe") }
            #expect(error?.message.contains("not a regular file") == true)
        }
    }

    @Test func sizeLimitAndNameRules() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write(String(repeating: "x", count: 100), "big.txt")
            try fixture.write("1", "dir/a.txt")
            try fixture.write(String(repeating: "y", count: 100), "dir/b.txt")
            #expect(throws: InputError.self) { try fixture.prepare("big", "big.txt", limit: 50) }
            #expect(throws: InputError.self) { try fixture.prepare("dir", "dir", limit: 50) }
            #expect(fixture.inputsListing().isEmpty)
            try fixture.write("a", "Report.CSV")
            #expect(try fixture.prepare("report", "Report.CSV").workspacePath == "inputs/report.CSV")
            #expect(try fixture.prepare("already.csv", "Report.CSV").workspacePath == "inputs/already.csv")
            try fixture.write("t", "archive.tar.gz")
            #expect(try fixture.prepare("arch", "archive.tar.gz").workspacePath == "inputs/arch.tar.gz")
            // Taken name, repeated key, and two inputs landing on one name.
            #expect(throws: InputError.self) { try fixture.prepare("report", "Report.CSV") }
            let twice = [InputSpec(key: "k", path: fixture.source("big.txt")), InputSpec(key: "k", path: fixture.source("big.txt"))]
            #expect(throws: InputError.self) { try InputPreparer.prepare(twice, workspace: fixture.workspace) }
            let clash = [InputSpec(key: "n", path: fixture.source("big.txt")), InputSpec(key: "n.txt", path: fixture.source("big.txt"))]
            #expect(throws: InputError.self) { try InputPreparer.prepare(clash, workspace: fixture.workspace) }
        }
    }

    @Test func manifestJSONIsKeyedByInputAndWrittenToTheWorkspace() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try fixture.write("a,b\n1,2\n", "s.csv")
            try fixture.write("hello", "n.txt")
            let manifest = try InputPreparer.prepare(
                [InputSpec(key: "sales", path: fixture.source("s.csv")), InputSpec(key: "notes", path: fixture.source("n.txt"))],
                workspace: fixture.workspace
            )
            let object = try #require(manifest.json.objectValue)
            #expect(object.map(\.key) == ["sales", "notes"])
            #expect(object[0].value.objectValue?.map(\.key) == ["key", "type", "workspace_path", "size", "preview", "schema"])
            #expect(object[0].value["workspace_path"] == "inputs/sales.csv")
            #expect(object[0].value["size"] == 8)
            let written = try Data(contentsOf: URL(fileURLWithPath: fixture.workspace + "/input_manifest.json"))
            #expect(try JSONParser.parse(Array(written)) == manifest.json)
            #expect(!String(decoding: written, as: UTF8.self).contains(root.path))
        }
    }

    @Test func describeExistingSkipsHiddenFilesAndSymlinks() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            try TestSupport.write("x,y\n1,2\n", to: "ws/inputs/data.csv", in: root)
            try TestSupport.write("k", to: "ws/inputs/.gitkeep", in: root)
            try TestSupport.write("inner", to: "ws/inputs/docs/readme.md", in: root)
            try TestSupport.write("host secret", to: "secret.txt", in: root)
            try FileManager.default.createSymbolicLink(atPath: fixture.workspace + "/inputs/leak.txt", withDestinationPath: root.path + "/secret.txt")
            let manifest = InputPreparer.describeExisting(workspace: fixture.workspace)
            #expect(manifest.entries.map(\.key) == ["data", "docs"])
            #expect(manifest.entries.map(\.kind) == ["csv", "directory"])
            #expect(manifest.entries[0].rowCount == 1)
            #expect(InputPreparer.describeExisting(workspace: root.path + "/missing").entries.isEmpty)
        }
    }

    @Test func promptSectionNeverExceedsItsBudget() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let fixture = try Fixture(root)
            var specs: [InputSpec] = []
            for index in 0..<8 {
                try fixture.write("col\(index),other\n" + String(repeating: "\(index),value\n", count: 20), "f\(index).csv")
                specs.append(InputSpec(key: "file\(index)", path: fixture.source("f\(index).csv")))
            }
            let manifest = try InputPreparer.prepare(specs, workspace: fixture.workspace)
            let full = manifest.promptSection(maxChars: 100_000)
            #expect(full.hasPrefix("## Available Data Files\n"))
            #expect(full.contains("`inputs/file7.csv` (key `file7`): csv"))
            #expect(full.contains("20 rows × 2 columns"))
            for budget in [0, 10, 60, 120, 200, 400, 800, 1_500] {
                let section = manifest.promptSection(maxChars: budget)
                #expect(section.count <= budget)
            }
            let partial = manifest.promptSection(maxChars: 800)
            #expect(partial.contains("more inputs described in `input_manifest.json`"))
            #expect(InputManifest().promptSection(maxChars: 1_000) == "")
        }
    }
}
