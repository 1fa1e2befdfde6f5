#ifndef CSANDBOX_H
#define CSANDBOX_H

// CSandbox: the C half of awp's sandbox. The `awp-sandbox` launcher uses all of it; the Swift AWPSandbox
// target uses only the filesystem helpers at the bottom (reading outputs without following symlinks).
// Everything that runs between clone() and execve() is here, in C, because only async-signal-safe code may
// run in a freshly cloned child, and the Swift runtime is not that.

#include <stddef.h>
#include <stdint.h>

// MARK: - Exit codes of the launcher itself (the child's own code is mirrored otherwise)

#define CSBX_EXIT_USAGE 125      ///< bad flags or an invalid policy: nothing was started
#define CSBX_EXIT_NAMESPACES 121 ///< clone, user namespace or id maps failed
#define CSBX_EXIT_MOUNTS 122     ///< building the private root failed
#define CSBX_EXIT_LIMITS 123     ///< rlimits, cgroups or the network set-up failed
#define CSBX_EXIT_PRIVILEGES 124 ///< dropping privileges or loading seccomp failed
#define CSBX_EXIT_NOEXEC 126     ///< the command exists but could not be executed
#define CSBX_EXIT_NOTFOUND 127   ///< the command does not exist inside the sandbox

// MARK: - Policy

#define CSBX_MAX_BINDS 64
#define CSBX_MAX_ENV 128

enum csbx_net_mode {
    CSBX_NET_NONE = 0,  ///< empty network namespace with `lo` up; seccomp refuses AF_INET/AF_INET6
    CSBX_NET_PROXY = 1, ///< empty namespace, a 127.0.0.1:3128 listener handed to the supervisor, AF_INET allowed
};

enum csbx_cgroup_mode {
    CSBX_CGROUP_AUTO = 0,     ///< use a cgroup when the host lets us create one; rlimits otherwise
    CSBX_CGROUP_OFF = 1,      ///< rlimits only
    CSBX_CGROUP_REQUIRED = 2, ///< refuse to run without a memory and pids cgroup
};

struct csbx_bind {
    const char *source;   ///< host path, resolved without following symlinks
    const char *target;   ///< absolute path inside the sandbox
    int writable;
};

struct csbx_policy {
    const char *workspace;          ///< host directory bound read-write at /workspace
    const char *directory;          ///< working directory inside the sandbox (default /workspace)
    struct csbx_bind binds[CSBX_MAX_BINDS];
    int bind_count;
    const char *env[CSBX_MAX_ENV];  ///< "KEY=VALUE", the whole environment besides the defaults
    int env_count;
    enum csbx_net_mode net;
    int proxy_fd;                   ///< unix socket that receives the proxy listener (CSBX_NET_PROXY)
    int report_fd;                  ///< where the final JSON report goes; -1 = stderr summary only
    int seccomp_fd;                 ///< a program from csbx_compile_filter_fd (saves the compile); -1 = compile here
    enum csbx_cgroup_mode cgroup;
    uint64_t cpu_seconds;           ///< RLIMIT_CPU soft limit; 0 = none
    uint64_t memory_mb;             ///< RLIMIT_AS and memory cgroup; 0 = none
    uint64_t max_procs;             ///< pids cgroup and RLIMIT_NPROC; 0 = none
    uint64_t fsize_mb;              ///< RLIMIT_FSIZE
    uint64_t nofile;                ///< RLIMIT_NOFILE
    uint64_t tmp_mb;                ///< size of /tmp
    uint64_t tmp_inodes;            ///< inodes of /tmp
    uint64_t timeout_ms;            ///< wall clock; 0 = none
    uint32_t host_uid;              ///< host uid of the sandbox when the launcher runs as root
    uint32_t host_gid;
    uint32_t inner_uid;             ///< uid the command sees (never 0)
    int chown_workspace;            ///< hand the workspace directory (not its contents) to the sandbox uid
    int verbose;
    char *const *command;           ///< argv of the command, NULL-terminated
};

/// Parses the launcher's argv into `policy`. Returns 0, or writes a message into `error` and returns -1.
int csbx_parse_policy(int argc, char **argv, struct csbx_policy *policy, char *error, size_t error_size);

/// Runs `policy` to completion: confines, executes, supervises, reports. Returns the launcher's exit code.
int csbx_run(const struct csbx_policy *policy);

/// Prints a JSON object describing the kernel features the sandbox relies on. Returns 0 when every
/// mandatory feature is present, 1 otherwise.
int csbx_doctor(void);

/// The libseccomp version this launcher is linked against, as "major.minor.micro".
/// Writes at most `size` bytes (NUL included) into `buffer`; returns 0, or ERANGE when it does not fit.
int csbx_seccomp_version(char *buffer, unsigned long size);

/// The launcher's usage text.
const char *csbx_usage(void);

// MARK: - Filesystem helpers (also used from Swift)

/// Opens `path` relative to `dirfd` without following any symlink and without leaving `dirfd`
/// (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or a component-by-component O_NOFOLLOW walk on old kernels).
/// `flags` are open(2) flags. Returns the fd, or -1 with errno set (ELOOP for a symlink, EXDEV for an escape).
int csbx_open_beneath(int dirfd, const char *path, int flags, unsigned int mode);

/// Compiles the seccomp program for a tier once, into a sealed memfd the supervisor passes to every launch
/// (`--seccomp-fd`): compiling costs about a millisecond, which is most of the launcher's own set-up time.
/// Returns the descriptor (close-on-exec), or -1 with errno set.
int csbx_compile_filter_fd(int allow_inet);

/// Receives one message on a unix socket and returns the descriptor attached to it (SCM_RIGHTS), or -1
/// (errno set; 0 when the peer closed or sent no descriptor). Used for the proxy listener handed over by the
/// launcher.
int csbx_receive_fd(int socket);

/// pipe2(O_CLOEXEC) and accept4(SOCK_CLOEXEC), which Swift's Glibc module does not export (_GNU_SOURCE).
int csbx_pipe_cloexec(int fds[2]);
int csbx_accept_cloexec(int listener);

#endif
