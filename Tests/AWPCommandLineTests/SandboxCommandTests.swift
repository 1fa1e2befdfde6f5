import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// `awp sandbox exec` and `awp sandbox doctor`, spawned as scripts call them (ARCHITECTURE §7).
@Suite struct SandboxCommandTests {
    func exec(_ arguments: [String]) throws -> EndToEndTests.Output {
        try EndToEndTests.spawn("awp", ["sandbox", "exec"] + arguments)
    }

    @Test("--json prints exactly the contract's object, and the exit code mirrors the child")
    func jsonShape() throws {
        let result = try exec(["--json", "--", "sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(result.status == 7)
        let value = try JSONParser.parse(result.out)
        let keys = value.objectValue?.map(\.key) ?? []
        for key in ["status", "exitCode", "signal", "violation", "stdout", "stderr", "wallMs", "cpuMs", "maxRssKb"] {
            #expect(keys.contains(key), "missing \(key)")
        }
        #expect(value["status"] == "exited")
        #expect(value["exitCode"] == .integer(7))
        #expect(value["signal"] == .null && value["violation"] == .null)
        #expect(value["stdout"] == "out\n" && value["stderr"] == "err\n")
        #expect((value["wallMs"]?.doubleValue ?? 0) > 0)
    }

    @Test("violations, timeouts and set-up failures map to their status and exit code")
    func outcomes() throws {
        let violation = try exec(["--json", "--", "/usr/bin/python3", "-I", "-S", "-c", "import ctypes; ctypes.CDLL(None).ptrace(0,0,0,0)"])
        #expect(try JSONParser.parse(violation.out)["violation"]?["syscall"] == "ptrace")
        #expect(violation.status == 137)
        let timeout = try exec(["--json", "--timeout-s", "0.3", "--", "sleep", "10"])
        #expect(try JSONParser.parse(timeout.out)["status"] == "timed_out")
        #expect(timeout.status == 137)
        let missing = try exec(["--json", "--", "no-such-program"])
        #expect(try JSONParser.parse(missing.out)["status"] == "setup_failed")
        #expect(missing.status == 125)
    }

    @Test("bad flags: unknown capability and binds without the filesystem capability exit 125; no '--' is a usage error")
    func badInvocations() throws {
        let capability = try exec(["--capability", "root", "--", "true"])
        #expect(capability.status == 125)
        #expect(capability.err.contains("unknown capability 'root'"))
        let bind = try exec(["--ro", "/etc", "--", "true"])
        #expect(bind.status == 125)
        #expect(bind.err.contains("filesystem"))
        let usage = try exec(["true"])
        #expect(usage.status == 64)
        let absurd = try exec(["--memory-mb", "1", "--", "true"])
        #expect(absurd.status == 125)
    }

    @Test("--workspace and the filesystem capability: files land in the workspace; --ro is read-only")
    func workspaceAndBinds() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = directory.appendingPathComponent("ws")
            let data = directory.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try "input".write(to: data.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
            chmod(directory.path, 0o755)
            chmod(data.path, 0o755)
            chmod(data.appendingPathComponent("in.txt").path, 0o644)
            let result = try exec([
                "--workspace", workspace.path, "--capability", "filesystem", "--ro", data.path, "--",
                "sh", "-c", "cat \(data.path)/in.txt > copied.txt; touch \(data.path)/x 2>/dev/null || echo read-only",
            ])
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out == "read-only\n")
            #expect(try String(contentsOf: workspace.appendingPathComponent("copied.txt"), encoding: .utf8) == "input")
        }
    }

    @Test("doctor reports the kernel features and passes on this host")
    func doctor() throws {
        let result = try EndToEndTests.spawn("awp", ["sandbox", "doctor", "--json"])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        let value = try JSONParser.parse(result.out)
        #expect(value["ok"] == .bool(true))
        #expect(value["kernel"]?["userNamespaces"] == .bool(true))
        #expect(value["kernel"]?["seccomp"]?["killProcess"] == .bool(true))
        #expect(value["smokeTest"]?["status"] == "exited")
        let broken = try EndToEndTests.spawn("awp", ["sandbox", "doctor", "--python", "/nonexistent/python3"])
        #expect(broken.status == 1)
        #expect(broken.out.contains("NOT OK"))
    }
}
