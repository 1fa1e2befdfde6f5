// Resource limits and the final privilege drop, both applied in the child before the seccomp filter.
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int limit(int resource, rlim_t soft, rlim_t hard) {
    struct rlimit value = {.rlim_cur = soft, .rlim_max = hard};
    return setrlimit(resource, &value);
}

int csbx_apply_rlimits(const struct csbx_policy *policy) {
    const rlim_t mib = 1024 * 1024;
    // CPU: SIGXCPU at the soft limit, SIGKILL one second later if the program ignores it.
    if (policy->cpu_seconds && limit(RLIMIT_CPU, policy->cpu_seconds, policy->cpu_seconds + 1) != 0) return -1;
    // Address space: CPython turns this into a clean MemoryError; the memory cgroup (when present) is the hard guard.
    if (policy->memory_mb && limit(RLIMIT_AS, policy->memory_mb * mib, policy->memory_mb * mib) != 0) return -1;
    if (policy->fsize_mb && limit(RLIMIT_FSIZE, policy->fsize_mb * mib, policy->fsize_mb * mib) != 0) return -1;
    if (policy->nofile && limit(RLIMIT_NOFILE, policy->nofile, policy->nofile) != 0) return -1;
    // NPROC is a backstop only (the pids cgroup is the real limit): it counts per user namespace and uid,
    // and the sandbox's init is one of those processes.
    if (policy->max_procs && limit(RLIMIT_NPROC, policy->max_procs + 1, policy->max_procs + 1) != 0) return -1;
    if (limit(RLIMIT_CORE, 0, 0) != 0) return -1;
    if (limit(RLIMIT_MEMLOCK, 64 * 1024, 64 * 1024) != 0) return -1;
    if (limit(RLIMIT_MSGQUEUE, 0, 0) != 0) return -1;
    return 0;
}

int csbx_drop_privileges(void) {
    // The child holds every capability of its own user namespace until here (it needed them for mounts).
    // Lock the securebits so no later uid change can bring them back, then empty every capability set.
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                         SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return -1;
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    if (syscall(SYS_capset, &header, data) != 0) return -1;
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
