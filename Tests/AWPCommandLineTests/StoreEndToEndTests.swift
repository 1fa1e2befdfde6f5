import AWPCore
import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// The inspection commands through the built `awp`, with the home from `$AWP_HOME`.
@Suite struct StoreEndToEndTests {
    static func spawnAWP(_ arguments: [String], home: String) throws -> EndToEndTests.Output {
        try EndToEndTests.spawn("awp", arguments, environment: ["AWP_HOME": home])
    }

    @Test(.timeLimit(.minutes(1)))
    func theBuiltAWPInspectsAStoreFoundThroughAWPHome() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let home = directory.appendingPathComponent("home")
            try await StoreFixture.populate(home)

            let runs = try Self.spawnAWP(["runs", "--json"], home: home.path)
            #expect(runs.status == 0, "\(runs.err)")
            #expect(try JSONParser.parse(runs.out)["runs"]?.arrayValue?.count == 3)

            let verify = try Self.spawnAWP(["audit", "verify", StoreFixture.first], home: home.path)
            #expect(verify.status == 0)
            #expect(verify.out.contains(": ok (3 entries verified)"))

            let explain = try Self.spawnAWP(["explain-cache", StoreFixture.second, "--json"], home: home.path)
            #expect(try JSONParser.parse(explain.out)["summary"]?["hit"] == 2)

            let missing = try Self.spawnAWP(["status", "nope"], home: home.path)
            #expect(missing.status == 1)
            #expect(missing.err == "awp: error: no run 'nope' in \(home.path)/awp.sqlite\n")

            let report = directory.appendingPathComponent("report.html").path
            let html = try Self.spawnAWP(["report", "latest", "--html", "--out", report], home: home.path)
            #expect(html.status == 0)
            #expect(FileManager.default.fileExists(atPath: report))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func twoRunsWritingToOneStoreAtOnceBothCompleteIntact() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let home = directory.appendingPathComponent("home")
            // Slow fake calls make the two runs overlap for their whole length.
            var environment = ProcessInfo.processInfo.environment
            environment["AWP_FAKE_LATENCY_MS"] = "150"
            var processes: [(Process, Pipe)] = []
            for example in ["a2-delegation-budget", "a3-dynamic-tools"] {
                let process = Process()
                process.executableURL = TestSupport.productsDirectory.appendingPathComponent("awp")
                process.arguments = ["run", EndToEndTests.examples.appendingPathComponent(example).path, "--home", home.path,
                                     "--json", "--quiet", "--cache-policy", "disabled"]
                process.environment = environment
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                processes.append((process, output))
            }
            var runIDs: [String] = []
            for (process, output) in processes {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                let report = try JSONParser.parse(String(decoding: data, as: UTF8.self))
                #expect(report["status"] == "complete")
                runIDs.append(try #require(report["runId"]?.stringValue))
            }
            let store = try await RunStore.open(home: StoreHome(directory: home), options: StoreOptions(createIfMissing: false))
            #expect(try await store.integrityCheck() == ["ok"])
            for id in runIDs {
                let verify = try Self.spawnAWP(["audit", "verify", id], home: home.path)
                #expect(verify.status == 0, "\(verify.out)\(verify.err)")
                let calls = try await store.llmCalls(id)
                #expect(!calls.isEmpty && calls.allSatisfy { $0.runID == id && $0.status == .completed })
            }
            // The runs really overlapped: each started before the other finished.
            let first = try await store.run(runIDs[0]), second = try await store.run(runIDs[1])
            #expect(first.startedAt < (second.endedAt ?? .max) && second.startedAt < (first.endedAt ?? .max))
        }
    }
}
