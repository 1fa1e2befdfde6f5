import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Synchronization
import Testing

/// The host against real plugin processes: handshake, tools, concurrency, progress, timeouts, cancellation.
@Suite(.timeLimit(.minutes(1))) struct PluginClientTests {
    @Test func handshakeListsToolsWithAnnotationsAndCallsThem() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        let session = try await client.start()
        #expect(session.kinds == [.tool])
        #expect(session.protocolVersion == MCPProtocolVersion.offered)
        #expect(session.declaration?.protocolVersion == AWPPluginProtocol.version)
        #expect(session.serverInfo.name == "echo")

        let tools = try await client.listTools()
        let echo = try #require(tools.first { $0.name == "echo" })
        #expect(echo.annotations?.readOnlyHint == true)
        #expect(echo.annotations?.idempotentHint == true)

        let result = try await client.callTool("echo", arguments: ["text": "héllo\nworld", "n": 2])
        #expect(result.text == "héllo\nworld")
        #expect(result.structuredContent == ["n": 2])

        let failed = try await client.callTool("fail", arguments: ["message": "disk full"])
        #expect(failed.isError && failed.text == "disk full")

        await #expect(throws: PluginError.self) { try await client.callTool("no-such-tool") }
        do {
            _ = try await client.callTool("no-such-tool")
        } catch let error as PluginError {
            #expect(error.kind == .invalidRequest)
            #expect(error.plugin == "echo" && error.method == "tools/call")
            #expect(error.message.contains("no-such-tool"))
        }
        let pid = try #require(await client.pid)
        await client.shutdown()
        #expect(await PluginFixtures.isGone(pid))
    }

    @Test func concurrentCallsAreMultiplexedOnOneProcess() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask { (index, try await client.callTool("echo", arguments: ["text": .string("call \(index)")]).text) }
            }
            for try await (index, text) in group { #expect(text == "call \(index)") }
        }
        #expect(await client.restartCount == 0)
        await client.shutdown()
    }

    @Test func progressNotificationsReachTheCaller() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        let seen = Mutex<[Double]>([])
        let result = try await client.callTool("sleep", arguments: ["ms": 60]) { progress in
            seen.withLock { $0.append(progress.progress) }
        }
        #expect(result.text == "slept 60 ms")
        let values = seen.withLock { $0 }
        #expect(!values.isEmpty)
        #expect(values == values.sorted())
        await client.shutdown()
    }

    @Test func aTimedOutCallFailsAloneAndThePluginKeepsServing() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        try await client.start()
        let pid = await client.pid
        do {
            _ = try await client.callTool("sleep", arguments: ["ms": 30_000], timeout: .milliseconds(200))
            Issue.record("the call did not time out")
        } catch let error as PluginError {
            #expect(error.kind == .timeout && error.retryable)
        }
        #expect(try await client.callTool("echo", arguments: ["text": "still here"]).text == "still here")
        #expect(await client.pid == pid)
        await client.shutdown()
    }

    @Test func cancellingTheCallingTaskCancelsTheCall() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        try await client.start()
        let call = Task { try await client.callTool("sleep", arguments: ["ms": 30_000]) }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        do {
            _ = try await call.value
            Issue.record("the cancelled call returned")
        } catch let error as PluginError {
            #expect(error.kind == .cancelled)
        }
        #expect(try await client.callTool("echo", arguments: ["text": "ok"]).text == "ok")
        await client.shutdown()
    }

    @Test func callsAfterShutdownFailAsUnavailable() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        try await client.start()
        await client.shutdown()
        do {
            _ = try await client.callTool("echo")
            Issue.record("a call after shutdown succeeded")
        } catch let error as PluginError {
            #expect(error.kind == .unavailable)
        }
    }

    @Test func toolListsArePagedThroughCursors() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let client = PluginClient(manifest: try PluginFixtures.scripted("plain", in: directory), options: PluginFixtures.options())
            let session = try await client.start()
            #expect(session.declaration == nil)
            #expect(session.kinds == [.tool])
            #expect(try await client.listTools().map(\.name) == ["t0", "t1", "t2", "t3", "t4", "t5"])
            await client.shutdown()
        }
    }

    @Test func aMissingExecutableIsASpawnFailureNamingTheCommand() async throws {
        let manifest = PluginManifest(name: "ghost", command: "/nonexistent/awp-tool-ghost")
        let client = PluginClient(manifest: manifest, options: PluginFixtures.options())
        do {
            try await client.start()
            Issue.record("started a missing executable")
        } catch let error as PluginError {
            #expect(error.kind == .spawnFailed)
            #expect(error.description.contains("ghost") && error.message.contains("/nonexistent/awp-tool-ghost"))
        }
    }

    @Test func restartBackoffDoublesAndCaps() {
        let policy = PluginRestartPolicy(maximumConsecutiveCrashes: 5, initialBackoff: .milliseconds(500), maximumBackoff: .seconds(30))
        #expect(policy.backoff(afterCrashes: 0) == .zero)
        #expect(policy.backoff(afterCrashes: 1) == .milliseconds(500))
        #expect(policy.backoff(afterCrashes: 3) == .seconds(2))
        #expect(policy.backoff(afterCrashes: 20) == .seconds(30))
    }
}
