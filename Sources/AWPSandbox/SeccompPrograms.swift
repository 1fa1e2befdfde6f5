internal import CSandbox
internal import Synchronization

/// The seccomp programs of this process, compiled once per tier and shared by every launch as a sealed memfd
/// (`--seccomp-fd`). Compiling with libseccomp costs about a millisecond, most of the launcher's own set-up;
/// the sealed memfd cannot be changed by anyone after it is written, and the launcher checks its tier.
enum SeccompPrograms {
    private static let programs = Mutex<[Bool: Int32]>([:])

    /// The descriptor for the compute (`network == false`) or network tier, or nil when it cannot be made
    /// (the launcher then compiles its own).
    static func descriptor(network: Bool) -> Int32? {
        programs.withLock { programs in
            if let fd = programs[network] { return fd }
            let fd = csbx_compile_filter_fd(network ? 1 : 0)
            guard fd >= 0 else { return nil }
            programs[network] = fd
            return fd
        }
    }
}
