// `awp-sandbox --doctor`: which kernel features the sandbox relies on are present on this host, and which
// limits will therefore be enforced. Mandatory: user, pid, mount, net, ipc and uts namespaces; seccomp filters
// with KILL_PROCESS; no_new_privs. Everything else degrades to a documented fallback.
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

static int namespaces_work(void) {
    unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                          CLONE_NEWCGROUP | SIGCHLD;
    pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
    if (pid == 0) _exit(0);
    if (pid < 0) return 0;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int action_available(unsigned int action) {
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static long read_number(const char *path) {
    char buffer[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return -1;
    buffer[n] = '\0';
    long value = -1;
    sscanf(buffer, "%ld", &value);
    return value;
}

/// "v2", "v1" (legacy or hybrid) or "none", and whether this process may create a child cgroup there.
static const char *cgroup_version(int *memory, int *pids) {
    struct statfs fs;
    *memory = *pids = 0;
    if (statfs("/sys/fs/cgroup", &fs) != 0) return "none";
    if (fs.f_type == CGROUP2_SUPER_MAGIC) {
        char buffer[512] = "";
        int fd = open("/sys/fs/cgroup/cgroup.controllers", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, buffer, sizeof buffer - 1);
            buffer[n > 0 ? n : 0] = '\0';
            close(fd);
        }
        *memory = strstr(buffer, "memory") != NULL;
        *pids = strstr(buffer, "pids") != NULL;
        return "v2";
    }
    *memory = access("/sys/fs/cgroup/memory", W_OK) == 0;
    *pids = access("/sys/fs/cgroup/pids", W_OK) == 0;
    return "v1";
}

int csbx_doctor(void) {
    struct utsname name;
    uname(&name);
    int userns = namespaces_work();
    int api = seccomp_api_get();
    int kill_process = action_available(SECCOMP_RET_KILL_PROCESS);
    int notify = action_available(SECCOMP_RET_USER_NOTIF) && api >= 5;
    long landlock = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    int memory = 0, pids = 0;
    const char *cgroups = cgroup_version(&memory, &pids);
    int root = geteuid() == 0;
    int cgroup_memory = memory && root, cgroup_pids = pids && root;
    long tiocsti = read_number("/proc/sys/dev/tty/legacy_tiocsti");
    long io_uring = read_number("/proc/sys/kernel/io_uring_disabled");
    long userfaultfd = read_number("/proc/sys/vm/unprivileged_userfaultfd");
    long max_userns = read_number("/proc/sys/user/max_user_namespaces");
    int ok = userns && kill_process && api >= 1;
    char version[32];
    csbx_seccomp_version(version, sizeof version);
    printf("{\"ok\":%s,\"kernel\":\"%s\",\"root\":%s,\"hostUid\":%u,", ok ? "true" : "false", name.release,
           root ? "true" : "false", root ? 100000u : (unsigned)geteuid());
    printf("\"userNamespaces\":%s,\"maxUserNamespaces\":%ld,", userns ? "true" : "false", max_userns);
    printf("\"seccomp\":{\"libseccomp\":\"%s\",\"api\":%d,\"killProcess\":%s,\"userNotify\":%s},", version, api,
           kill_process ? "true" : "false", notify ? "true" : "false");
    printf("\"cgroup\":{\"version\":\"%s\",\"memory\":%s,\"pids\":%s},", cgroups, cgroup_memory ? "true" : "false",
           cgroup_pids ? "true" : "false");
    printf("\"landlockABI\":%ld,", landlock > 0 ? landlock : 0);
    printf("\"sysctls\":{\"legacyTiocsti\":%ld,\"ioUringDisabled\":%ld,\"unprivilegedUserfaultfd\":%ld},", tiocsti,
           io_uring, userfaultfd);
    printf("\"limits\":{\"memory\":\"%s\",\"pids\":\"%s\",\"cpu\":\"rlimit\",\"wall\":\"launcher timer\","
           "\"files\":\"rlimit + tmpfs size\"},",
           cgroup_memory ? "cgroup + rlimit AS" : "rlimit AS", cgroup_pids ? "cgroup + rlimit NPROC" : "rlimit NPROC");
    printf("\"missing\":[");
    const char *missing[3] = {userns ? NULL : "user namespaces", kill_process ? NULL : "seccomp KILL_PROCESS",
                              api >= 1 ? NULL : "seccomp filters"};
    int first = 1;
    for (int i = 0; i < 3; i++) {
        if (missing[i] == NULL) continue;
        printf("%s\"%s\"", first ? "" : ",", missing[i]);
        first = 0;
    }
    printf("]}\n");
    return ok ? 0 : 1;
}
