import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// A real MCP server that awp did not write, unchanged: the official `mcp-server-time` from PyPI.
///
/// CI (`.ci/run`) installs it into a virtualenv and sets `AWP_TEST_MCP_TIME` to its executable. When
/// the variable is unset, the test installs it into a cached virtualenv itself if `pip` can reach
/// PyPI, and otherwise is recorded as not run, with the reason.
@Suite struct MCPCompatibilityTests {
    @Test(.enabled(if: MCPTimeServer.executable != nil,
                   "mcp-server-time is not available: set AWP_TEST_MCP_TIME, or allow pip to install it from PyPI"),
          .timeLimit(.minutes(2)))
    func theOfficialTimeServerWorksThroughAwpPlugins() async throws {
        let executable = try #require(MCPTimeServer.executable)
        try await TestSupport.withTemporaryDirectory { directory in
            let config: JSONValue = ["mcpServers": ["time": ["command": .string(executable), "args": ["--local-timezone", "UTC"]]]]
            try config.serialized(pretty: true).write(to: directory.appendingPathComponent(".mcp.json"), atomically: true, encoding: .utf8)

            let check = try EndToEndTests.spawn("awp", ["plugins", "check", "time", "--json"], in: directory)
            #expect(check.status == 0, "\(check.err)")
            let report = try JSONParser.parse(check.out)
            #expect(report["session"]?["kinds"] == ["tool"])
            #expect(report["session"]?["pluginProtocolVersion"] == nil)
            let tools = report["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(tools.contains("get_current_time") && tools.contains("convert_time"), "\(tools)")

            let call = try EndToEndTests.spawn("awp", ["plugins", "call", "time", "get_current_time", "--args", #"{"timezone": "UTC"}"#],
                                               in: directory)
            #expect(call.status == 0, "\(call.err)")
            let result = try JSONParser.parse(call.out)
            let text = result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            let payload = try JSONParser.parse(text)
            #expect(payload["timezone"] == "UTC")
            #expect(payload["datetime"]?.stringValue?.isEmpty == false)

            // A bad argument comes back as a tool error result (exit 1), not a crash of anything.
            let bad = try EndToEndTests.spawn("awp", ["plugins", "call", "time", "get_current_time", "--args", #"{"timezone": "Nowhere/Atlantis"}"#],
                                              in: directory)
            #expect(bad.status == 1)
        }
    }
}

/// Finds or installs `mcp-server-time` once per test process.
enum MCPTimeServer {
    static let executable: String? = locate()

    private static func locate() -> String? {
        let environment = ProcessInfo.processInfo.environment
        // Set by CI: use it even if broken, so a broken install fails the test instead of skipping it.
        if let path = environment["AWP_TEST_MCP_TIME"], !path.isEmpty { return path }
        let cache = URL(fileURLWithPath: environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache"))
            .appendingPathComponent("awp-tests/mcp-server-time-venv")
        let installed = cache.appendingPathComponent("bin/mcp-server-time").path
        if FileManager.default.isExecutableFile(atPath: installed) { return installed }
        // pip writes the entry script last, so an interrupted install is never mistaken for a good one;
        // `--clear` starts such a half-made venv over.
        try? FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard run("/usr/bin/python3", ["-m", "venv", "--clear", cache.path]),
              run(cache.appendingPathComponent("bin/pip").path, ["install", "--quiet", "--disable-pip-version-check", "mcp-server-time"])
        else { return nil }
        return FileManager.default.isExecutableFile(atPath: installed) ? installed : nil
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
