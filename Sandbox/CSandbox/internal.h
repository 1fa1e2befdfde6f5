#ifndef CSANDBOX_INTERNAL_H
#define CSANDBOX_INTERNAL_H

// Functions shared between the files of CSandbox. Not part of the public header: Swift never sees these.

#include "csandbox.h"

#include <stdint.h>
#include <sys/types.h>

// MARK: - Set-up stages (reported when something fails before execve)

enum csbx_stage {
    CSBX_STAGE_NAMESPACES = 0,
    CSBX_STAGE_MOUNTS,
    CSBX_STAGE_LIMITS,
    CSBX_STAGE_NETWORK,
    CSBX_STAGE_PRIVILEGES,
    CSBX_STAGE_SECCOMP,
    CSBX_STAGE_EXEC,
};

const char *csbx_stage_name(enum csbx_stage stage);
int csbx_stage_exit_code(enum csbx_stage stage, int error);


/// Microseconds on the monotonic clock.
uint64_t csbx_now_us(void);

// MARK: - Host-side preparation (launcher, before clone)

/// File descriptors opened before clone, while the launcher still has its own credentials.
struct csbx_sources {
    int workspace;
    int usr;
    int binds[CSBX_MAX_BINDS];
    int dev_nodes[5];      ///< null, zero, full, random, urandom
    int ld_cache;          ///< /etc/ld.so.cache or -1
    int ssl;               ///< /etc/ssl (network tier only) or -1
    int etc_shared[3];     ///< /etc entries that /usr packages point into (see csbx_etc_shared), or -1
    char localtime[256];   ///< target of the /etc/localtime symlink, or ""
    char top_links[6][64]; ///< targets of /bin, /sbin, /lib, /lib64, /lib32, /libx32 when they are symlinks
    int top_dirs[6];       ///< or fds when they are real directories (-1 otherwise)
};

extern const char *const csbx_top_names[6];
extern const char *const csbx_dev_names[5];
extern const char *const csbx_etc_shared[3];

/// Opens an absolute host path as O_PATH without following a symlink in any component.
int csbx_open_host_path(const char *path, int directory);

/// Runs in the child, in its new mount namespace, before it gives up the launcher's credentials: descriptors
/// of the old namespace's mounts cannot be bind-mounted into the new one.
int csbx_open_sources(const struct csbx_policy *policy, struct csbx_sources *sources, char *error, size_t size);

// MARK: - Seccomp

struct csbx_filter {
    unsigned char *program; ///< exported BPF (struct sock_filter[])
    size_t length;          ///< in bytes
    int notify;             ///< 1 when the escape primitives use SECCOMP_RET_USER_NOTIF
};

int csbx_build_filter(int allow_inet, struct csbx_filter *filter, char *error, size_t size);
/// Reads a program from a sealed memfd made by csbx_compile_filter_fd, checking it matches the tier.
int csbx_read_filter_fd(int fd, int allow_inet, struct csbx_filter *filter, char *error, size_t size);
/// Loads the filter in the calling process. Returns the notify listener fd, -2 when there is none, -1 on error.
int csbx_load_filter(const struct csbx_filter *filter);
/// Name of syscall `number` on the native architecture, into `buffer`.
void csbx_syscall_name(int number, char *buffer, size_t size);

// MARK: - Child side (between clone and execve; async-signal-safe only)

int csbx_build_root(const struct csbx_policy *policy, const struct csbx_sources *sources);
int csbx_setup_network(const struct csbx_policy *policy);
int csbx_apply_rlimits(const struct csbx_policy *policy);
int csbx_drop_privileges(void);

// MARK: - Cgroups (launcher side)

struct csbx_cgroup {
    int version;              ///< 0 none, 1 or 2
    char memory[512];         ///< v1 memory dir, or the v2 dir
    char pids[512];           ///< v1 pids dir ("" on v2)
};

int csbx_cgroup_create(const struct csbx_policy *policy, struct csbx_cgroup *cgroup, char *error, size_t size);
int csbx_cgroup_attach(const struct csbx_cgroup *cgroup, pid_t pid);
/// Reads the limit events: sets *oom and *pids_max when those limits were hit.
void csbx_cgroup_events(const struct csbx_cgroup *cgroup, int *oom, int *pids_max);
void csbx_cgroup_destroy(const struct csbx_cgroup *cgroup);

// MARK: - Descriptor passing

int csbx_send_fd(int socket, char tag, int fd);
/// Receives one message: returns its length, stores an attached fd in *fd (or -1).
ssize_t csbx_recv_message(int socket, char *buffer, size_t size, int *fd);

#endif
