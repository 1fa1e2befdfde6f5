internal import CSandbox
internal import Glibc

/// What the supervisor thread collected, before classification.
struct RawOutcome: Sendable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var report: [UInt8] = []
    var waitStatus: Int32 = 0
    var outputExceeded = false
    var killedByBackstop = false
    var wallMilliseconds: Double = 0
}

/// The blocking half of a run, on its own thread (never the cooperative pool): one poll loop over stdout,
/// stderr, the report pipe, stdin and the proxy hand-over socket, then waitpid.
struct Supervision: @unchecked Sendable {
    let started: Sandbox.Started
    let limits: SandboxLimits
    let onOutput: (@Sendable (SandboxStream, [UInt8]) -> Void)?

    /// Extra time the launcher gets beyond its own wall-clock limit before we kill it ourselves.
    static let backstopGraceMilliseconds: UInt64 = 5_000

    func run() -> RawOutcome {
        var outcome = RawOutcome()
        let start = monotonicMilliseconds()
        var open: [Int32: Int] = [started.stdout: 0, started.stderr: 1, started.report: 2]
        var stdin = started.stdin
        var pendingInput = started.input[...]
        if let stdin {
            _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
            if pendingInput.isEmpty { close(stdin) }
        }
        if pendingInput.isEmpty { stdin = nil }
        var control = started.proxyControl
        let deadline = limits.timeoutMilliseconds.map { start + Double($0 + Self.backstopGraceMilliseconds) }
        var kept = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            var fds = open.keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let stdin { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            if let control { fds.append(pollfd(fd: control, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = -1
            if let deadline { timeout = Int32(max(0, min(Double(Int32.max), deadline - monotonicMilliseconds()))) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 && !outcome.killedByBackstop {
                // The launcher should have stopped the run itself; it did not, so the whole group goes.
                outcome.killedByBackstop = true
                kill(-started.pid, SIGKILL)
                continue
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdin {
                    let written = pendingInput.withUnsafeBytes { write(entry.fd, $0.baseAddress, $0.count) }
                    if written > 0 { pendingInput = pendingInput.dropFirst(written) }
                    if (written < 0 && errno != EAGAIN) || pendingInput.isEmpty {
                        close(entry.fd)
                        stdin = nil
                    }
                    continue
                }
                if entry.fd == control {
                    let listener = csbx_receive_fd(entry.fd)
                    if listener >= 0 { started.proxy?.serve(listener: listener) }
                    close(entry.fd)
                    control = nil
                    continue
                }
                guard let stream = open[entry.fd] else { continue }
                let count = read(entry.fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    close(entry.fd)
                    open[entry.fd] = nil
                    continue
                }
                let chunk = Array(buffer[0..<count])
                if stream == 2 {
                    if outcome.report.count < 65_536 { outcome.report += chunk }
                    continue
                }
                if outcome.outputExceeded { continue } // keep draining so the sandbox is not blocked on a full pipe
                let room = limits.maxOutputBytes - kept
                let accepted = count <= room ? chunk : Array(chunk.prefix(max(0, room)))
                kept += accepted.count
                if stream == 0 { outcome.stdout += accepted } else { outcome.stderr += accepted }
                if !accepted.isEmpty { onOutput?(stream == 0 ? .stdout : .stderr, accepted) }
                if count > room {
                    outcome.outputExceeded = true
                    kill(started.pid, SIGTERM) // the launcher kills the sandbox and still reports
                }
            }
        }
        if let stdin { close(stdin) }
        if let control { close(control) }
        outcome.waitStatus = ProcessSpawner.wait(started.pid)
        started.proxy?.stop()
        outcome.wallMilliseconds = monotonicMilliseconds() - start
        return outcome
    }
}

func monotonicMilliseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
}
