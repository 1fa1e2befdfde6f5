import AWPCommandLine
import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// `awp plugins`, `awp bench rpc` and `awp bench all` in-process (the test bundle sits beside the built-in plugins),
/// and `awp plugins call` as a spawned process.
@Suite(.timeLimit(.minutes(1))) struct PluginsCommandTests {
    func run(_ arguments: [String]) async -> (status: Int32, out: String, err: String) {
        let console = CapturingConsole()
        let status = await AWPCommandLine.main(["awp"] + arguments, console: console.console)
        return (status, console.standardOutput, console.standardError)
    }

    @Test func checkRunsThePluginConfinedAndSaysWithWhatUnlessItIsTrusted() async throws {
        let confined = await run(["plugins", "check", "openai", "--json"])
        #expect(confined.status == 0, "\(confined.err)")
        let value = try JSONParser.parse(confined.out)
        #expect(value["confinement"]?["sandboxed"] == true)
        #expect(value["confinement"]?["granted"]?["network"]?.arrayValue?.contains("api.openai.com") == true)
        let echo = await run(["plugins", "check", "echo"])
        #expect(echo.status == 0, "\(echo.err)")
        #expect(echo.out.contains("runs: sandboxed: no network"), "\(echo.out)")
        let trusted = await run(["plugins", "check", "echo", "--trust-plugin", "echo"])
        #expect(trusted.out.contains("runs: unconfined (--trust-plugin)"), "\(trusted.out)")
    }

    @Test func listShowsTheBuiltInsAndWorkflowPlugins() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            try TestSupport.write(#"{"name": "local", "kinds": ["tool"], "command": "./run.sh"}"#,
                                  to: "plugins/local/awp-plugin.json", in: directory)
            try TestSupport.write(#"{"name": "echo", "command": "/bin/true"}"#, to: "plugins/echo.awp-plugin.json", in: directory)
            try TestSupport.write(#"{"name": "broken""#, to: "plugins/bad.awp-plugin.json", in: directory)
            try TestSupport.write(#"{"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"]}}}"#,
                                  to: ".mcp.json", in: directory)
            let result = await run(["plugins", "list", "--json", "--workflow", directory.path])
            #expect(result.status == 0, "\(result.err)")
            let value = try JSONParser.parse(result.out)
            let plugins = try #require(value["plugins"]?.arrayValue)
            let names = plugins.compactMap { $0["name"]?.stringValue }
            #expect(Set(names).isSuperset(of: ["fake", "echo", "files"]))
            #expect(names.contains("local") && names.contains("time"))
            let local = try #require(plugins.first { $0["name"] == "local" })
            #expect(local["command"] == .string(directory.path + "/plugins/local/run.sh"))
            #expect(local["origin"] == "workflow")
            #expect(plugins.first { $0["name"] == "time" }?["origin"] == "mcp")
            #expect(value["shadowed"]?.arrayValue?.first?["location"]?.stringValue?.hasSuffix("echo.awp-plugin.json") == true)
            #expect(value["problems"]?.arrayValue?.first?["path"]?.stringValue?.hasSuffix("bad.awp-plugin.json") == true)

            let text = await run(["plugins", "list", "--workflow", directory.path])
            #expect(text.out.contains("echo") && text.out.contains("builtin"))
            #expect(text.err.contains("shadowed"))
        }
    }

    @Test func checkReportsToolsAndModels() async throws {
        let echo = await run(["plugins", "check", "echo", "--json"])
        #expect(echo.status == 0, "\(echo.err)")
        let value = try JSONParser.parse(echo.out)
        #expect(value["ok"] == true)
        #expect(value["tools"]?.arrayValue?.contains { $0["name"] == "echo" } == true)
        let fake = await run(["plugins", "check", "fake"])
        #expect(fake.status == 0, "\(fake.err)")
        #expect(fake.out.contains("fake-1"))
    }

    @Test func callPrintsTheResultAsJSONAndFailuresNameThePlugin() async throws {
        let result = await run(["plugins", "call", "echo", "echo", "--args", #"{"text": "hi"}"#])
        #expect(result.status == 0, "\(result.err)")
        #expect(try JSONParser.parse(result.out)["content"]?.arrayValue?.first?["text"] == "hi")

        let toolError = await run(["plugins", "call", "echo", "fail", "--args", #"{"message": "nope"}"#])
        #expect(toolError.status == 1)
        #expect(try JSONParser.parse(toolError.out)["isError"] == true)

        let unknownTool = await run(["plugins", "call", "echo", "missing"])
        #expect(unknownTool.status == 1)
        #expect(unknownTool.err.contains("plugin 'echo' (tools/call): invalid_request"))

        let timeout = await run(["plugins", "call", "echo", "sleep", "--args", #"{"ms": 5000}"#, "--timeout-s", "0.2"])
        #expect(timeout.status == 1)
        #expect(timeout.err.contains("timeout"))

        let crash = await run(["plugins", "call", "echo", "exit", "--args", #"{"status": 7}"#])
        #expect(crash.status == 1)
        #expect(crash.err.contains("plugin_crashed") && crash.err.contains("status 7"))

        let unknownPlugin = await run(["plugins", "call", "nope", "echo"])
        #expect(unknownPlugin.status == 1)
        #expect(unknownPlugin.err.contains("no plugin named 'nope'"))
    }

    @Test func usageErrorsExitSixtyFour() async {
        #expect(await run(["plugins"]).status == 64)
        #expect(await run(["plugins", "frob"]).status == 64)
        #expect(await run(["plugins", "call", "echo"]).status == 64)
        #expect(await run(["plugins", "call", "echo", "echo", "--args", "[1]"]).status == 64)
        #expect(await run(["plugins", "call", "echo", "echo", "--args", "{"]).status == 64)
    }

    @Test func theBuiltAwpCallsAToolEndToEnd() throws {
        let result = try EndToEndTests.spawn("awp", ["plugins", "call", "echo", "echo", "--args", #"{"text": "from a process"}"#])
        #expect(result.status == 0, "\(result.err)")
        #expect(try JSONParser.parse(result.out)["content"]?.arrayValue?.first?["text"] == "from a process")
    }

    @Test func benchRPCProducesFiguresWithoutAssertingThem() async throws {
        let result = await run(["bench", "rpc", "--json", "--iterations", "200", "--message-mib", "1"])
        #expect(result.status == 0, "\(result.err)")
        let value = try JSONParser.parse(result.out)
        #expect(value["benchmark"] == "rpc")
        #expect(value["results"]?.arrayValue?.contains { $0["plugin"] == "swift-echo" && $0["concurrency"] == 64 } == true)
        #expect(value["largeMessage"]?.arrayValue?.first?["bytes"] == .integer(1 << 20))
        // What confinement costs: start-up both ways and confined round trips.
        let startup = try #require(value["startup"])
        #expect(startup["unconfinedStartMs"]?.doubleValue != nil && startup["confinedStartMs"]?.doubleValue != nil)
        #expect(startup["confined"]?["roundTrips"] == 2000)
    }

    @Test func benchAllPrintsOneObjectWithValidateRPCAndSandbox() async throws {
        let workflow = TestSupport.packageRoot.appendingPathComponent("Examples/a0-single-agent").path
        let result = await run(["bench", "all", workflow, "--json", "--iterations", "100", "--message-mib", "1", "--rounds", "2"])
        let value = try JSONParser.parse(result.out)
        #expect(value["benchmark"] == "all")
        #expect(value["validate"]?["benchmark"] == "validate")
        #expect(value["validate"]?["results"]?.arrayValue?.first?["valid"] == true)
        #expect(value["rpc"]?["benchmark"] == "rpc")
        #expect(value["rpc"]?["results"]?.arrayValue?.contains { $0["plugin"] == "swift-echo" } == true)
        #expect(value["sandbox"]?["benchmark"] != nil)
        // Where namespaces are unavailable the sandbox member says so and the status is 1; elsewhere all ran.
        #expect(result.status == (value["sandbox"]?["error"] == nil ? 0 : 1), "\(result.err)")
    }
}
