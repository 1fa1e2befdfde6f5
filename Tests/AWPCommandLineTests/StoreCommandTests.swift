import AWPCommandLine
import AWPCore
import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// The run-inspection commands, in process, against a home populated through the store API.
@Suite struct StoreCommandTests {
    func run(_ arguments: [String]) async -> (status: Int32, out: String, err: String) {
        let capture = CapturingConsole()
        let status = await AWPCommandLine.main(["awp"] + arguments, console: capture.console)
        return (status, capture.standardOutput, capture.standardError)
    }

    func withHome(_ body: (String) async throws -> Void) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let home = directory.appendingPathComponent("home")
            try await StoreFixture.populate(home)
            try await body(home.path)
        }
    }

    @Test func runsListsRootRunsNewestFirst() async throws {
        try await withHome { home throws in
            let text = await run(["runs", "--home", home])
            #expect(text.status == 0, "\(text.err)")
            let lines = text.out.split(separator: "\n")
            #expect(lines.first?.hasPrefix("RUN") == true)
            #expect(lines.dropFirst().map { String($0.prefix(22)) } == [StoreFixture.crashed, StoreFixture.second, StoreFixture.first])
            #expect(text.out.contains("interrupted"))

            let json = try JSONParser.parse(await run(["runs", "--home", home, "--json", "--limit", "2"]).out)
            let runs = json["runs"]?.arrayValue ?? []
            #expect(runs.count == 2)
            #expect(runs[1]["runId"] == .string(StoreFixture.second))
            #expect(runs[1]["usage"]?["cacheHits"] == 2)
            #expect(runs[1]["usage"]?["inputTokens"] == 0)
            let all = try JSONParser.parse(await run(["runs", "--home", home, "--json", "--all"]).out)
            #expect(all["runs"]?.arrayValue?.count == 4)
        }
    }

    @Test func statusJSONHasTheRunContractFieldsFirst() async throws {
        try await withHome { home throws in
            let result = await run(["status", StoreFixture.first, "--json", "--home", home])
            #expect(result.status == 0, "\(result.err)")
            let json = try JSONParser.parse(result.out)
            let keys = json.objectValue?.map(\.key) ?? []
            #expect(Array(keys.prefix(6)) == ["runId", "status", "terminationReason", "result", "artifacts", "outputDir"])
            #expect(json["status"] == "complete")
            #expect(json["result"] == "The total is 42.")
            #expect(json["artifacts"] == ["output/summary.md"])
            #expect(json["usage"]?["llmCalls"] == 2)
            #expect(json["usage"]?["inputTokens"] == 2400)
            #expect(json["usage"]?["workers"] == 1)
            #expect(json["subRuns"] == [.string(StoreFixture.sub)])
            #expect(json["resumable"] == false)
        }
    }

    @Test func statusOfACrashedRunSaysItCanBeResumed() async throws {
        try await withHome { home throws in
            let text = await run(["status", StoreFixture.crashed, "--home", home])
            #expect(text.out.contains("interrupted: its process is gone; continue it with 'awp resume \(StoreFixture.crashed)'"))
            let json = try JSONParser.parse(await run(["status", StoreFixture.crashed, "--json", "--home", home]).out)
            #expect(json["processAlive"] == false)
            #expect(json["resumable"] == true)
        }
    }

    @Test func latestAndPrefixesResolve() async throws {
        try await withHome { home throws in
            let latest = try JSONParser.parse(await run(["status", "latest", "--json", "--home", home]).out)
            #expect(latest["runId"] == .string(StoreFixture.crashed))
            let prefix = try JSONParser.parse(await run(["status", "20260101-0001", "--json", "--home", home]).out)
            #expect(prefix["runId"] == .string(StoreFixture.second))
        }
    }

    @Test func unknownRunsAndMissingStoresAreClearErrors() async throws {
        try await withHome { home throws in
            let missing = await run(["status", "nope", "--home", home])
            #expect(missing.status == 1)
            #expect(missing.err == "awp: error: no run 'nope' in \(home)/awp.sqlite\n")
        }
        await TestSupport.withTemporaryDirectory { directory in
            let result = await run(["runs", "--home", directory.appendingPathComponent("empty").path])
            #expect(result.status == 1)
            #expect(result.err.contains("no run store at"))
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("empty").path))
        }
        let usage = await run(["status"])
        #expect(usage.status == 64)
        #expect(usage.err.contains("usage: awp status <run|latest>"))
    }

    @Test func outputPrintsTheResult() async throws {
        try await withHome { home throws in
            let text = await run(["output", StoreFixture.first, "--home", home])
            #expect(text.out == "The total is 42.\n")
            let json = try JSONParser.parse(await run(["output", "--json", StoreFixture.first, "--home", home]).out)
            #expect(json["artifacts"]?.arrayValue?.first?["sha256"] == .string(String(repeating: "ab", count: 32)))
            let none = await run(["output", StoreFixture.crashed, "--home", home])
            #expect(none.status == 1)
            #expect(none.err.contains("has no result yet"))
        }
    }

    @Test func callsListsLLMAndToolCallsInOrder() async throws {
        try await withHome { home throws in
            let text = await run(["calls", StoreFixture.second, "--home", home])
            #expect(text.status == 0)
            #expect(text.out.contains("from cache"))
            #expect(text.out.contains("builtin/code.execute"))
            let json = try JSONParser.parse(await run(["calls", StoreFixture.first, "--json", "--home", home]).out)
            let calls = json["calls"]?.arrayValue ?? []
            #expect(calls.map { $0["type"]?.stringValue ?? "" } == ["llm", "llm", "tool"])
            #expect(calls[0]["cache"]?["outcome"] == "miss")
            #expect(calls[0]["inputTokens"] == 1200)
            #expect(calls[2]["mutating"] == false)
        }
    }

    @Test func eventsPrintsTheLogAndFiltersByKind() async throws {
        try await withHome { home throws in
            let text = await run(["events", StoreFixture.first, "--home", home])
            #expect(text.out.split(separator: "\n").dropFirst().first?.contains("run.started") == true)
            let json = try JSONParser.parse(await run(["events", StoreFixture.first, "--kind", "policy.decision", "--json", "--home", home]).out)
            #expect(json["events"]?.arrayValue?.count == 1)
            #expect(json["events"]?.arrayValue?.first?["payload"]?["allowed"] == false)
        }
    }

    @Test func explainCacheSaysWhyEachCallHitOrMissed() async throws {
        try await withHome { home throws in
            let text = await run(["explain-cache", StoreFixture.second, "--home", home])
            #expect(text.status == 0)
            #expect(text.out.contains("#1 manager/1/llm-0 (fake-1): hit: same request"))
            #expect(text.out.contains("first answered by run \(StoreFixture.first) call #1"))
            #expect(text.out.contains("summary: 2 hit, 0 miss, 0 bypass"))
            let json = try JSONParser.parse(await run(["explain-cache", StoreFixture.first, "--json", "--home", home]).out)
            #expect(json["summary"]?["miss"] == 2)
            #expect(json["calls"]?.arrayValue?.first?["decision"]?["reason"] == "not_cached")
        }
    }

    @Test func auditVerifyPassesThenFailsAfterAnEdit() async throws {
        try await withHome { home throws in
            let ok = await run(["audit", "verify", StoreFixture.first, "--home", home])
            #expect(ok.status == 0)
            #expect(ok.out == "audit chain of run \(StoreFixture.first): ok (3 entries verified)\n")
            try await TamperHelper.editAuditPayload(home: home, run: StoreFixture.first, seq: 2)
            let bad = await run(["audit", "verify", StoreFixture.first, "--home", home])
            #expect(bad.status == 1)
            #expect(bad.out.contains("BROKEN at entry 2"))
            let json = try JSONParser.parse(await run(["audit", "verify", StoreFixture.first, "--json", "--home", home]).out)
            #expect(json["ok"] == false)
            #expect(json["firstBad"]?["seq"] == 2)
            #expect(await run(["audit", "--home", home]).status == 64)
        }
    }

    @Test func htmlReportIsSelfContainedAndEscapesEverything() async throws {
        try await withHome { home throws in
            let html = await run(["report", StoreFixture.first, "--html", "--home", home])
            #expect(html.status == 0, "\(html.err)")
            #expect(html.out.hasPrefix("<!DOCTYPE html>"))
            for section in ["Run tree", "Timeline", "Usage and cost", "Policy decisions", "Artifacts", "Audit chain"] {
                #expect(html.out.contains("<h2>\(section)</h2>"))
            }
            #expect(html.out.contains("summarise &lt;data&gt; &amp; &quot;report&quot;"))
            #expect(html.out.contains("network:&lt;evil.example&gt;"))
            #expect(!html.out.contains("<data>"))
            #expect(!html.out.contains("<evil.example>"))
            #expect(!html.out.contains("<script"))
            #expect(!html.out.contains("src=") && !html.out.contains("href="))
            #expect(html.out.contains("sub-run \(StoreFixture.sub)"))
        }
    }

    @Test func textReportAndOutFile() async throws {
        try await withHome { home throws in
            let text = await run(["report", "latest", "--home", home])
            #expect(text.out.hasPrefix("# Run \(StoreFixture.crashed): demo"))
            let path = home + "/reports/first.html"
            let written = await run(["report", StoreFixture.first, "--html", "--out", path, "--home", home])
            #expect(written.status == 0)
            #expect(written.out == "wrote \(path)\n")
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("<h2>Audit chain</h2>"))
        }
    }

    @Test func gcRemovesOldRunsAndTheirDirectories() async throws {
        try await withHome { home throws in
            let runDirectory = URL(fileURLWithPath: home).appendingPathComponent("runs/\(StoreFixture.first)")
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
            // The fixture's runs ended "now": keeping 0 days deletes every finished root run.
            let result = await run(["gc", "--keep-days", "0", "--json", "--home", home])
            #expect(result.status == 0, "\(result.err)")
            let json = try JSONParser.parse(result.out)
            #expect(json["runsDeleted"] == 3)  // first (with its sub-run) and second; crashed is running
            #expect(!FileManager.default.fileExists(atPath: runDirectory.path))
            let left = try JSONParser.parse(await run(["runs", "--json", "--home", home]).out)
            #expect(left["runs"]?.arrayValue?.map { $0["runId"]?.stringValue ?? "" } == [StoreFixture.crashed])
            #expect(await run(["gc", "--max-blob-bytes", "12Q", "--home", home]).status == 64)
            #expect(await run(["gc", "--max-blob-bytes", "1M", "--home", home]).status == 0)
        }
    }

    @Test func helpListsTheStoreCommands() async {
        let help = await run(["help"])
        for name in ["runs", "status", "output", "calls", "events", "report", "audit", "explain-cache", "gc"] {
            #expect(help.out.contains("\n  \(name) "), "help misses \(name)")
        }
        let gc = await run(["help", "gc"])
        #expect(gc.out.contains("--max-blob-bytes SIZE"))
    }
}

/// Edits a stored audit entry the way someone with the database file could.
enum TamperHelper {
    static func editAuditPayload(home: String, run: String, seq: Int) async throws {
        let store = try await RunStore.open(at: home + "/awp.sqlite")
        let sql = "DROP TRIGGER audit_is_append_only_update; UPDATE audit SET payload = payload || ' ' WHERE run_id = '\(run)' AND seq = \(seq)"
        try await store.withDatabase { database throws in try database.execute(sql) }
    }
}
