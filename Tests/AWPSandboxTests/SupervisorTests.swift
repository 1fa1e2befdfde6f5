import AWPSandbox
import AWPTestSupport
import Foundation
import Glibc
import Testing

/// Limits and supervisor behaviours: HOSTILE.md rows 60, 68–70, 78–79, the environment, and bad policies.
@Suite("Supervisor: limits, output caps, wall clock, environment, workspace read-back, bad policies")
struct SupervisorTests {
    @Test("row 60: a CPU spin ends at the CPU limit", arguments: ProbeMode.allCases)
    func cpuSpin(mode: ProbeMode) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let limits = SandboxLimits(timeoutMilliseconds: 30_000, cpuSeconds: 1, memoryMB: 512, maxProcesses: 16)
            let outcome = try await ProbeHarness.run("cpu_spin", mode: mode, in: directory, limits: limits)
            #expect(outcome.result.status == .timedOut)
            #expect(outcome.result.limitsHit.contains("cpu"))
        }
    }

    @Test("row 68: a double-forked daemon dies with the run; no orphan remains on the host", arguments: ProbeMode.allCases)
    func daemonDies(mode: ProbeMode) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let marker = "awp-orphan-\(UUID().uuidString)"
            let outcome = try await ProbeHarness.run("daemonize_escape", argument: marker, mode: mode, in: directory)
            #expect(outcome.token == "forked")
            #expect(hostProcesses(containing: marker).isEmpty)
        }
    }

    @Test("row 69: an output flood is cut at the cap and the run is stopped")
    func outputFlood() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            var limits = SandboxLimits(timeoutMilliseconds: 30_000)
            limits.maxOutputBytes = 1 << 20
            let outcome = try await ProbeHarness.run("output_flood", mode: .asInvoker, in: directory, limits: limits)
            #expect(outcome.result.status == .outputExceeded)
            #expect(outcome.result.stdout.count == 1 << 20)
            #expect(outcome.result.limitsHit.contains("output"))
        }
    }

    @Test("row 70: a sleeping program is killed at the wall-clock limit", arguments: ProbeMode.allCases)
    func wallClock(mode: ProbeMode) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let limits = SandboxLimits(timeoutMilliseconds: 400, memoryMB: 512, maxProcesses: 16)
            let outcome = try await ProbeHarness.run("sleep", mode: mode, in: directory, limits: limits)
            #expect(outcome.result.status == .timedOut)
            #expect(outcome.result.signal == SIGKILL)
            #expect(outcome.result.limitsHit == ["wall"])
            #expect(outcome.token == nil)
        }
    }

    @Test("the child sees only the baseline environment and what the policy names", arguments: ProbeMode.allCases)
    func environmentIsClean(mode: ProbeMode) async throws {
        setenv("AWP_TEST_HOST_SECRET", "host-secret-value", 1)
        try await TestSupport.withTemporaryDirectory { directory in
            let outcome = try await ProbeHarness.run(
                "environment", mode: mode, in: directory, environment: [EnvironmentEntry("GRANTED", "yes")])
            let entries = Set((outcome.token ?? "").split(separator: ",").map(String.init))
            #expect(entries.contains("GRANTED=yes"))
            #expect(!(outcome.token ?? "").contains("host-secret-value"))
            let names = Set(entries.map { String($0.prefix { $0 != "=" }) })
            let allowed: Set = ["PATH", "HOME", "TMPDIR", "LANG", "USER", "PYTHONDONTWRITEBYTECODE", "MPLCONFIGDIR",
                                "MPLBACKEND", "GRANTED", "LC_CTYPE"]
            #expect(names.isSubset(of: allowed), "unexpected variables: \(names.subtracting(allowed).sorted())")
        }
    }

    @Test("row 79: outputs are read back without following symlinks the sandbox left")
    func workspaceSymlinks() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let canaries = try HostCanaries(in: directory)
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let sandbox = try ProbeHarness.sandbox(.asInvoker)
            let script = """
                import os
                os.makedirs("output/sub")
                open("output/result.txt", "w").write("42")
                open("output/sub/more.txt", "w").write("43")
                os.symlink("\(canaries.secretPath)", "output/leak.txt")
                os.symlink("/", "output/rootlink")
                """
            let result = try await sandbox.run(SandboxPolicy(
                command: ["/usr/bin/python3", "-I", "-S", "-c", script], workspace: workspace, handWorkspaceToSandbox: true))
            #expect(result.status == .exited && result.exitCode == 0, "\(result.stderrText)")
            let reader = WorkspaceReader(root: workspace)
            #expect(try reader.read("output/result.txt") == Array("42".utf8))
            #expect(throws: WorkspaceReader.ReadError.symlinkRefused("output/leak.txt")) { try reader.read("output/leak.txt") }
            #expect(throws: WorkspaceReader.ReadError.symlinkRefused("output/rootlink/etc/passwd")) {
                try reader.read("output/rootlink/etc/passwd")
            }
            #expect(throws: WorkspaceReader.ReadError.escapes("../secret.txt")) { try reader.read("../secret.txt") }
            #expect(try reader.files(under: "output") == ["output/result.txt", "output/sub/more.txt"])
        }
    }

    @Test("row 78: a bind source with a symlink anywhere on its path is refused before anything runs")
    func bindSymlinkRefused() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let real = directory.appendingPathComponent("real")
            try FileManager.default.createDirectory(at: real.appendingPathComponent("data"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("link").path, withDestinationPath: real.path)
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let sandbox = try ProbeHarness.sandbox(.asInvoker)
            for source in [directory.appendingPathComponent("link").path, directory.appendingPathComponent("link/data").path] {
                let policy = SandboxPolicy(
                    command: ["/bin/true"], workspace: workspace, capabilities: [.compute, .filesystem],
                    binds: [SandboxBind(source: source, target: "/data")], handWorkspaceToSandbox: true)
                let result = try await sandbox.run(policy)
                #expect(result.status == .setupFailed, "\(source)")
                #expect(result.setupError?.contains("symlink") == true, "\(result.setupError ?? "")")
                #expect(result.mirroredExitCode == 125)
            }
            // The real path works, read-only.
            let policy = SandboxPolicy(
                command: ["/bin/sh", "-c", "ls /data && touch /data/x"], workspace: workspace,
                capabilities: [.compute, .filesystem], binds: [SandboxBind(source: real.path, target: "/data")],
                handWorkspaceToSandbox: true)
            let result = try await sandbox.run(policy)
            #expect(result.stdoutText == "data\n")
            #expect(result.stderrText.contains("Read-only file system"))
        }
    }

    @Test("bad policies fail with a clear error and never start a half-confined run")
    func badPolicies() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let sandbox = try ProbeHarness.sandbox(.asInvoker)
            let missing = SandboxPolicy(
                command: ["/bin/true"], workspace: workspace, capabilities: [.compute, .filesystem],
                binds: [SandboxBind(source: "/nonexistent/awp")])
            let result = try await sandbox.run(missing)
            #expect(result.status == .setupFailed)
            #expect(result.setupError?.contains("/nonexistent/awp") == true)
            #expect(result.mirroredExitCode == 125)

            var absurd = SandboxPolicy(command: ["/bin/true"], workspace: workspace)
            absurd.limits.memoryMB = 1
            await #expect(throws: SandboxError.policy(.invalid("--memory-mb must be between 16 and 1048576"))) {
                try await sandbox.run(absurd)
            }
            #expect(throws: SandboxPolicyError.self) { try SandboxCapability.parse("root") }
            let noCapability = SandboxPolicy(command: ["/bin/true"], workspace: workspace, allowedHosts: ["example.com"])
            await #expect(throws: SandboxError.self) { try await sandbox.run(noCapability) }
            let missingCommand = SandboxPolicy(command: ["no-such-command"], workspace: workspace)
            let notFound = try await sandbox.run(missingCommand)
            #expect(notFound.status == .setupFailed)
            #expect(notFound.setupStage == "exec")
        }
    }

    @Test("stdin bytes reach the command and it sees end-of-file after them")
    func standardInput() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let sandbox = try ProbeHarness.sandbox(.asInvoker)
            let input = Array(repeating: UInt8(ascii: "a"), count: 300_000)
            let result = try await sandbox.run(SandboxPolicy(command: ["/usr/bin/wc", "-c"], workspace: workspace), input: input)
            #expect(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "300000")
        }
    }

    @Test("the launcher refuses a seccomp program that is not a sealed memfd")
    func unsealedProgramRefused() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let process = Process()
            // fd 3 is an ordinary file: anyone could have written it, so it must not be trusted as a filter.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let errors = Pipe()
            process.standardError = errors
            process.arguments = ["-c", "exec 3</dev/null; exec \"$0\" --workspace \"$1\" --seccomp-fd 3 -- /bin/true",
                                 ProbeHarness.launcher, workspace]
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 124)
            #expect(message.contains("sealed memfd"))
        }
    }
}

@Suite("Shared /etc entries: what Debian's /usr packages point into is there, read-only")
struct SharedEtcTests {
    /// numpy loads BLAS through `/etc/alternatives` (libblas.so.3 -> /etc/alternatives/… -> /usr/lib/…/blas);
    /// without the bind it cannot import in the sandbox.
    @Test func alternativesResolveAndCannotBeWritten() async throws {
        let host = try FileManager.default.contentsOfDirectory(atPath: "/etc/alternatives").sorted()
        try #require(!host.isEmpty, "this Debian host has no /etc/alternatives")
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let sandbox = try ProbeHarness.sandbox(.asInvoker)
            let python = try PythonInterpreter.locate()
            let script = """
                import json, os
                names = sorted(os.listdir("/etc/alternatives"))
                try:
                    open("/etc/alternatives/awp-probe", "w")
                    writable = True
                except OSError:
                    writable = False
                print(json.dumps({"names": names, "writable": writable}))
                """
            let policy = SandboxPolicy(command: python.arguments(withSite: false) + ["-c", script], workspace: workspace,
                                       systemBinds: python.binds)
            let result = try await sandbox.run(policy)
            #expect(result.status == .exited, "\(result.stderrText)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
            #expect(report?["names"] as? [String] == host)
            #expect(report?["writable"] as? Bool == false)
        }
    }
}

/// What a long-lived plugin needs from the launcher: secrets passed through its environment rather than
/// its argv (which every local user can read in /proc), and a working directory other than /workspace.
struct PluginLaunchTests {
    @Test func keptVariablesTravelOutsideTheArgvAndTheWorkingDirectoryCanBeChosen() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            var sandbox = try ProbeHarness.sandbox(.asInvoker)
            // The launcher's own environment holds the secret, as the plugin host gives it.
            sandbox.launcherPrefix = ["/usr/bin/env", "AWP_TEST_KEY=sk-kept-0123", "AWP_TEST_OTHER=not-kept"]
            var policy = SandboxPolicy(command: ["/bin/sh", "-c", "echo \"$AWP_TEST_KEY|${AWP_TEST_OTHER:-unset}|${AWP_TEST_ABSENT-absent}|$(pwd)\""],
                                       workspace: workspace)
            policy.keptEnvironment = ["AWP_TEST_KEY", "AWP_TEST_ABSENT"]
            policy.workingDirectory = "/usr/share"
            let arguments = LauncherArguments.make(for: policy, reportFD: nil, proxyFD: nil)
            #expect(!arguments.joined(separator: " ").contains("sk-kept-0123"))
            #expect(arguments.contains("--keep-env") && arguments.contains("--chdir"))
            let result = try await sandbox.run(policy)
            #expect(result.status == .exited, "\(result.stderrText)")
            // Kept: passed. Not named: not passed. Named but unset in the launcher: left unset.
            #expect(String(decoding: result.stdout, as: UTF8.self) == "sk-kept-0123|unset|absent|/usr/share\n")
        }
    }

    @Test func badKeepEnvAndChdirValuesAreRefusedBeforeAnythingRuns() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            var policy = SandboxPolicy(command: ["/bin/true"], workspace: workspace)
            policy.workingDirectory = "relative"
            #expect(throws: SandboxPolicyError.self) { try policy.validate() }
            policy.workingDirectory = nil
            policy.keptEnvironment = ["NOT=A NAME"]
            #expect(throws: SandboxPolicyError.self) { try policy.validate() }
            // The launcher refuses them too, for callers that build the argv by hand.
            let launcher = try ProbeHarness.sandbox(.asInvoker).launcherPath
            for bad in [["--keep-env", "A=B"], ["--chdir", "usr"]] {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: launcher)
                process.arguments = ["--workspace", workspace] + bad + ["--", "/bin/true"]
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 125, "\(bad) was accepted")
            }
        }
    }
}
