import AWPCore
import AWPStore
import AWPTestSupport
import Foundation
import Glibc
import Testing

/// `awp run` on every example and `awp task` on a CSV, with the fake provider and the real sandbox.
@Suite(.serialized) struct RunEndToEndTests {
    static func run(_ arguments: [String], home: URL, environment: [String: String] = [:]) throws -> (JSONValue, EndToEndTests.Output) {
        let output = try EndToEndTests.spawn("awp", arguments + ["--json", "--home", home.path], environment: environment)
        let json = (try? JSONParser.parse(output.out)) ?? .null
        return (json, output)
    }

    /// Checks that `output/summary.json` holds the analysis the fake worker's Python produced, and that
    /// the file was made inside the sandbox (on a root host the sandbox writes as uid 100000; the host never
    /// writes this file itself).
    static func expectSandboxWroteSummary(_ report: JSONValue, input: String, rows: Int) throws {
        let outputDirectory = try #require(report["outputDir"]?.stringValue)
        let summaryPath = outputDirectory + "/summary.json"
        let summary = try JSONParser.parse(try String(contentsOfFile: summaryPath, encoding: .utf8))
        #expect(summary[input]?["rows"]?.intValue == rows, "summary.json: \(summary.serialized())")
        #expect(FileManager.default.fileExists(atPath: outputDirectory + "/summary.md"))
        if geteuid() == 0 {
            var info = stat()
            #expect(stat(summaryPath, &info) == 0)
            #expect(info.st_uid == 100_000, "summary.json is owned by \(info.st_uid), not the sandbox uid")
        }
        let artifacts = report["artifacts"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(artifacts.contains(summaryPath))
    }

    static func codeExecutions(home: URL, run: String) async throws -> [ToolCallRecord] {
        let store = try await RunStore.open(home: StoreHome(directory: home), options: StoreOptions(createIfMissing: false))
        var calls = try await store.toolCalls(run)
        for child in try await store.childRuns(of: run) { calls += try await store.toolCalls(child.id) }
        return calls.filter { $0.tool == "code.execute" && $0.status == .completed && !$0.isError }
    }

    @Test(.timeLimit(.minutes(2)))
    func a0SingleAgentRunsItsDAGWithSandboxedCode() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (report, output) = try Self.run(["run", EndToEndTests.examples.appendingPathComponent("a0-single-agent").path], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            try Self.expectSandboxWroteSummary(report, input: "greenhouse_readings.csv", rows: try Self.rows("a0-single-agent", "greenhouse_readings.csv"))
            #expect(report["result"]?["reading_summarizer"]?["row_count"] != nil)
            #expect(try await Self.codeExecutions(home: dir, run: report["runId"]?.stringValue ?? "").count >= 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func a1ReviewPipelineHonoursItsCondition() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (report, output) = try Self.run(["run", EndToEndTests.examples.appendingPathComponent("a1-review-pipeline").path], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            let result = try #require(report["result"])
            #expect(result["triage"]?["severity"] != nil)
            #expect(result["verdict"]?["decision"] != nil)
            // The fake triage answers with the schema's first severity; security_review runs only for "high".
            let severity = result["triage"]?["severity"]?.stringValue
            #expect((result["security_review"] != nil) == (severity == "high"))
            let outputDirectory = try #require(report["outputDir"]?.stringValue)
            #expect(FileManager.default.fileExists(atPath: outputDirectory + "/final.json"))
            #expect(FileManager.default.fileExists(atPath: outputDirectory + "/nodes/verdict.json"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func a2DelegationRunsAWorkerThatExecutesPython() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (report, output) = try Self.run(["run", EndToEndTests.examples.appendingPathComponent("a2-delegation-budget").path], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            try Self.expectSandboxWroteSummary(report, input: "monthly_sales.csv", rows: try Self.rows("a2-delegation-budget", "monthly_sales.csv"))
            #expect(report["usage"]?["workers"]?.intValue == 1)
            #expect(try await Self.codeExecutions(home: dir, run: report["runId"]?.stringValue ?? "").count == 1)
            // The run's log starts and ends once (the store records both, in the run's own transactions).
            let store = try await RunStore.open(home: StoreHome(directory: dir), options: StoreOptions(createIfMissing: false))
            let bounds = try await store.events(report["runId"]?.stringValue ?? "", kinds: ["run.started", "run.finished"])
            #expect(bounds.map(\.kind) == ["run.started", "run.finished"])
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func a3WorkerCreatesAToolAndCallsIt() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (report, output) = try Self.run(["run", EndToEndTests.examples.appendingPathComponent("a3-dynamic-tools").path], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            try Self.expectSandboxWroteSummary(report, input: "meter_readings.csv", rows: try Self.rows("a3-dynamic-tools", "meter_readings.csv"))
            let outputDirectory = try #require(report["outputDir"]?.stringValue)
            // The tool the worker created wrote this file when it was called.
            let stats = try JSONParser.parse(try String(contentsOfFile: outputDirectory + "/column_stats.json", encoding: .utf8))
            let rows = try Self.rows("a3-dynamic-tools", "meter_readings.csv")
            #expect(stats["rows"]?.intValue == rows)
            let store = try await RunStore.open(home: StoreHome(directory: dir), options: StoreOptions(createIfMissing: false))
            let runID = try #require(report["runId"]?.stringValue)
            let calls = try await store.toolCalls(runID)
            #expect(calls.contains { $0.tool == "tool.create" && !$0.isError })
            #expect(calls.contains { $0.tool == "stats.column_stats" && !$0.isError && $0.plugin == "dynamic" })
            let created = try await store.events(runID, kinds: ["tool.created"])
            #expect(created.first?.payload["registered"] == true)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func a4ManagerSpawnsASubManager() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (report, output) = try Self.run(["run", EndToEndTests.examples.appendingPathComponent("a4-recursive-research").path], home: dir)
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            let runID = try #require(report["runId"]?.stringValue)
            let store = try await RunStore.open(home: StoreHome(directory: dir), options: StoreOptions(createIfMissing: false))
            let children = try await store.childRuns(of: runID)
            #expect(children.map(\.id) == ["\(runID)-sub-1"])
            #expect(children.first?.status == .complete)
            #expect(try await Self.codeExecutions(home: dir, run: runID).count >= 1)
            let outputDirectory = try #require(report["outputDir"]?.stringValue)
            #expect(FileManager.default.fileExists(atPath: outputDirectory + "/summary.json"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func taskRunsTheYAMLFreeLoopOnACSV() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let csv = dir.appendingPathComponent("sales.csv")
            try "month,units,revenue\n2026-01,10,100.5\n2026-02,12,130\n2026-03,9,95\n".write(to: csv, atomically: true, encoding: .utf8)
            let outputCopy = dir.appendingPathComponent("out")
            let (report, output) = try Self.run(["task", "Summarise the sales figures", "--input", "sales=\(csv.path)",
                                                 "--output", outputCopy.path], home: dir.appendingPathComponent("home"))
            #expect(output.status == 0, "stderr: \(output.err)")
            #expect(report["status"] == "complete")
            #expect(report["outputDir"]?.stringValue == outputCopy.path)
            let summary = try JSONParser.parse(try String(contentsOf: outputCopy.appendingPathComponent("summary.json"), encoding: .utf8))
            #expect(summary["sales.csv"]?["rows"] == 3)
            #expect(summary["sales.csv"]?["numeric"]?["units"]?["max"] == 12)
            #expect(report["usage"]?["llmCalls"]?.intValue ?? 0 >= 3)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func anInvalidWorkflowIsRefusedWithLocations() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let copy = dir.appendingPathComponent("a2-delegation-budget")
            try FileManager.default.copyItem(at: EndToEndTests.examples.appendingPathComponent("a2-delegation-budget"), to: copy)
            let manifest = copy.appendingPathComponent("workflow.awp.yaml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
            try text.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: 1").write(to: manifest, atomically: true, encoding: .utf8)
            let (_, output) = try Self.run(["run", copy.path], home: dir.appendingPathComponent("home"))
            #expect(output.status == 1)
            #expect(output.err.contains("workflow.awp.yaml:"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func anUnknownProviderIsRefusedBeforeTheRunStarts() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let output = try EndToEndTests.spawn("awp", ["run", EndToEndTests.examples.appendingPathComponent("a2-delegation-budget").path,
                                                         "--provider", "nosuch", "--home", home.path])
            #expect(output.status == 1)
            #expect(output.err.contains("no provider plugin named 'nosuch'"), "stderr: \(output.err)")
            #expect(output.err.contains("fake"))
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("runs").path))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aMisspeltTrustedPluginIsRefusedBeforeTheRunStarts() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let output = try EndToEndTests.spawn("awp", ["run", EndToEndTests.examples.appendingPathComponent("a2-delegation-budget").path,
                                                         "--trust-plugin", "fakee", "--home", home.path])
            #expect(output.status == 1)
            #expect(output.err.contains("--trust-plugin names no plugin 'fakee'"), "stderr: \(output.err)")
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("runs").path))
        }
    }

    static func rows(_ example: String, _ file: String) throws -> Int {
        let text = try String(contentsOf: EndToEndTests.examples.appendingPathComponent("\(example)/workspace/inputs/\(file)"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).count - 1
    }
}
