internal import AWPCore
internal import CSandbox
internal import Foundation
internal import Glibc
internal import Synchronization

/// A persistent confined interpreter for one worker: snippets run over a pipe in ~0.1 ms instead of paying a
/// sandbox and interpreter start each time. Same confinement as a one-shot run (the policy's capabilities and
/// limits apply to the whole executor). Never shared across workers or runs: variables persist between one
/// worker's snippets, and nothing else can see them. A crash or a timeout restarts it on the next call.
public actor WarmExecutor {
    public struct SnippetResult: Sendable, Equatable {
        public var ok: Bool
        public var stdout: String
        public var stderr: String
        /// The traceback (or the reason) when the snippet failed.
        public var error: String?
        public var timedOut: Bool
        /// The executor died during the snippet (killed by a limit or a violation); it restarts on the next call.
        public var crashed: Bool
        public var truncated: Bool
        public var durationMilliseconds: Double
    }

    private let sandbox: Sandbox
    private let basePolicy: SandboxPolicy
    private let interpreter: PythonInterpreter
    private let outputLimit: Int
    private var process: ExecutorProcess?
    private var nextID = 0
    /// How many times the interpreter was (re)started.
    public private(set) var starts = 0

    /// - Parameters:
    ///   - policy: workspace, capabilities and limits; its command is replaced by the executor loop. Its wall
    ///     clock limit covers the executor's whole life, so leave it unset or generous.
    public init(sandbox: Sandbox, policy: SandboxPolicy, interpreter: PythonInterpreter, outputLimit: Int = 1 << 20) {
        self.sandbox = sandbox
        self.basePolicy = policy
        self.interpreter = interpreter
        self.outputLimit = outputLimit
    }

    /// Runs `code` and returns what it printed. `timeout` is the snippet's own limit in seconds.
    public func run(_ code: String, timeout: Double = 30) async throws(SandboxError) -> SnippetResult {
        let process = try await ensureStarted()
        nextID += 1
        let request = JSONValue.object([("id", .integer(nextID)), ("code", .string(code)), ("timeout", .number(timeout))])
        let line = request.serializedUTF8() + [10]
        // The host's hard deadline: the soft in-sandbox timer plus a grace second for the reply.
        let reply = await process.exchange(line, deadlineMilliseconds: Int(timeout * 1000) + 1000)
        guard let reply, let value = try? JSONParser.parse(reply) else {
            let timedOut = reply == nil && process.isAlive
            await stop()
            return SnippetResult(
                ok: false, stdout: "", stderr: "", error: timedOut ? "the snippet ignored its time limit and was killed" : "the executor died",
                timedOut: timedOut, crashed: !timedOut, truncated: false, durationMilliseconds: 0)
        }
        return SnippetResult(
            ok: value["ok"]?.boolValue ?? false, stdout: value["stdout"]?.stringValue ?? "",
            stderr: value["stderr"]?.stringValue ?? "", error: value["error"]?.stringValue,
            timedOut: value["timedOut"]?.boolValue ?? false, crashed: false,
            truncated: value["truncated"]?.boolValue ?? false, durationMilliseconds: value["durationMs"]?.doubleValue ?? 0)
    }

    /// Stops the interpreter (the next `run` starts a fresh one with an empty namespace).
    public func stop() async {
        guard let process else { return }
        self.process = nil
        await process.terminate()
    }

    private func ensureStarted() async throws(SandboxError) -> ExecutorProcess {
        if let process, process.isAlive { return process }
        if let process { await process.terminate() }
        var policy = basePolicy
        policy.command = interpreter.arguments(withSite: true) + ["-c", ExecutorServer.source, String(outputLimit)]
        policy.systemBinds += interpreter.binds
        do { try policy.validate() } catch { throw .policy(error) }
        let started = try ExecutorProcess.start(sandbox: sandbox, policy: policy)
        starts += 1
        guard await started.awaitReady() else {
            await started.terminate()
            throw .spawn("the executor did not start: \(started.stderrTail)")
        }
        process = started
        return started
    }
}

/// The launcher process behind a warm executor, with its pipes. Blocking reads and writes happen on a
/// dedicated thread per executor, never on the cooperative pool.
final class ExecutorProcess: Sendable {
    let pid: pid_t
    private let requests: Int32
    private let replies: Int32
    private let lane: BlockingLane
    private let state = Mutex<(alive: Bool, stderr: [UInt8], buffer: [UInt8])>((true, [], []))

    private init(pid: pid_t, requests: Int32, replies: Int32, stderr: Int32) {
        self.pid = pid
        self.requests = requests
        self.replies = replies
        self.lane = BlockingLane(name: "awp warm executor")
        let thread = Thread { [self] in
            // Keep the last few KiB of stderr for error messages; never let the pipe fill up.
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(stderr, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                state.withLock { $0.stderr = Array(($0.stderr + buffer[0..<n]).suffix(4096)) }
            }
            close(stderr)
        }
        thread.start()
    }

    var isAlive: Bool { state.withLock { $0.alive } }
    var stderrTail: String { String(decoding: state.withLock { $0.stderr }, as: UTF8.self) }

    static func start(sandbox: Sandbox, policy: SandboxPolicy) throws(SandboxError) -> ExecutorProcess {
        do {
            let stdin = try ProcessSpawner.pipe()
            let stdout = try ProcessSpawner.pipe()
            let stderr = try ProcessSpawner.pipe()
            var descriptors: [(Int32, Int32)] = [(stdin.read, 0), (stdout.write, 1), (stderr.write, 2)]
            let program = SeccompPrograms.descriptor(network: false)
            if let program { descriptors.append((program, 5)) }
            let arguments = LauncherArguments.make(for: policy, reportFD: nil, proxyFD: nil, seccompFD: program == nil ? nil : 5)
            let pid = try ProcessSpawner.spawn(
                path: sandbox.launcherPath, arguments: arguments, environment: [], descriptors: descriptors)
            for fd in [stdin.read, stdout.write, stderr.write] { close(fd) }
            return ExecutorProcess(pid: pid, requests: stdin.write, replies: stdout.read, stderr: stderr.read)
        } catch {
            throw .spawn(error.description)
        }
    }

    func awaitReady() async -> Bool {
        await lane.run { self.readLine(deadlineMilliseconds: 30_000) }.map { String(decoding: $0, as: UTF8.self).contains("ready") } ?? false
    }

    /// Writes one request line and reads one reply line, or returns nil on EOF or at the deadline.
    func exchange(_ line: [UInt8], deadlineMilliseconds: Int) async -> [UInt8]? {
        await lane.run {
            guard self.writeToPipe(line) else { return nil }
            return self.readLine(deadlineMilliseconds: deadlineMilliseconds)
        }
    }

    private func writeToPipe(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(requests, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func readLine(deadlineMilliseconds: Int) -> [UInt8]? {
        let deadline = monotonicMilliseconds() + Double(deadlineMilliseconds)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let line = state.withLock({ state -> [UInt8]? in
                guard let newline = state.buffer.firstIndex(of: 10) else { return nil }
                let line = Array(state.buffer[..<newline])
                state.buffer.removeFirst(newline + 1)
                return line
            }) {
                return line
            }
            var entry = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline - monotonicMilliseconds()))
            let ready = poll(&entry, 1, remaining)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return nil }
            let n = read(replies, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                state.withLock { $0.alive = false }
                return nil
            }
            state.withLock { $0.buffer += chunk[0..<n] }
        }
    }

    /// Closes stdin (the loop ends), then asks the launcher to stop the sandbox, and reaps it.
    func terminate() async {
        state.withLock { $0.alive = false }
        close(requests)
        kill(pid, SIGTERM)
        await lane.run {
            _ = ProcessSpawner.wait(self.pid)
            close(self.replies)
        }
        lane.finish()
    }
}
