public import Glibc

/// A failed system call: the call's name and `errno`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }

    /// True for a write to a pipe whose reader is gone.
    public var isBrokenPipe: Bool { errno == EPIPE }
}

/// The few system calls the line I/O layer makes, each retrying `EINTR` in one place.
public enum SystemCalls {
    /// Creates a pipe whose two ends are close-on-exec, so a concurrently spawned child never inherits them.
    ///
    /// `pipe2` is a GNU extension that Swift's Glibc module does not import; it is looked up at run time.
    public static func makePipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let result = fds.withUnsafeMutableBufferPointer { buffer in
            if let pipe2 = GNUFunctions.pipe2 { return pipe2(buffer.baseAddress!, O_CLOEXEC) }
            let plain = pipe(buffer.baseAddress!)
            if plain == 0 {
                _ = fcntl(buffer[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(buffer[1], F_SETFD, FD_CLOEXEC)
            }
            return plain
        }
        guard result == 0 else { throw SystemCallError("pipe", errno: errno) }
        return (fds[0], fds[1])
    }

    /// Reads up to `count` bytes; 0 means end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemCallError) -> Int {
        while true {
            let result = Glibc.read(fd, buffer, count)
            if result >= 0 { return result }
            if errno != EINTR { throw SystemCallError("read", errno: errno) }
        }
    }

    /// Writes as much of `bytes` as the descriptor takes now; returns the count, or 0 when it would block.
    public static func writeSome(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        while true {
            let result = Glibc.write(fd, bytes.baseAddress, bytes.count)
            if result >= 0 { return result }
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            if errno != EINTR { throw SystemCallError("write", errno: errno) }
        }
    }

    /// Blocks until `fd` can be written to (or has failed, which the next write reports).
    public static func waitWritable(_ fd: Int32) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&descriptor, 1, -1) < 0 && errno == EINTR {}
    }

    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Whether `fd` is a pipe (rather than a terminal or a file), i.e. safe to make non-blocking.
    public static func isPipe(_ fd: Int32) -> Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Ignores SIGPIPE for the whole process, so a write to a dead peer fails with EPIPE instead of killing us.
    public static func ignoreBrokenPipeSignal() {
        _ = signal(SIGPIPE, SIG_IGN)
    }
}

/// GNU extensions that Swift's Glibc module leaves out, resolved once with `dlsym`.
public enum GNUFunctions {
    public typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    public typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    public typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    public static let pipe2: Pipe2? = lookup("pipe2")
    /// glibc 2.34+: close every descriptor from N up in the child (so no plugin inherits another's pipes).
    public static let addCloseFrom: AddCloseFrom? = lookup("posix_spawn_file_actions_addclosefrom_np")
    /// glibc 2.29+: change directory in the child before exec.
    public static let addChdir: AddChdir? = lookup("posix_spawn_file_actions_addchdir_np")

    private static func lookup<F>(_ name: String) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: F.self)
    }
}
