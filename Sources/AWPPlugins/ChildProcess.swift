internal import AWPLineIO
internal import Foundation
internal import Glibc

/// How a child process ended.
public enum ProcessExit: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a `waitpid` status word (the `WIFEXITED`/`WTERMSIG` macros are not imported into Swift).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}

/// A plugin process spawned with `posix_spawn` into its own process group, with three pipes.
///
/// Foundation's `Process` is avoided on purpose: on Linux it detects exit through a socket the child
/// inherits, so a wrapper that leaves a grandchild behind (`npx`, `uvx`, `sh -c`) looks alive and
/// stays a zombie until the grandchild exits (PLUGINS.md §5.3 item 6). Here a dedicated thread
/// blocks in `waitpid` for this pid only, so the child is reaped the moment it exits and other
/// children of the host are never stolen.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The host's ends: write to the plugin's stdin, read its stdout and stderr.
    let stdinFD: Int32
    let stdoutFD: Int32
    let stderrFD: Int32

    private let exitCondition = NSCondition()
    nonisolated(unsafe) private var exitStatus: ProcessExit?  // guarded by exitCondition

    private init(pid: pid_t, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    /// Spawns `command`. The child gets default signal dispositions and an empty signal mask (the host
    /// ignores SIGPIPE, and an ignored signal would otherwise survive `exec`), and no descriptors
    /// beyond 0, 1, 2 and the command's passed descriptors. The command's hooks run as documented on
    /// `PluginSpawnHooks`, whatever happens.
    static func spawn(_ command: PluginCommand) throws(SystemCallError) -> ChildProcess {
        do {
            return try spawnChild(command)
        } catch {
            command.hooks?.ended()
            throw error
        }
    }

    private static func spawnChild(_ command: PluginCommand) throws(SystemCallError) -> ChildProcess {
        let input = try SystemCalls.makePipe()
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        do throws(SystemCallError) {
            output = try SystemCalls.makePipe()
            do throws(SystemCallError) {
                errors = try SystemCalls.makePipe()
            } catch {
                [output.read, output.write].forEach(SystemCalls.close)
                throw error
            }
        } catch {
            [input.read, input.write].forEach(SystemCalls.close)
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        // Passed descriptors become 3, 4, …; a source that sits in that range is first copied above it, so
        // no dup2 overwrites a source still to be copied.
        let firstFree = Int32(3 + command.passedDescriptors.count)
        var temporaryCopies: [Int32] = []
        defer { temporaryCopies.forEach(SystemCalls.close) }
        for (index, descriptor) in command.passedDescriptors.enumerated() {
            var source = descriptor
            if source < firstFree {
                source = fcntl(descriptor, F_DUPFD_CLOEXEC, firstFree)
                if source >= 0 { temporaryCopies.append(source) }
            }
            posix_spawn_file_actions_adddup2(&actions, source, 3 + Int32(index))
        }
        if let closeFrom = GNUFunctions.addCloseFrom { _ = closeFrom(&actions, firstFree) }
        if let directory = command.workingDirectory, let addChdir = GNUFunctions.addChdir {
            _ = directory.withCString { addChdir(&actions, $0) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([command.executable] + command.arguments).map { strdup($0) }
        let envp = command.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envBuffer in
                posix_spawn(&pid, command.executable, &actions, &attributes,
                            argvBuffer.baseAddress!, envBuffer.baseAddress!)
            }
        }
        [input.read, output.write, errors.write].forEach(SystemCalls.close)
        guard result == 0 else {
            [input.write, output.read, errors.read].forEach(SystemCalls.close)
            throw SystemCallError("posix_spawn \(command.executable)", errno: result)
        }
        let child = ChildProcess(pid: pid, stdinFD: input.write, stdoutFD: output.read, stderrFD: errors.read)
        command.hooks?.spawned()
        child.startReaper(then: command.hooks?.ended)
        return child
    }

    private func startReaper(then ended: (@Sendable () -> Void)?) {
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitCondition.lock()
            exitStatus = ProcessExit(waitStatus: status)
            exitCondition.broadcast()
            exitCondition.unlock()
            ended?()
        }
        thread.name = "awp-plugin-reaper-\(pid)"
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// The exit status, once the child has exited and been reaped.
    var exit: ProcessExit? {
        exitCondition.lock()
        defer { exitCondition.unlock() }
        return exitStatus
    }

    /// Blocks the calling thread until the child exits or `timeout` passes. For dedicated threads only.
    func waitForExitBlocking(timeout: Double) -> ProcessExit? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        exitCondition.lock()
        defer { exitCondition.unlock() }
        while exitStatus == nil && exitCondition.wait(until: deadline) {}
        return exitStatus
    }

    /// Suspends until the child exits or `timeout` passes, without blocking a cooperative thread.
    func waitForExit(timeout: Duration) async -> ProcessExit? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let exit { return exit }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return exit
    }

    /// Sends `signal` to the child's whole process group (wrappers and their children included).
    ///
    /// Also used after the child was reaped, to reach grandchildren it left behind: Linux does not reuse
    /// a pid while a process group of that id has members, so the signal reaches exactly the leftovers,
    /// or nobody (ESRCH) once the group is empty.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Whether any process is left in the child's group (the child itself or what it started).
    var groupHasMembers: Bool {
        kill(-pid, 0) == 0 || errno == EPERM
    }
}
