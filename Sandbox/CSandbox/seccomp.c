// The seccomp policy, built with libseccomp in the launcher before clone and loaded by the child as the last
// step before execve. Default: EPERM. Escape primitives: user-notify (the launcher reports the syscall by name
// and kills the sandbox) or, on kernels without user-notify, KILL_PROCESS. Foreign ABIs (i386 int 0x80, x32)
// kill the process.
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/// What ordinary programs (CPython with numpy/pandas/matplotlib, sh, coreutils) need, from strace of
/// representative workloads. Anything missing fails with EPERM, never silently succeeds.
static const char *const allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat", "lstat", "newfstatat",
    "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "lseek", "poll", "ppoll", "select",
    "pselect6", "mmap", "mprotect", "munmap", "mremap", "madvise", "msync", "mincore", "mlock", "munlock",
    "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending",
    "rt_sigtimedwait", "sigaltstack", "pipe", "pipe2", "dup", "dup2", "dup3", "nanosleep", "clock_nanosleep",
    "clock_gettime", "clock_getres", "gettimeofday", "time", "getitimer", "setitimer", "alarm", "pause",
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getpgrp", "getpgid", "getsid", "setpgid", "setsid", "uname", "fcntl", "flock", "fsync",
    "fdatasync", "sync", "syncfs", "truncate", "ftruncate", "fallocate", "fadvise64", "readahead",
    "getdents", "getdents64", "getcwd", "chdir", "fchdir", "rename", "renameat", "renameat2", "mkdir",
    "mkdirat", "rmdir", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink",
    "readlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat", "umask", "utime",
    "utimes", "utimensat", "futimesat", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
    "flistxattr", "getrlimit", "setrlimit", "prlimit64", "getrusage", "sysinfo", "times", "exit",
    "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "futex", "futex_waitv", "set_robust_list", "get_robust_list", "set_tid_address", "arch_prctl",
    "sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler", "sched_get_priority_max",
    "sched_get_priority_min", "sched_rr_get_interval", "getpriority", "getrandom", "membarrier", "rseq",
    "restart_syscall", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
    "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
    "timerfd_gettime", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "connect", "accept", "accept4",
    "bind", "listen", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
    "getsockname", "getpeername", "setsockopt", "getsockopt", "execve", "execveat", "fork", "vfork",
    "sendfile", "copy_file_range", "memfd_create", "pidfd_open", "pidfd_send_signal", "getcpu",
    "get_mempolicy", "capget", "mlock2", "munlockall",
};

/// The escape primitives: never needed by analysis code, central to kernel exploits. Reported, then killed.
static const char *const fatal[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
};

/// Namespace flags that clone(2) must not carry (CLONE_NEWTIME shares bits with the exit signal in clone's
/// flags and is only reachable through clone3, which gets ENOSYS).
#define CSBX_CLONE_NS_MASK (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
                            CLONE_NEWPID | CLONE_NEWNET)

/// Argument `index` equals `value` on its low 32 bits (the kernel truncates int arguments; compare what it sees).
static struct scmp_arg_cmp low32_equals(unsigned int index, uint32_t value) {
    return (struct scmp_arg_cmp){.arg = index, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = value};
}

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count, const struct scmp_arg_cmp *args) {
    int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) return 0; // not on this architecture (e.g. "open" on arm64)
    return seccomp_rule_add_array(ctx, action, number, count, args);
}

static int build(scmp_filter_ctx ctx, int allow_inet, uint32_t fatal_action) {
    int rc = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed && rc == 0; i++) {
        rc = add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
    }
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal && rc == 0; i++) rc = add(ctx, fatal_action, fatal[i], 0, NULL);
    if (rc != 0) return rc;

    // clone without namespace flags; clone3 hides its flags in memory, so it gets ENOSYS and libc falls back.
    struct scmp_arg_cmp no_ns = {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = CSBX_CLONE_NS_MASK, .datum_b = 0};
    if ((rc = add(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_ns)) != 0) return rc;
    if ((rc = add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL)) != 0) return rc;

    // ioctl: terminal queries and descriptor flags only. Compared on the low 32 bits, because the kernel
    // truncates the command (the TIOCSTI-with-high-bits trick, CVE-2019-10063).
    static const unsigned long ioctls[] = {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, TIOCGPGRP};
    for (size_t i = 0; i < sizeof ioctls / sizeof *ioctls; i++) {
        struct scmp_arg_cmp cmd = low32_equals(1, (uint32_t)ioctls[i]);
        if ((rc = add(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &cmd)) != 0) return rc;
    }

    // prctl: naming threads and a few read-only queries. Never securebits, seccomp, capabilities.
    static const int prctls[] = {PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_GET_PDEATHSIG, PR_GET_NO_NEW_PRIVS,
                                 0x53564d41 /* PR_SET_VMA */};
    for (size_t i = 0; i < sizeof prctls / sizeof *prctls; i++) {
        struct scmp_arg_cmp option = low32_equals(0, (uint32_t)prctls[i]);
        if ((rc = add(ctx, SCMP_ACT_ALLOW, "prctl", 1, &option)) != 0) return rc;
    }

    // Sockets: AF_UNIX always (inside the private netns it reaches nothing of the host); AF_INET and AF_INET6
    // only in the network tier, where the only way out is the proxy listener. Never netlink, packet, vsock.
    int families[3] = {AF_UNIX, AF_INET, AF_INET6};
    int family_count = allow_inet ? 3 : 1;
    for (int i = 0; i < family_count; i++) {
        struct scmp_arg_cmp domain = low32_equals(0, (uint32_t)families[i]);
        if ((rc = add(ctx, SCMP_ACT_ALLOW, "socket", 1, &domain)) != 0) return rc;
    }
    struct scmp_arg_cmp unix_only = low32_equals(0, AF_UNIX);
    return add(ctx, SCMP_ACT_ALLOW, "socketpair", 1, &unix_only);
}

/// Exports the compiled program into memory through a pipe (libseccomp 2.5 exports to a descriptor only).
static int export_program(scmp_filter_ctx ctx, struct csbx_filter *filter) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -errno;
    int rc = seccomp_export_bpf(ctx, pipefd[1]);
    close(pipefd[1]);
    if (rc != 0) { close(pipefd[0]); return rc; }
    size_t capacity = 4096, length = 0;
    unsigned char *buffer = malloc(capacity);
    for (;;) {
        if (buffer == NULL) { close(pipefd[0]); return -ENOMEM; }
        ssize_t n = read(pipefd[0], buffer + length, capacity - length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        length += (size_t)n;
        if (length == capacity) buffer = realloc(buffer, capacity *= 2);
    }
    close(pipefd[0]);
    filter->program = buffer;
    filter->length = length;
    return length > 0 && length % sizeof(struct sock_filter) == 0 ? 0 : -EINVAL;
}

int csbx_build_filter(int allow_inet, struct csbx_filter *filter, char *error, size_t size) {
    memset(filter, 0, sizeof *filter);
    // User-notify needs kernel 5.0 and libseccomp API level 5 or more.
    filter->notify = seccomp_api_get() >= 5;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (ctx == NULL) { snprintf(error, size, "seccomp_init failed"); return -1; }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc == 0) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); // binary tree: half the load time
    if (rc == 0) rc = build(ctx, allow_inet, filter->notify ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS);
    if (rc == 0) rc = export_program(ctx, filter);
    seccomp_release(ctx);
    if (rc != 0) { snprintf(error, size, "building the seccomp filter failed: %s", strerror(-rc)); return -1; }
    return 0;
}

int csbx_load_filter(const struct csbx_filter *filter) {
    struct sock_fprog program = {
        .len = (unsigned short)(filter->length / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)filter->program,
    };
    unsigned int flags = filter->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
    if (rc < 0) return -1;
    return filter->notify ? (int)rc : -2;
}

void csbx_syscall_name(int number, char *buffer, size_t size) {
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, number);
    if (name != NULL) {
        snprintf(buffer, size, "%s", name);
        free(name);
    } else {
        snprintf(buffer, size, "syscall_%d", number);
    }
}

/// Header of a precompiled program: magic, then flags (bit 0: user-notify actions, bit 1: AF_INET allowed).
#define CSBX_FILTER_MAGIC 0x42505741u /* "AWPB" */

int csbx_compile_filter_fd(int allow_inet) {
    struct csbx_filter filter;
    char error[256];
    if (csbx_build_filter(allow_inet, &filter, error, sizeof error) != 0) { errno = EINVAL; return -1; }
    int fd = memfd_create("awp-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) { free(filter.program); return -1; }
    uint32_t header[2] = {CSBX_FILTER_MAGIC, (uint32_t)(filter.notify ? 1 : 0) | (uint32_t)(allow_inet ? 2 : 0)};
    int ok = write(fd, header, sizeof header) == (ssize_t)sizeof header &&
             write(fd, filter.program, filter.length) == (ssize_t)filter.length &&
             fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0;
    free(filter.program);
    if (!ok) { close(fd); return -1; }
    return fd;
}

int csbx_read_filter_fd(int fd, int allow_inet, struct csbx_filter *filter, char *error, size_t size) {
    memset(filter, 0, sizeof *filter);
    // Only a sealed memfd is accepted: nobody can change the program after the supervisor wrote it.
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) {
        snprintf(error, size, "--seccomp-fd must be a sealed memfd");
        return -1;
    }
    unsigned char buffer[65536];
    ssize_t n = pread(fd, buffer, sizeof buffer, 0);
    uint32_t header[2];
    if (n < (ssize_t)sizeof header || (size_t)(n - (ssize_t)sizeof header) % sizeof(struct sock_filter) != 0) {
        snprintf(error, size, "--seccomp-fd holds no valid program");
        return -1;
    }
    memcpy(header, buffer, sizeof header);
    if (header[0] != CSBX_FILTER_MAGIC || ((header[1] & 2) != 0) != (allow_inet != 0)) {
        snprintf(error, size, "--seccomp-fd holds a program for another tier");
        return -1;
    }
    filter->notify = (header[1] & 1) != 0;
    filter->length = (size_t)n - sizeof header;
    filter->program = malloc(filter->length);
    if (filter->program == NULL) { snprintf(error, size, "out of memory"); return -1; }
    memcpy(filter->program, buffer + sizeof header, filter->length);
    return 0;
}
