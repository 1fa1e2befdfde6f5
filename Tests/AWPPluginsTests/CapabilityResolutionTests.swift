import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// How a manifest's declared capabilities become the capabilities of one plugin start, and the spawn
/// seam a confining wrapper uses: passed descriptors and spawn hooks.
@Suite struct CapabilityResolutionTests {
    @Test func variablesResolveAgainstThePluginsEnvironmentAndUnsetOnesGrantNothing() throws {
        let declared = PluginCapabilities(
            network: ["api.openai.com", "$OPENAI_BASE_URL", "${PROXY_HOST}", "$UNSET_HOST", "API.Example.org:8443"],
            readPaths: ["$SCRIPT", "${DATA}/inputs", "$UNSET_PATH/x"], writePaths: ["$ROOT"])
        let environment = ["OPENAI_BASE_URL": "https://openrouter.ai/api/v1", "PROXY_HOST": "llm.internal.example",
                           "SCRIPT": "/srv/replies.jsonl", "DATA": "/data", "ROOT": "/var/files", "UNSET_HOST": ""]
        let resolved = try declared.resolved(in: environment)
        // A URL contributes its host; a port is dropped (the egress proxy decides ports); names are lower-cased.
        #expect(resolved.network == ["api.openai.com", "openrouter.ai", "llm.internal.example", "api.example.org"])
        #expect(resolved.readPaths == ["/srv/replies.jsonl", "/data/inputs"])
        #expect(resolved.writePaths == ["/var/files"])
        // Nothing set: only the literal entries remain.
        let bare = try declared.resolved(in: [:])
        #expect(bare.network == ["api.openai.com", "api.example.org"])
        #expect(bare.readPaths.isEmpty && bare.writePaths.isEmpty)
    }

    @Test func aPathThatIsRelativeAfterResolutionIsRefusedNamingTheEntry() {
        let declared = PluginCapabilities(writePaths: ["$ROOT"])
        #expect {
            _ = try declared.resolved(in: ["ROOT": "relative/dir"])
        } throws: { error in
            "\(error)".contains("'$ROOT' is 'relative/dir', which is not an absolute path")
        }
    }

    @Test func aWrapperCanPassDescriptorsAndIsToldWhenThePluginEnds() async throws {
        // The wrapper hands the child a pipe as descriptor 3, as the sandbox wrapper hands the launcher its
        // egress socket, and the child writes through it before becoming the echo plugin.
        final class Recorder: Sendable {
            let events = Mutex<[String]>([])
            func note(_ event: String) { events.withLock { $0.append(event) } }
        }
        struct PassingWrapper: PluginCommandWrapper {
            let pipeWrite: Int32
            let recorder: Recorder
            func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
                let script = "echo through-descriptor-3 >&3; exec 3>&-; exec \"$0\" \"$@\""
                return PluginCommand(executable: "/bin/sh", arguments: ["-c", script, command.executable] + command.arguments,
                                     environment: command.environment, passedDescriptors: [pipeWrite],
                                     hooks: PluginSpawnHooks(spawned: { [recorder] in recorder.note("spawned") },
                                                             ended: { [recorder] in recorder.note("ended") }))
            }
        }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let recorder = Recorder()
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options {
            $0.commandWrapper = PassingWrapper(pipeWrite: fds[1], recorder: recorder)
        })
        #expect(try await client.callTool("echo", arguments: ["text": "wrapped"]).text == "wrapped")
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fds[0], &buffer, buffer.count)
        close(fds[0])
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "through-descriptor-3\n")
        #expect(recorder.events.withLock { $0 } == ["spawned"])
        await client.shutdown()
        // The reaper runs the end hook once the process is gone.
        for _ in 0..<200 where recorder.events.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(recorder.events.withLock { $0 } == ["spawned", "ended"])
    }

    @Test func aFailedSpawnStillRunsTheEndHook() async throws {
        final class Flag: Sendable { let ended = Mutex(0) }
        struct MissingLauncher: PluginCommandWrapper {
            let flag: Flag
            func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
                PluginCommand(executable: "/nonexistent/awp-sandbox", hooks: PluginSpawnHooks(ended: { [flag] in
                    flag.ended.withLock { $0 += 1 }
                }))
            }
        }
        let flag = Flag()
        let client = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options {
            $0.commandWrapper = MissingLauncher(flag: flag)
        })
        await #expect(throws: PluginError.self) { try await client.start() }
        #expect(flag.ended.withLock { $0 } >= 1, "the hook that releases the wrapper's resources never ran")
        await client.shutdown()
    }
}
