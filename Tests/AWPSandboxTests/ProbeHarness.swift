import AWPSandbox
import AWPTestSupport
import Foundation
import Glibc

/// Who starts the launcher in a test: the test process itself (root in CI), or an ordinary uid through
/// `setpriv` (the path a non-root user takes).
enum ProbeMode: String, CaseIterable, Sendable, CustomStringConvertible {
    case asInvoker
    case unprivileged

    var description: String { rawValue }
    static let nobody: UInt32 = 65534
    static var isRoot: Bool { geteuid() == 0 }
}

/// Runs hostile probes in real sandboxes.
enum ProbeHarness {
    static let probeSource: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Probes/hostile.py")
        return try! String(contentsOf: url, encoding: .utf8)
    }()

    static var launcher: String { TestSupport.productsDirectory.appendingPathComponent("awp-sandbox").path }

    /// A copy of the launcher that an ordinary uid can reach (the build directory may sit under a 0700 home).
    static let sharedLauncher: String = {
        let directory = "/tmp/awp-test-launcher-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let copy = directory + "/awp-sandbox"
        try? FileManager.default.removeItem(atPath: copy)
        try! FileManager.default.copyItem(atPath: launcher, toPath: copy)
        chmod(copy, 0o755)
        return copy
    }()

    static func sandbox(_ mode: ProbeMode, resolver: (any HostResolver)? = nil) throws -> Sandbox {
        if mode == .unprivileged && ProbeMode.isRoot {
            var sandbox = try Sandbox(launcherPath: sharedLauncher, resolver: resolver)
            sandbox.launcherPrefix = [
                "/usr/bin/setpriv", "--reuid=\(ProbeMode.nobody)", "--regid=\(ProbeMode.nobody)", "--clear-groups", "--",
            ]
            return sandbox
        }
        return try Sandbox(launcherPath: launcher, resolver: resolver)
    }

    /// A workspace the sandbox can write in this mode.
    static func workspace(in directory: URL, mode: ProbeMode) throws -> String {
        let workspace = directory.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        if mode == .unprivileged && ProbeMode.isRoot {
            chown(workspace.path, ProbeMode.nobody, ProbeMode.nobody)
        }
        return workspace.path
    }

    struct Outcome {
        var token: String?
        var result: SandboxResult
    }

    /// Runs probe `name` with `argument` under `policy` adjustments; returns its printed token and the result.
    static func run(
        _ name: String, argument: String = "", mode: ProbeMode, in directory: URL,
        capabilities: Set<SandboxCapability> = [.compute], allowedHosts: [String] = [],
        limits: SandboxLimits = SandboxLimits(timeoutMilliseconds: 20_000, memoryMB: 512, maxProcesses: 32),
        environment: [EnvironmentEntry] = [], resolver: (any HostResolver)? = nil,
        onEgress: (@Sendable (EgressDecision) -> Void)? = nil
    ) async throws -> Outcome {
        var sandbox = try sandbox(mode, resolver: resolver)
        sandbox.onEgressDecision = onEgress
        let policy = SandboxPolicy(
            command: ["/usr/bin/python3", "-I", "-S", "-c", probeSource, name, argument],
            workspace: try workspace(in: directory, mode: mode), capabilities: capabilities, allowedHosts: allowedHosts,
            environment: environment, limits: limits, handWorkspaceToSandbox: true)
        let result = try await sandbox.run(policy)
        let token = result.stdoutText.split(separator: "\n").last { $0.hasPrefix("RESULT ") }.map { String($0.dropFirst(7)) }
        return Outcome(token: token, result: result)
    }
}

/// Host-side canaries that a probe tries to reach: a secret file, a unix socket path, an abstract unix socket
/// and a loopback TCP listener, all created by the test outside the sandbox.
final class HostCanaries {
    let secretPath: String
    let unixPath: String
    let abstractName: String
    let loopbackPort: Int
    private var descriptors: [Int32] = []

    init(in directory: URL) throws {
        secretPath = directory.appendingPathComponent("secret.txt").path
        try "canary-secret".write(toFile: secretPath, atomically: true, encoding: .utf8)
        unixPath = directory.appendingPathComponent("host.sock").path
        abstractName = "awp-canary-\(UUID().uuidString)"
        let (fd, port) = try Self.listenLoopback()
        loopbackPort = port
        descriptors.append(fd)
        descriptors.append(try Self.listenUnix(path: unixPath, abstract: false))
        descriptors.append(try Self.listenUnix(path: abstractName, abstract: true))
    }

    deinit { for fd in descriptors { close(fd) } }

    static func listenUnix(path: String, abstract: Bool) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let offset = abstract ? 1 : 0
            for (i, b) in bytes.enumerated() where i + offset < raw.count { raw[i + offset] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0, listen(fd, 4) == 0 else { throw CanaryError.socket(path) }
        return fd
    }

    static func listenLoopback() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 16) == 0 else { throw CanaryError.socket("127.0.0.1") }
        var bound = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
        }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }

    enum CanaryError: Error { case socket(String) }
}

/// Processes on the host whose command line contains `marker` (orphans that escaped a run).
func hostProcesses(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return text.contains(marker) && !text.contains("hostile") ? pid : nil
    }
}
