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
}
