/// Resource limits of one sandboxed run. `nil` means "no limit of this kind" (the wall clock always applies
/// when set; memory, processes and file sizes are capped by default).
public struct SandboxLimits: Sendable, Equatable {
    /// Wall-clock limit in milliseconds; the whole pid namespace is killed when it passes.
    public var timeoutMilliseconds: UInt64?
    /// CPU seconds (SIGXCPU, then SIGKILL a second later).
    public var cpuSeconds: UInt64?
    /// Address space and memory cgroup limit, in MiB.
    public var memoryMB: UInt64?
    /// Processes and threads at once (pids cgroup, RLIMIT_NPROC backstop).
    public var maxProcesses: UInt64?
    /// Bytes of stdout plus stderr kept; past this the run is stopped and reported as `output_exceeded`.
    public var maxOutputBytes: Int
    /// Largest file the command may write, in MiB.
    public var fileSizeMB: UInt64
    /// Size and inode count of the private `/tmp`.
    public var tmpMB: UInt64
    public var tmpInodes: UInt64
    /// Open files per process.
    public var openFiles: UInt64
    /// Whether memory and process limits also get a per-run cgroup (when the host allows one).
    public var cgroup: CgroupMode

    /// `auto`: a cgroup when the host lets us create one, rlimits otherwise. `off`: rlimits only (a little
    /// cheaper per start). `required`: refuse to run without one.
    public enum CgroupMode: String, Sendable, Equatable {
        case auto, off, required
    }

    public init(
        timeoutMilliseconds: UInt64? = 60_000, cpuSeconds: UInt64? = nil, memoryMB: UInt64? = 2048,
        maxProcesses: UInt64? = 64, maxOutputBytes: Int = 8 << 20, fileSizeMB: UInt64 = 1024, tmpMB: UInt64 = 64,
        tmpInodes: UInt64 = 16_384, openFiles: UInt64 = 256, cgroup: CgroupMode = .auto
    ) {
        self.cgroup = cgroup
        self.timeoutMilliseconds = timeoutMilliseconds
        self.cpuSeconds = cpuSeconds
        self.memoryMB = memoryMB
        self.maxProcesses = maxProcesses
        self.maxOutputBytes = maxOutputBytes
        self.fileSizeMB = fileSizeMB
        self.tmpMB = tmpMB
        self.tmpInodes = tmpInodes
        self.openFiles = openFiles
    }

    /// Refuses absurd values instead of silently treating them as "unlimited" or as something that cannot start.
    public func validate() throws(SandboxPolicyError) {
        if let timeout = timeoutMilliseconds, timeout == 0 || timeout > 7 * 86_400_000 {
            throw .invalid("the timeout must be between 1 ms and 7 days")
        }
        if let cpu = cpuSeconds, cpu == 0 || cpu > 86_400 { throw .invalid("--cpu-s must be between 1 and 86400") }
        if let memory = memoryMB, memory < 16 || memory > 1 << 20 {
            throw .invalid("--memory-mb must be between 16 and 1048576")
        }
        if let procs = maxProcesses, procs < 1 || procs > 4096 { throw .invalid("--max-procs must be between 1 and 4096") }
        if maxOutputBytes < 0 || maxOutputBytes > 1 << 32 { throw .invalid("--max-output-bytes must be between 0 and 4 GiB") }
        if fileSizeMB == 0 || fileSizeMB > 1 << 20 { throw .invalid("the file size limit must be between 1 MiB and 1 TiB") }
        if tmpMB == 0 || tmpMB > 1 << 16 { throw .invalid("/tmp must be between 1 MiB and 64 GiB") }
        if tmpInodes < 16 || tmpInodes > 1 << 22 { throw .invalid("/tmp inodes must be between 16 and 4194304") }
        if openFiles < 16 || openFiles > 65_536 { throw .invalid("open files must be between 16 and 65536") }
    }
}
