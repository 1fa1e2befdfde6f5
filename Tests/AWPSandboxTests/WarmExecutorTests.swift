import AWPSandbox
import AWPTestSupport
import Foundation
import Testing

@Suite("Warm executor: a persistent confined interpreter per worker")
struct WarmExecutorTests {
    func withExecutor(_ body: (WarmExecutor) async throws -> Void) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let workspace = try ProbeHarness.workspace(in: directory, mode: .asInvoker)
            let policy = SandboxPolicy(
                command: [], workspace: workspace,
                limits: SandboxLimits(timeoutMilliseconds: nil, memoryMB: 1024, maxProcesses: 32), handWorkspaceToSandbox: true)
            let executor = WarmExecutor(
                sandbox: try ProbeHarness.sandbox(.asInvoker), policy: policy, interpreter: try PythonInterpreter.locate(),
                outputLimit: 4096)
            try await body(executor)
            await executor.stop()
        }
    }

    @Test("snippets share a namespace, output is captured, errors come back as tracebacks")
    func basics() async throws {
        try await withExecutor { executor in
            let first = try await executor.run("x = 21\nprint('hello')\nimport sys; print('warn', file=sys.stderr)")
            #expect(first.ok && first.stdout == "hello\n" && first.stderr == "warn\n")
            let second = try await executor.run("print(x * 2)\nopen('/workspace/out.txt', 'w').write('ok')")
            #expect(second.stdout == "42\n")
            let failure = try await executor.run("1/0")
            #expect(!failure.ok && failure.error?.contains("ZeroDivisionError") == true)
            let subprocess = try await executor.run("import subprocess; subprocess.run(['echo', 'child'])")
            #expect(subprocess.stdout == "child\n")
            #expect(await executor.starts == 1)
        }
    }

    @Test("the executor is confined exactly like a one-shot run")
    func confined() async throws {
        try await withExecutor { executor in
            let socket = try await executor.run("import socket; socket.socket()")
            #expect(socket.error?.contains("PermissionError") == true)
            let secret = try await executor.run("open('/etc/shadow')")
            #expect(secret.error?.contains("FileNotFoundError") == true)
            let escape = try await executor.run("import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)")
            #expect(escape.crashed)
            let after = try await executor.run("print('fresh', 'x' in globals())")
            #expect(after.stdout == "fresh False\n")
            #expect(await executor.starts == 2)
        }
    }

    @Test("timeouts: a soft timeout keeps the executor; ignoring it gets the sandbox killed and restarted")
    func timeouts() async throws {
        try await withExecutor { executor in
            let soft = try await executor.run("import time\ntime.sleep(5)", timeout: 0.2)
            #expect(soft.timedOut && !soft.crashed)
            #expect(try await executor.run("print(1)").stdout == "1\n")
            #expect(await executor.starts == 1)
            let stubborn = try await executor.run("""
                import time
                while True:
                    try:
                        time.sleep(5)
                    except BaseException:
                        pass
                """, timeout: 0.2)
            #expect(stubborn.timedOut)
            #expect(try await executor.run("print(2)").stdout == "2\n")
            #expect(await executor.starts == 2)
        }
    }

    @Test("a crash restarts the executor; output beyond the cap is truncated")
    func crashAndCap() async throws {
        try await withExecutor { executor in
            let crash = try await executor.run("import os; os._exit(3)")
            #expect(crash.crashed)
            let big = try await executor.run("print('y' * 10000)")
            #expect(big.truncated && big.stdout.count == 4096)
            #expect(await executor.starts == 2)
        }
    }
}
