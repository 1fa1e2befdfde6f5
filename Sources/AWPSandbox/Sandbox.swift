internal import CSandbox
internal import Foundation
internal import Glibc

/// Runs commands under `awp-sandbox` and supervises them: output caps, a wall-clock backstop, the egress
/// proxy for the network tier, and classification of how the run ended.
public struct Sandbox: Sendable {
    public let launcherPath: String
    /// Name resolution for the egress proxy (the host's resolver unless a test overrides it).
    public var resolver: any HostResolver
    /// Receives every egress decision (allowed or refused, with the reason) for the audit trail.
    public var onEgressDecision: (@Sendable (EgressDecision) -> Void)?
    /// A command that starts the launcher, e.g. `setpriv --reuid=… --` to run sandboxes from a dedicated
    /// unprivileged service user (the tests use it to check the unprivileged path while running as root).
    public var launcherPrefix: [String] = []

    public init(launcherPath: String? = nil, resolver: (any HostResolver)? = nil) throws(SandboxError) {
        if let launcherPath {
            self.launcherPath = launcherPath
        } else {
            self.launcherPath = try SandboxLauncher.locate()
        }
        self.resolver = resolver ?? SystemResolver.fromEnvironment()
    }

    /// Runs `policy.command` to completion inside the sandbox.
    /// - Parameters:
    ///   - input: bytes for the command's stdin (it sees end-of-file after them); `nil` gives `/dev/null`.
    ///   - onOutput: called on a background thread with each chunk of stdout or stderr as it arrives.
    public func run(
        _ policy: SandboxPolicy, input: [UInt8]? = nil,
        onOutput: (@Sendable (SandboxStream, [UInt8]) -> Void)? = nil
    ) async throws(SandboxError) -> SandboxResult {
        do { try policy.validate() } catch { throw .policy(error) }
        let started = try start(policy, input: input)
        let pid = started.pid
        let supervision = Supervision(started: started, limits: policy.limits, onOutput: onOutput)
        let raw = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RawOutcome, Never>) in
                let thread = Thread { continuation.resume(returning: supervision.run()) }
                thread.name = "awp-sandbox supervisor"
                thread.start()
            }
        } onCancel: {
            kill(pid, SIGTERM) // the launcher stops the sandbox, cleans up and reports
        }
        return Self.classify(raw, limits: policy.limits)
    }

    struct Started: @unchecked Sendable {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
        var report: Int32
        var stdin: Int32?
        var input: [UInt8]
        var proxyControl: Int32?
        var proxy: EgressProxy?
    }

    private func start(_ policy: SandboxPolicy, input: [UInt8]?) throws(SandboxError) -> Started {
        do {
            let stdout = try ProcessSpawner.pipe()
            let stderr = try ProcessSpawner.pipe()
            let report = try ProcessSpawner.pipe()
            let stdin = try input.map { _ throws(ProcessSpawner.SpawnError) in try ProcessSpawner.pipe() }
            let wantsProxy = policy.capabilities.contains(.network)
            let control = wantsProxy ? try ProcessSpawner.socketPair() : nil
            var descriptors: [(Int32, Int32)] = [(stdout.write, 1), (stderr.write, 2), (report.write, 3)]
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            descriptors.append((stdin?.read ?? devNull, 0))
            if let control { descriptors.append((control.1, 4)) }
            let program = SeccompPrograms.descriptor(network: wantsProxy)
            if let program { descriptors.append((program, 5)) }
            let arguments = LauncherArguments.make(
                for: policy, reportFD: 3, proxyFD: control == nil ? nil : 4, seccompFD: program == nil ? nil : 5)
            let pid: pid_t
            do {
                let path = launcherPrefix.first ?? launcherPath
                let fullArguments = launcherPrefix.isEmpty ? arguments : Array(launcherPrefix.dropFirst()) + [launcherPath] + arguments
                pid = try ProcessSpawner.spawn(path: path, arguments: fullArguments, environment: [], descriptors: descriptors)
            } catch {
                for fd in [stdout.read, stdout.write, stderr.read, stderr.write, report.read, report.write, devNull] { close(fd) }
                if let stdin { close(stdin.read); close(stdin.write) }
                if let control { close(control.0); close(control.1) }
                throw error
            }
            // Our copies of the child's ends must go, or we would never see end-of-file.
            for fd in [stdout.write, stderr.write, report.write, devNull] { close(fd) }
            if let stdin { close(stdin.read) }
            if let control { close(control.1) }
            var proxy: EgressProxy?
            if wantsProxy {
                proxy = EgressProxy(
                    allowlist: HostAllowlist(policy.allowedHosts), resolver: resolver, onDecision: onEgressDecision)
            }
            return Started(
                pid: pid, stdout: stdout.read, stderr: stderr.read, report: report.read, stdin: stdin?.write,
                input: input ?? [], proxyControl: control?.0, proxy: proxy)
        } catch let error as ProcessSpawner.SpawnError {
            throw .spawn(error.description)
        } catch {
            throw .spawn("\(error)")
        }
    }

    static func classify(_ raw: RawOutcome, limits: SandboxLimits) -> SandboxResult {
        var result = SandboxResult(
            status: .setupFailed, exitCode: nil, signal: nil, violatingSyscall: nil, stdout: raw.stdout,
            stderr: raw.stderr, wallMilliseconds: raw.wallMilliseconds, cpuMilliseconds: 0, maxResidentKilobytes: 0,
            limitsHit: [], setupStage: nil, setupError: nil)
        if let report = LauncherReport(line: raw.report) {
            result.status = SandboxResult.Status(rawValue: report.status) ?? .setupFailed
            result.exitCode = report.exitCode
            result.signal = report.signal
            result.violatingSyscall = report.syscall
            result.wallMilliseconds = report.wallMs
            result.cpuMilliseconds = report.cpuMs
            result.maxResidentKilobytes = report.maxRssKb
            result.limitsHit = report.limitsHit
            result.setupStage = report.stage
            result.setupError = report.error
        } else if raw.killedByBackstop {
            result.status = .timedOut
            result.signal = SIGKILL
        } else {
            // No report: the launcher refused the flags (exit 125) or died; its stderr says why.
            result.setupError = String(decoding: raw.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if result.setupError?.isEmpty ?? true { result.setupError = "the launcher ended without a report" }
        }
        if result.status == .timedOut && !result.limitsHit.contains("cpu") { result.limitsHit.append("wall") }
        if raw.outputExceeded {
            result.status = .outputExceeded
            result.limitsHit.append("output")
        }
        return result
    }
}

/// Which output stream a chunk came from.
public enum SandboxStream: Sendable, Equatable {
    case stdout
    case stderr
}
