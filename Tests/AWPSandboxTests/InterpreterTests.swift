import AWPSandbox
import AWPTestSupport
import Foundation
import Glibc
import Testing

@Suite("Interpreter: a real, world-readable Python; shims and private prefixes are refused with a fix")
struct InterpreterTests {
    @Test("Debian's python3 is found and needs no extra binds")
    func debianPython() throws {
        let python = try PythonInterpreter.locate()
        #expect(python.path.hasPrefix("/usr/bin/python3"))
        #expect(python.binds.isEmpty)
        #expect(python.arguments(withSite: false) == [python.path, "-I", "-S"])
    }

    @Test("a pyenv-style shim script is refused, saying how to fix it")
    func shimRefused() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let shim = directory.appendingPathComponent("python3")
            try "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n".write(to: shim, atomically: true, encoding: .utf8)
            chmod(shim.path, 0o755)
            #expect {
                try PythonInterpreter.locate(shim.path)
            } throws: { error in
                let text = "\(error)"
                return text.contains("is a script") && text.contains("apt-get install python3")
            }
        }
    }

    @Test("an interpreter under a directory other users cannot search is refused")
    func privatePrefixRefused() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let prefix = directory.appendingPathComponent("private/bin")
            try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
            let copy = prefix.appendingPathComponent("python3")
            try FileManager.default.copyItem(atPath: try PythonInterpreter.locate().path, toPath: copy.path)
            chmod(directory.path, 0o755)
            chmod(directory.appendingPathComponent("private").path, 0o700)
            #expect {
                try PythonInterpreter.locate(copy.path)
            } throws: { error in "\(error)".contains("not searchable by other users") }
            // Opened up, the same binary is accepted, with its prefix bound read-only.
            chmod(directory.appendingPathComponent("private").path, 0o755)
            let accepted = try PythonInterpreter.locate(copy.path)
            #expect(accepted.binds == [SandboxBind(source: directory.appendingPathComponent("private").path)])
        }
    }

    @Test("a missing interpreter is a clear error")
    func missing() {
        #expect(throws: SandboxError.interpreter("/nonexistent/python3 does not exist; install Debian's Python (apt-get install python3) or pass --python with a world-readable interpreter")) {
            try PythonInterpreter.locate("/nonexistent/python3")
        }
    }
}
