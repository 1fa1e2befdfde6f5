internal import CSandbox
internal import Glibc

/// Starts a process with `posix_spawn`, placing chosen descriptors at fixed numbers in the child.
///
/// Foundation's `Process` cannot pass descriptors beyond 0–2 (the launcher needs its report and proxy
/// sockets at known numbers) and takes a lock around every launch; `posix_spawn` uses a vfork-style clone
/// and is about as cheap as process creation gets.
enum ProcessSpawner {
    struct SpawnError: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }

    /// - Parameter descriptors: (descriptor in this process, number in the child) pairs. Every other
    ///   descriptor of this process is close-on-exec and does not reach the child.
    /// - Parameter newProcessGroup: put the child in its own process group, so it and its descendants can be
    ///   signalled together.
    static func spawn(
        path: String, arguments: [String], environment: [String], descriptors: [(Int32, Int32)],
        newProcessGroup: Bool = true
    ) throws(SpawnError) -> pid_t {
        // Every spawned child gets a pipe we write to (its stdin, an executor's requests). A child that dies
        // before reading must cost an EPIPE on that write, not a SIGPIPE that kills the host.
        _ = signal(SIGPIPE, SIG_IGN)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Move every source above the target range first: a source whose number is another entry's target
        // (a pipe that happens to be fd 3) would otherwise be overwritten before it is copied.
        let lifted = descriptors.map { (fcntl($0.0, F_DUPFD_CLOEXEC, 64), $0.1) }
        defer { for (fd, _) in lifted where fd >= 0 { close(fd) } }
        for (source, target) in lifted {
            guard source >= 0 else { throw SpawnError(path: path, code: errno) }
            posix_spawn_file_actions_adddup2(&actions, source, target)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The host ignores SIGPIPE; the child must get default dispositions and an empty mask back.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var pid: pid_t = 0
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnError(path: path, code: rc) }
        return pid
    }

    /// A pipe whose ends are both close-on-exec (spawn's dup2 clears the flag on the child's copy only).
    static func pipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard csbx_pipe_cloexec(&fds) == 0 else { throw SpawnError(path: "pipe", code: errno) }
        return (fds[0], fds[1])
    }

    /// A connected pair of unix datagram-boundary sockets, close-on-exec.
    static func socketPair() throws(SpawnError) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SpawnError(path: "socketpair", code: errno)
        }
        return (fds[0], fds[1])
    }

    /// Waits for `pid`, retrying on EINTR. Returns the raw wait status.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
