import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// Bad input never crashes or hangs: every example's YAML files are truncated and mutated
/// thousands of times, and each variant must load, validate, check compliance and render,
/// with every error located in a file.
@Suite(.serialized) struct RobustnessTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce from the printed seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let fragments: [String] = [
        ":", ": :", "[", "]", "{", "}", "- ", "-", "&a ", "*a", "*undefined", "<<: *a", "!!int ", "!!str ", "? ",
        "'", "\"", "\t", "#", "|", ">", "~", "null", "yes", "on", "-1", "1e999", "0x", "[]", "{}", "\u{0}", "\u{FFFD}",
        "{{workflow.name}}", "{{", "}}", String(repeating: "a", count: 600), "\n  ", "\n- ", "...", "---",
    ]

    static func exampleDirectories() -> [URL] {
        let root = TestSupport.packageRoot.appendingPathComponent("Examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().map { root.appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("workflow.awp.yaml").path)
        }
    }

    static func yamlFiles(in directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        return ((enumerator?.allObjects as? [String]) ?? []).filter { $0.hasSuffix(".awp.yaml") }.sorted()
    }

    /// Runs everything a user can run on a workflow and checks the diagnostics are located.
    static func exercise(_ directory: String, variant: String) {
        let workflow = WorkflowLoader.load(directory: directory)
        let report = WorkflowValidator.validate(workflow)
        _ = ComplianceChecker.check(workflow, target: .a4)
        if let manifest = workflow.manifest {
            for format in Visualizer.Format.allCases { _ = Visualizer.render(manifest, format: format) }
        }
        for diagnostic in report.diagnostics where diagnostic.isError {
            #expect(diagnostic.location != nil, "unlocated error for \(variant): \(diagnostic)")
        }
    }

    static func variants(of text: String, count: Int, random: inout Random) -> [String] {
        let bytes = Array(text.utf8)
        var result: [String] = []
        // Truncations at evenly spread byte offsets, including mid-character cuts.
        let cuts = min(60, bytes.count)
        for index in 0..<cuts { result.append(String(decoding: bytes.prefix(bytes.count * index / max(cuts, 1)), as: UTF8.self)) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while result.count < count {
            var mutated = lines
            let line = random.below(mutated.count)
            switch random.below(7) {
            case 0: mutated.remove(at: line)
            case 1: mutated.insert(mutated[line], at: line)
            case 2: mutated.swapAt(line, random.below(mutated.count))
            case 3:
                var chars = Array(mutated[line])
                chars.insert(contentsOf: fragments[random.below(fragments.count)], at: random.below(chars.count + 1))
                mutated[line] = String(chars)
            case 4: mutated[line] = String(repeating: " ", count: random.below(9)) + mutated[line].drop { $0 == " " }
            case 5:
                if let colon = mutated[line].firstIndex(of: ":") {
                    mutated[line] = String(mutated[line][...colon]) + " " + fragments[random.below(fragments.count)]
                }
            default:
                let cut = Array(mutated[line].utf8)
                mutated[line] = String(decoding: cut.prefix(random.below(cut.count + 1)), as: UTF8.self)
            }
            if random.below(4) == 0 { lines = mutated }  // let some mutations accumulate
            result.append(mutated.joined(separator: "\n"))
        }
        return result
    }

    @Test(.timeLimit(.minutes(3)))
    func mutatedAndTruncatedExamplesNeverCrashOrHang() async throws {
        let examples = Self.exampleDirectories()
        #expect(examples.count == 5)
        var random = Random(state: 0xA1B2_C3D4)
        var total = 0
        try await TestSupport.withTemporaryDirectory { temp in
            for example in examples {
                let copy = temp.appendingPathComponent(example.lastPathComponent)
                try FileManager.default.copyItem(at: example, to: copy)
                for file in Self.yamlFiles(in: copy) {
                    let url = copy.appendingPathComponent(file)
                    let original = try String(contentsOf: url, encoding: .utf8)
                    for (index, variant) in Self.variants(of: original, count: 200, random: &random).enumerated() {
                        try Data(variant.utf8).write(to: url)
                        Self.exercise(copy.path, variant: "\(example.lastPathComponent)/\(file) #\(index)")
                        total += 1
                    }
                    try Data(original.utf8).write(to: url)
                }
            }
        }
        #expect(total >= 2000, "only \(total) variants were tried")
    }

    @Test(.timeLimit(.minutes(1)))
    func hostileDocumentsFailWithLocatedErrors() async throws {
        let hostile: [(name: String, text: String, expected: String)] = [
            ("deep nesting", String(repeating: "[", count: 20000), "deep"),
            (
                "billion laughs",
                "a: &a [x, x, x, x, x, x, x, x, x]\n" + (1...9).map { level in
                    "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 9).joined(separator: ", ") + "]"
                }.joined(separator: "\n") + "\n",
                "alias"
            ),
            ("binary", String(decoding: [0xFF, 0xFE, 0x00, 0x41, 0x80], as: UTF8.self), "control characters"),
            ("duplicate keys", "awp: \"1.0.0\"\nawp: \"1.0.0\"\n", "duplicate"),
            ("a list", "- a\n- b\n", "mapping"),
        ]
        for document in hostile {
            try await TestSupport.withTemporaryDirectory { dir in
                try TestSupport.write(document.text, to: "workflow.awp.yaml", in: dir)
                let report = WorkflowValidator.validate(directory: dir.path)
                let error = try #require(report.errors.first, "\(document.name) gave no error")
                #expect(error.location?.file == "workflow.awp.yaml", "\(document.name): \(error)")
                #expect(error.message.lowercased().contains(document.expected), "\(document.name): \(error.message)")
            }
        }
    }

    @Test func oversizedFilesAreRefusedBeforeParsing() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let big = "awp: \"1.0.0\"\n" + String(repeating: "# padding line\n", count: (WorkflowLoader.maxFileBytes / 15) + 10)
            try TestSupport.write(big, to: "workflow.awp.yaml", in: dir)
            let report = WorkflowValidator.validate(directory: dir.path)
            #expect(report.errors.count == 1)
            #expect(report.errors.first?.message.contains("refused") == true)
        }
    }
}
