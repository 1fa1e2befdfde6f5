import AWPSandbox
import AWPTestSupport
import Foundation
import Testing

/// One row of `../shared/security/HOSTILE.md`: the probe, what it is given, and the exact expected outcome.
struct HostileCase: Sendable, CustomStringConvertible {
    enum Argument: Sendable { case none, secret, hostPid, loopbackPort, abstractSocket, unixPath }
    enum Expect: Sendable {
        /// The probe printed one of these tokens (an errno name, "ok", a value).
        case token(Set<String>)
        /// The probe printed a token starting with this prefix.
        case prefix(String)
        /// The launcher trapped this escape primitive, reported it by name and killed the sandbox.
        case violation(String)
        /// The seccomp filter killed the process outright (a foreign ABI).
        case killedByFilter
    }

    var row: Int
    var probe: String
    var argument: Argument = .none
    var expect: Expect
    var limits = SandboxLimits(timeoutMilliseconds: 20_000, memoryMB: 512, maxProcesses: 32)

    var description: String { "#\(row) \(probe)" }

    static func t(_ row: Int, _ probe: String, _ tokens: String..., argument: Argument = .none) -> HostileCase {
        HostileCase(row: row, probe: probe, argument: argument, expect: .token(Set(tokens)))
    }

    static func v(_ row: Int, _ probe: String, _ syscall: String) -> HostileCase {
        HostileCase(row: row, probe: probe, expect: .violation(syscall))
    }
}

/// Rows 1–68 and 80–82 of the catalogue (69–79 are supervisor and proxy behaviours, tested in their own suites).
let hostileCatalogue: [HostileCase] = [
    .t(1, "read_host_secret", "ENOENT", argument: .secret),
    .t(2, "list_root_home", "ENOENT"),
    .t(3, "read_etc_shadow", "ENOENT"),
    .t(4, "write_usr", "EROFS"),
    .t(5, "write_root_fs", "EROFS"),
    .t(6, "write_python_prefix", "EROFS"),
    .t(7, "proc_self_exe_write", "EACCES", "EROFS", "ETXTBSY"),
    .t(8, "symlink_escape", "ENOENT", argument: .secret),
    .t(9, "hardlink_outside", "EXDEV"),
    .t(10, "dev_nodes", "full,null,random,urandom,zero"),
    .t(11, "dev_mem", "ENOENT"),
    .t(12, "sys_visible", "ENOENT"),
    .t(13, "proc_sysrq", "ENOENT", "EACCES", "EROFS"),
    .t(14, "proc_core_pattern", "EACCES", "EROFS"),
    .t(15, "proc_pid_count", "2"), // the sandbox's init and the probe itself
    .t(16, "kill_host_pid", "ESRCH", argument: .hostPid),
    .t(17, "mknod", "EPERM"),
    .t(18, "mount_tmpfs", "EPERM"),
    .t(19, "umount_proc", "EPERM"),
    .t(20, "pivot_root", "EPERM"),
    .t(20, "chroot", "EPERM"),
    .t(21, "unshare_userns", "EPERM"),
    .t(22, "clone_newuser", "EPERM"),
    .t(22, "clone3", "ENOSYS"),
    .t(23, "setns", "EPERM"),
    .t(24, "setuid0", "EPERM"),
    .t(25, "capset", "EPERM"),
    .t(26, "prctl_securebits", "EPERM"),
    .t(27, "personality", "EPERM"),
    .v(28, "ptrace_traceme", "ptrace"),
    .v(29, "process_vm_readv", "process_vm_readv"),
    .v(30, "bpf", "bpf"),
    .v(31, "perf_event_open", "perf_event_open"),
    .v(32, "userfaultfd", "userfaultfd"),
    .v(33, "io_uring_setup", "io_uring_setup"),
    .v(34, "keyctl", "keyctl"),
    .v(34, "add_key", "add_key"),
    .v(35, "kexec_load", "kexec_load"),
    .v(35, "finit_module", "finit_module"),
    .v(36, "open_by_handle_at", "open_by_handle_at"),
    .t(36, "name_to_handle_at", "EPERM"),
    .t(37, "modify_ldt", "EPERM"),
    .t(38, "sethostname", "EPERM"),
    .t(38, "settimeofday", "EPERM"),
    .t(38, "reboot", "EPERM"),
    .t(39, "pidfd_getfd", "EPERM"),
    .t(39, "kcmp", "EPERM"),
    .t(40, "sysv_shm", "EPERM"),
    .t(41, "sched_setaffinity", "EPERM"),
    .t(42, "tiocsti", "EPERM"),
    .t(43, "tiocsti_highbits", "EPERM"),
    .t(44, "tioclinux", "EPERM"),
    HostileCase(row: 45, probe: "int80_i386", expect: .killedByFilter),
    HostileCase(row: 46, probe: "x32_syscall", expect: .killedByFilter),
    .t(47, "inherited_fds", "0,1,2"),
    .t(48, "sock_inet", "EPERM"),
    .t(49, "connect_external", "EPERM"),
    .t(50, "connect_host_loopback", "EPERM", argument: .loopbackPort),
    .t(51, "dns_resolve", "gaierror"),
    .t(52, "sock_netlink", "EPERM"),
    .t(53, "sock_packet", "EPERM"),
    .t(54, "sock_vsock", "EPERM"),
    .t(55, "abstract_unix", "ECONNREFUSED", argument: .abstractSocket),
    .t(56, "host_unix_path", "ENOENT", argument: .unixPath),
    HostileCase(row: 57, probe: "fork_bomb", expect: .prefix("EAGAIN:"),
                limits: SandboxLimits(timeoutMilliseconds: 20_000, memoryMB: 512, maxProcesses: 16)),
    .t(58, "mem_bomb", "MemoryError"),
    .t(59, "raise_rlimit", "EPERM"),
    HostileCase(row: 61, probe: "disk_fill", expect: .token(["EFBIG"]),
                limits: SandboxLimits(timeoutMilliseconds: 20_000, memoryMB: 512, maxProcesses: 32, fileSizeMB: 16)),
    HostileCase(row: 62, probe: "inode_fill", expect: .prefix("ENOSPC:"),
                limits: SandboxLimits(timeoutMilliseconds: 20_000, memoryMB: 512, maxProcesses: 32, tmpInodes: 500)),
    .t(63, "exec_written_binary", "rc=0"),
    .t(64, "memfd_exec", "rc=0"),
    .t(65, "setuid_binary", "fails"),
    .t(66, "uid_map_write", "EPERM"),
    .t(67, "ctypes_system", "uid=1000"),
    .t(80, "splice", "EPERM"),
    .t(81, "seccomp_stack", "EPERM"),
    .t(82, "core_limit", "0/0"),
]

@Suite("Hostile catalogue (HOSTILE.md rows 1–68, 80–82), each probe in its own sandbox")
struct HostileCatalogueTests {
    @Test(arguments: hostileCatalogue, ProbeMode.allCases)
    func probe(_ row: HostileCase, mode: ProbeMode) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let canaries = try HostCanaries(in: directory)
            let argument: String = switch row.argument {
            case .none: ""
            case .secret: canaries.secretPath
            case .hostPid: String(getpid())
            case .loopbackPort: String(canaries.loopbackPort)
            case .abstractSocket: canaries.abstractName
            case .unixPath: canaries.unixPath
            }
            let outcome = try await ProbeHarness.run(row.probe, argument: argument, mode: mode, in: directory, limits: row.limits)
            let detail = "token \(outcome.token ?? "none"), status \(outcome.result.status), stderr: \(outcome.result.stderrText.suffix(400))"
            switch row.expect {
            case .token(let tokens):
                #expect(outcome.result.status == .exited, "\(detail)")
                #expect(outcome.token.map(tokens.contains) == true, "expected one of \(tokens.sorted()); \(detail)")
            case .prefix(let prefix):
                #expect(outcome.token?.hasPrefix(prefix) == true, "expected \(prefix)…; \(detail)")
            case .violation(let syscall):
                #expect(outcome.result.status == .violation, "\(detail)")
                #expect(outcome.result.violatingSyscall == syscall, "\(detail)")
                #expect(outcome.token == nil, "the call returned to the probe: \(detail)")
            case .killedByFilter:
                #expect(outcome.result.status == .violation, "\(detail)")
                #expect(outcome.result.signal == SIGSYS, "\(detail)")
                #expect(outcome.token == nil, "\(detail)")
            }
        }
    }
}
