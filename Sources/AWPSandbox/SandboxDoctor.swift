public import AWPCore
internal import Foundation
internal import Glibc

/// `awp sandbox doctor`: the kernel features the sandbox relies on, the limits that will be enforced on this
/// host, the interpreter, and a real confined run. Fails closed: `ok` is false when anything mandatory is missing.
public enum SandboxDoctor {
    public struct Report: Sendable {
        public var ok: Bool
        public var kernel: JSONValue
        public var interpreter: String?
        public var interpreterError: String?
        public var smokeTest: SandboxResult?
        public var problems: [String]

        public var json: JSONValue {
            .object([
                ("ok", .bool(ok)),
                ("kernel", kernel),
                ("interpreter", interpreter.map(JSONValue.string) ?? .null),
                ("interpreterError", interpreterError.map(JSONValue.string) ?? .null),
                ("smokeTest", smokeTest.map { .object([("status", .string($0.status.rawValue)), ("wallMs", .number($0.wallMilliseconds))]) } ?? .null),
                ("problems", .array(problems.map(JSONValue.string))),
            ])
        }

        public var lines: [String] {
            func yes(_ value: JSONValue?) -> String { value?.boolValue == true ? "yes" : "no" }
            let seccomp = kernel["seccomp"]
            let cgroup = kernel["cgroup"]
            var lines = [
                "kernel            \(kernel["kernel"]?.stringValue ?? "?") (running as root: \(yes(kernel["root"])), sandbox host uid \(Int(kernel["hostUid"]?.doubleValue ?? 0)))",
                "user namespaces   \(yes(kernel["userNamespaces"]))",
                "seccomp           libseccomp \(seccomp?["libseccomp"]?.stringValue ?? "?"), kill-process \(yes(seccomp?["killProcess"])), user-notify \(yes(seccomp?["userNotify"]))",
                "cgroups           \(cgroup?["version"]?.stringValue ?? "?") (memory: \(yes(cgroup?["memory"])), pids: \(yes(cgroup?["pids"])))",
                "landlock          ABI \(Int(kernel["landlockABI"]?.doubleValue ?? 0)) (present; not yet used as an extra layer)",
                "interpreter       \(interpreter ?? "missing: \(interpreterError ?? "?")")",
                "confined run      \(smokeTest.map { $0.status == .exited && $0.exitCode == 0 ? "ok (\(String(format: "%.1f", $0.wallMilliseconds)) ms)" : "FAILED: \($0.setupError ?? $0.status.rawValue)" } ?? "not run")",
                "enforced limits:",
            ]
            for (key, value) in kernel["limits"]?.objectValue ?? [] {
                lines.append("  \(key.padding(toLength: 8, withPad: " ", startingAt: 0))\(value.stringValue ?? "")")
            }
            lines.append(ok ? "result: ok" : "result: NOT OK: " + problems.joined(separator: "; "))
            return lines
        }
    }

    public static func run(python: String? = nil, launcherPath: String? = nil) async throws(SandboxError) -> Report {
        let launcher: String
        if let launcherPath { launcher = launcherPath } else { launcher = try SandboxLauncher.locate() }
        let output = try capture(launcher, ["--doctor"])
        let kernel = (try? JSONParser.parse(output)) ?? .object([("ok", .bool(false))])
        var problems: [String] = []
        for missing in kernel["missing"]?.arrayValue ?? [] { problems.append("missing \(missing.stringValue ?? "?")") }
        if kernel["ok"]?.boolValue != true && problems.isEmpty { problems.append("the launcher's feature probe failed") }
        var interpreter: PythonInterpreter?
        var interpreterError: String?
        do { interpreter = try PythonInterpreter.locate(python) } catch {
            interpreterError = error.description
            problems.append("no usable interpreter")
        }
        var smoke: SandboxResult?
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("awp-doctor-\(UUID().uuidString)")
        if (try? FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: false)) != nil {
            defer { try? FileManager.default.removeItem(at: workspace) }
            let policy = SandboxPolicy(
                command: ["/bin/true"], workspace: workspace.path, limits: SandboxLimits(timeoutMilliseconds: 10_000),
                handWorkspaceToSandbox: true)
            smoke = try? await Sandbox(launcherPath: launcher).run(policy)
        }
        if smoke?.status != .exited || smoke?.exitCode != 0 { problems.append("a confined /bin/true did not run") }
        return Report(
            ok: problems.isEmpty, kernel: kernel, interpreter: interpreter?.path, interpreterError: interpreterError,
            smokeTest: smoke, problems: problems)
    }

    /// Runs a short command and returns its stdout (the launcher's own probes; not sandboxed).
    static func capture(_ path: String, _ arguments: [String]) throws(SandboxError) -> [UInt8] {
        do {
            let out = try ProcessSpawner.pipe()
            let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
            defer { close(devNull) }
            let pid = try ProcessSpawner.spawn(
                path: path, arguments: arguments, environment: [], descriptors: [(devNull, 0), (out.write, 1), (devNull, 2)])
            close(out.write)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(out.read, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            close(out.read)
            _ = ProcessSpawner.wait(pid)
            return bytes
        } catch {
            throw .spawn(error.description)
        }
    }
}
