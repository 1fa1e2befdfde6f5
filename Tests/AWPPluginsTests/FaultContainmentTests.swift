import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// Plugins that crash, hang, pollute stdout, flood stderr or speak the wrong protocol: each yields a
/// typed error, the host carries on, other calls and plugins are unaffected, and no process is left over.
@Suite(.timeLimit(.minutes(2))) struct FaultContainmentTests {
    func expectPluginError(_ kind: PluginErrorKind, _ body: () async throws -> Void,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> PluginError? {
        await PluginFixtures.expectPluginError(kind, body, sourceLocation: sourceLocation)
    }

    @Test func aCrashMidCallFailsEveryCallInFlightThenThePluginRestarts() async throws {
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        let other = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options())
        try await client.start()
        try await other.start()
        let firstPID = try #require(await client.pid)

        let slow = Task { try await client.callTool("sleep", arguments: ["ms": 20_000]) }
        let otherSlow = Task { try await other.callTool("sleep", arguments: ["ms": 300]) }
        try await Task.sleep(for: .milliseconds(50))
        let error = await expectPluginError(.pluginCrashed) {
            _ = try await client.callTool("exit", arguments: ["status": 3, "stderr": "out of cheese"])
        }
        #expect(error?.message.contains("exited with status 3") == true)
        #expect(error?.message.contains("out of cheese") == true)
        #expect(error?.retryable == true)
        let slowError = await expectPluginError(.pluginCrashed) { _ = try await slow.value }
        #expect(slowError?.method == "tools/call")

        // The other plugin's call in flight is untouched.
        #expect(try await otherSlow.value.text == "slept 300 ms")
        // The crashed one is replaced on the next call.
        #expect(try await client.callTool("echo", arguments: ["text": "back"]).text == "back")
        #expect(await client.restartCount == 1)
        #expect(await client.pid != firstPID)
        #expect(await PluginFixtures.isGone(firstPID))
        await client.shutdown()
        await other.shutdown()
    }

    @Test func aPluginThatKeepsCrashingIsGivenUpOn() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let client = PluginClient(manifest: try PluginFixtures.scripted("exit-at-start", in: directory),
                                      options: PluginFixtures.options())
            for _ in 0...3 {
                let error = await expectPluginError(.pluginCrashed) { try await client.start() }
                #expect(error?.message.contains("exited with status 2") == true)
                #expect(error?.message.contains("fatal: no configuration found") == true)
            }
            let final = await expectPluginError(.unavailable) { try await client.start() }
            #expect(final?.message.contains("times in a row") == true)
        }
    }

    @Test func exitDuringTheHandshakeIsACrashWithItsStderr() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let client = PluginClient(manifest: try PluginFixtures.scripted("exit-in-handshake", in: directory),
                                      options: PluginFixtures.options())
            let error = await expectPluginError(.pluginCrashed) { try await client.start() }
            #expect(error?.method == "initialize")
            #expect(error?.message.contains("crashed while initializing") == true)
        }
    }

    @Test func aHandshakeThatNeverAnswersTimesOut() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            var manifest = try PluginFixtures.scripted("hang-handshake", in: directory)
            manifest.startupTimeout = .milliseconds(300)
            let client = PluginClient(manifest: manifest, options: PluginFixtures.options())
            let error = await expectPluginError(.timeout) { try await client.start() }
            #expect(error?.message.contains("flush") == true)
        }
    }

    @Test func wrongProtocolVersionsAreProtocolMismatches() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            for mode in ["wrong-version", "wrong-plugin-protocol"] {
                let client = PluginClient(manifest: try PluginFixtures.scripted(mode, in: directory), options: PluginFixtures.options())
                let error = await expectPluginError(.protocolMismatch) { try await client.start() }
                #expect(error?.retryable == false)
                #expect(error?.message.contains(mode == "wrong-version" ? "1999-01-01" : "protocol 99") == true)
            }
            // A manifest claiming a provider that turns out to be a plain tool server is refused too.
            var manifest = try PluginFixtures.scripted("plain", in: directory)
            manifest.kinds = [.provider]
            let client = PluginClient(manifest: manifest, options: PluginFixtures.options())
            _ = await expectPluginError(.protocolMismatch) { try await client.start() }
        }
    }

    @Test func nonJSONStdoutLinesAreToleratedBelowTheLimit() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let logged = Mutex(0)
            let options = PluginFixtures.options { $0.log = { record in if record.source == .host { logged.withLock { $0 += 1 } } } }
            let client = PluginClient(manifest: try PluginFixtures.scripted("banner", in: directory), options: options)
            #expect(try await client.callTool("echo", arguments: ["a": 1]).text == #"{"a": 1}"#)
            #expect(await client.nonJSONLineCount == 2)
            #expect(logged.withLock { $0 } == 2)

            // Far beyond the limit, the plugin is treated as broken.
            let error = await expectPluginError(.protocolViolation) {
                _ = try await client.callTool("noise-flood", arguments: ["lines": 1000])
            }
            #expect(error?.message.contains("not JSON-RPC") == true)
            await client.shutdown()
        }
    }

    @Test func anOversizedLineStopsThePluginWithoutHurtingTheHost() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let options = PluginFixtures.options { $0.maximumLineLength = 1 << 20 }
            let client = PluginClient(manifest: try PluginFixtures.scripted("plain", in: directory), options: options)
            let fits = try await client.callTool("big", arguments: ["bytes": 900_000])
            #expect(fits.text.utf8.count == 900_000)
            let error = await expectPluginError(.protocolViolation) {
                _ = try await client.callTool("big", arguments: ["bytes": .integer(2 << 20)])
            }
            #expect(error?.message.contains("longer than 1048576 bytes") == true)
            #expect(try await client.callTool("echo").isError == false)
            await client.shutdown()
        }
    }

    @Test func aLineOverTheDefault64MiBLimitIsRefused() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let client = PluginClient(manifest: try PluginFixtures.scripted("plain", in: directory), options: PluginFixtures.options())
            _ = await expectPluginError(.protocolViolation) {
                _ = try await client.callTool("big", arguments: ["bytes": .integer((64 << 20) + 1)])
            }
            await client.shutdown()
        }
    }

    @Test func aStderrFloodIsDrainedAndCapped() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let forwarded = Mutex(0)
            let options = PluginFixtures.options { options in
                options.stderrForwardLimit = 64 << 10
                options.log = { record in if record.source == .stderr { forwarded.withLock { $0 += record.message.utf8.count } } }
            }
            let client = PluginClient(manifest: try PluginFixtures.scripted("plain", in: directory), options: options)
            // 8 MiB of stderr before the answer: an undrained pipe would deadlock at 64 KiB.
            let result = try await client.callTool("stderr-flood", arguments: ["kib": 8192])
            #expect(result.isError == false)
            #expect(forwarded.withLock { $0 } < 80 << 10)
            #expect(await client.stderrTail.utf8.count <= 4096)
            await client.shutdown()
        }
    }

    @Test func shutdownKillsAPluginThatIgnoresEOFAndSIGTERM() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let options = PluginFixtures.options { $0.shutdownGrace = .milliseconds(200) }
            let client = PluginClient(manifest: try PluginFixtures.scripted("ignore-term", in: directory), options: options)
            try await client.start()
            let pid = try #require(await client.pid)
            await client.shutdown()
            #expect(await PluginFixtures.isGone(pid))
        }
    }

    @Test func shutdownLeavesNoGrandchildrenBehind() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let pidFile = directory.appendingPathComponent("grandchild.pid")
            let client = PluginClient(manifest: try PluginFixtures.scripted("grandchild", in: directory, extra: [pidFile.path]),
                                      options: PluginFixtures.options())
            try await client.start()
            let pid = try #require(await client.pid)
            let grandchild = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8)))
            #expect(PluginFixtures.liveMembers(ofGroup: pid).contains(grandchild))
            await client.shutdown()
            #expect(await PluginFixtures.isGone(pid))
            #expect(!PluginFixtures.liveMembers(ofGroup: pid).contains(grandchild))
        }
    }
}
