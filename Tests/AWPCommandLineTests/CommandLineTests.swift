import AWPCommandLine
import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// The `awp` commands run in-process: exit statuses, text and the JSON shapes of ARCHITECTURE §7.
@Suite struct CommandLineTests {
    static let examples = TestSupport.packageRoot.appendingPathComponent("Examples").path

    func run(_ arguments: String...) async -> (status: Int32, out: String, err: String) {
        let capture = CapturingConsole()
        let status = await AWPCommandLine.main(["awp"] + arguments, console: capture.console)
        return (status, capture.standardOutput, capture.standardError)
    }

    @Test(arguments: [
        ("a0-single-agent", "A0"), ("a1-review-pipeline", "A1"), ("a2-delegation-budget", "A2"),
        ("a3-dynamic-tools", "A3"), ("a4-recursive-research", "A4"),
    ])
    func examplesValidateCleanlyAndReachTheirLevel(example: String, level: String) async throws {
        let path = "\(Self.examples)/\(example)"
        let validate = await run("validate", path, "--json")
        #expect(validate.status == 0)
        let report = try JSONParser.parse(validate.out)
        #expect(report["valid"] == .bool(true))
        #expect(report["workflow"] == .string(example))
        #expect(report["diagnostics"] == .array([]), "examples must validate with no warnings either")

        let compliance = await run("compliance", path, "--level", level, "--json")
        #expect(compliance.status == 0)
        let json = try JSONParser.parse(compliance.out)
        #expect(json["achieved"] == .string(level))
        #expect(json["target"] == .string(level))
        if let next = ["A0": "A1", "A1": "A2", "A2": "A3", "A3": "A4"][level] {
            #expect(await run("compliance", path, "--level", next).status == 1, "\(example) must not reach \(next)")
        }
    }

    @Test func validateJSONHasTheContractShape() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = dir.appendingPathComponent("shape")
            try FileManager.default.copyItem(atPath: "\(Self.examples)/a1-review-pipeline", toPath: workflow.path)
            let manifest = workflow.appendingPathComponent("workflow.awp.yaml")
            var text = try String(contentsOf: manifest, encoding: .utf8)
            text = text.replacingOccurrences(of: "name: a1-review-pipeline", with: "name: shape\n  foo_bar: 1")
            try text.write(to: manifest, atomically: true, encoding: .utf8)
            let result = await run("validate", workflow.path, "--json")
            #expect(result.status == 0)
            let json = try JSONParser.parse(result.out)
            #expect(json.objectValue?.map(\.key) == ["workflow", "valid", "diagnostics"])
            let diagnostic = try #require(json["diagnostics"]?.arrayValue?.first)
            #expect(diagnostic.objectValue?.map(\.key) == ["severity", "rule", "message", "file", "line", "column"])
            #expect(diagnostic["severity"] == .string("warning"))
            #expect(diagnostic["rule"] == .null)
            #expect(diagnostic["file"] == .string("workflow.awp.yaml"))
            #expect(diagnostic["line"]?.doubleValue != nil)
            #expect(diagnostic["message"]?.stringValue?.contains("foo_bar") == true)
        }
    }

    @Test func cyclesMakeValidateFailWithCompilerStyleDiagnostics() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = dir.appendingPathComponent("a1-review-pipeline")
            try FileManager.default.copyItem(atPath: "\(Self.examples)/a1-review-pipeline", toPath: workflow.path)
            let manifest = workflow.appendingPathComponent("workflow.awp.yaml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
            // The first node depends on the last one, closing a ring.
            let edited = text.replacingOccurrences(of: "depends_on: []", with: "depends_on: [verdict]")
            #expect(edited != text)
            try edited.write(to: manifest, atomically: true, encoding: .utf8)
            let result = await run("validate", workflow.path)
            #expect(result.status == 1)
            let line = try #require(result.err.split(separator: "\n").first { $0.contains("[R7]") })
            #expect(line.hasPrefix("\(workflow.path)/workflow.awp.yaml:"))
            #expect(line.contains(": error: [R7] Cycle detected involving agents:"))
            #expect(result.out.contains("Validation failed for a1-review-pipeline"))
        }
    }

    @Test func missingManifestIsAFailureNotAUsageError() async {
        let result = await run("validate", "/nonexistent/awp-workflow")
        #expect(result.status == 1)
        #expect(result.err.contains("workflow.awp.yaml not found in /nonexistent/awp-workflow"))
        #expect(await run("compliance", "/nonexistent/awp-workflow").status == 1)
        #expect(await run("visualize", "/nonexistent/awp-workflow").status == 1)
    }

    @Test(arguments: [
        ["validate"], ["validate", "a", "b"], ["validate", "x", "--bogus"], ["compliance", "x", "--level", "A9"],
        ["visualize", "x", "--format", "svg"], ["nosuchcommand"], [], ["bench"], ["compliance", "x", "--level"],
    ])
    func badInvocationsExitWithUsageStatus(arguments: [String]) async {
        let capture = CapturingConsole()
        let status = await AWPCommandLine.main(["awp"] + arguments, console: capture.console)
        #expect(status == 64)
        #expect(!capture.standardError.isEmpty)
    }

    @Test func complianceTextFollowsTheReferenceLayout() async {
        let result = await run("compliance", "\(Self.examples)/a2-delegation-budget")
        #expect(result.status == 1)  // target A4 by default
        let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.prefix(3) == ["Workflow: a2-delegation-budget", "Target:   A4 Self-Organizing", "Achieved: A2 Delegating"])
        #expect(lines.contains("  Cross-Cutting (all levels):"))
        #expect(lines.contains("  [ok] delegation_loop_engine"))
        #expect(lines.contains("  [FAIL] delegation_allows_tool_creation"))
    }

    @Test func complianceAcceptsLegacyLevelNames() async throws {
        let result = await run("compliance", "\(Self.examples)/a4-recursive-research", "--level", "L5", "--json")
        #expect(result.status == 0)
        #expect(try JSONParser.parse(result.out)["target"] == .string("A4"))
    }

    @Test func visualizeDrawsMermaidDotJSONAndASCII() async throws {
        let path = "\(Self.examples)/a1-review-pipeline"
        let mermaid = await run("visualize", path)
        #expect(mermaid.status == 0)
        #expect(mermaid.out.hasPrefix("graph TD\n    triage[triage]\n"))
        #expect(mermaid.out.contains("    triage -->|success| security_review"))
        let dot = await run("visualize", path, "--format", "dot")
        #expect(dot.out.hasPrefix("digraph \"a1-review-pipeline\" {"))
        #expect(dot.out.contains("\"triage\" -> \"security_review\""))
        let json = try JSONParser.parse(await run("visualize", path, "--format", "json").out)
        #expect(json["nodes"]?.arrayValue?.count == 3)
        #expect(json["levels"]?.arrayValue?.first == .array(["triage"]))
        let ascii = await run("visualize", path, "--format", "ascii")
        #expect(ascii.out.hasPrefix("  Level 0: [triage]\n"))
    }

    @Test func helpAndVersion() async {
        let version = await run("--version")
        #expect(version.status == 0)
        #expect(version.out == "awp \(AWPCommandLine.version)\n")
        let help = await run("help")
        #expect(help.status == 0)
        for command in ["validate", "compliance", "visualize", "bench"] { #expect(help.out.contains("  \(command)")) }
        let validateHelp = await run("help", "validate")
        #expect(validateHelp.out.hasPrefix("usage: awp validate <dir> [--json]"))
    }

    @Test func benchValidateReportsFiguresPerWorkflow() async throws {
        let result = await run("bench", "validate", "\(Self.examples)/a0-single-agent", "--iterations", "3", "--json")
        #expect(result.status == 0)
        let json = try JSONParser.parse(result.out)
        #expect(json["benchmark"] == .string("validate"))
        let first = try #require(json["results"]?.arrayValue?.first)
        #expect(first["valid"] == .bool(true))
        #expect((first["medianMs"]?.doubleValue ?? -1) > 0)
    }
}
