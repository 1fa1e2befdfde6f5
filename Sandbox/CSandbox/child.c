// The sandbox's side of the launcher: pid 1 of the new pid namespace. It takes its identity, builds the
// private root, applies limits, drops every privilege, loads seccomp last, then forks the command and stays
// as a minimal init that reaps orphans and reports the command's exact wait status to the launcher.
// Only async-signal-safe work happens here: the launcher is single-threaded, and everything the child needs
// (paths, environment, the compiled filter) was prepared before clone.
#include "csandbox.h"
#include "internal.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void trace(const struct csbx_child *child, const char *phase) {
    if (!child->policy->verbose) return;
    char line[128];
    int n = snprintf(line, sizeof line, "awp-sandbox: +%.3f ms %s\n", (csbx_now_us() - child->start_us) / 1000.0, phase);
    if (n > 0) (void)!write(STDERR_FILENO, line, (size_t)n);
}

/// Tells the launcher which stage failed and why, then exits with that stage's code.
static _Noreturn void fail(int sync, enum csbx_stage stage) {
    struct csbx_message message = {.tag = 'E', .stage = (int)stage, .error = errno};
    (void)!send(sync, &message, sizeof message, MSG_NOSIGNAL);
    _exit(csbx_stage_exit_code(stage, message.error));
}

static _Noreturn void fail_text(int sync, enum csbx_stage stage, const char *text) {
    struct csbx_message message = {.tag = 'E', .stage = (int)stage, .error = errno};
    snprintf(message.text, sizeof message.text, "%s", text);
    (void)!send(sync, &message, sizeof message, MSG_NOSIGNAL);
    _exit(csbx_stage_exit_code(stage, message.error));
}

/// execve with a PATH search over the sandbox's own environment (never the host's).
static void exec_command(char *const *argv, char *const *envp) {
    const char *name = argv[0];
    if (strchr(name, '/') != NULL) {
        execve(name, argv, envp);
        return;
    }
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (char *const *e = envp; *e != NULL; e++) {
        if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    }
    int saw_eacces = 0;
    char candidate[PATH_MAX];
    while (*path != '\0') {
        size_t length = strcspn(path, ":");
        if (length > 0 && length + 1 + strlen(name) < sizeof candidate) {
            memcpy(candidate, path, length);
            candidate[length] = '/';
            strcpy(candidate + length + 1, name);
            execve(candidate, argv, envp);
            if (errno == EACCES) saw_eacces = 1;
        }
        path += length;
        if (*path == ':') path++;
    }
    errno = saw_eacces ? EACCES : ENOENT;
}

_Noreturn void csbx_child_main(const struct csbx_child *child) {
    const struct csbx_policy *policy = child->policy;
    int sync = child->sync;
    char go = 0;
    sigprocmask(SIG_SETMASK, &child->signal_mask, NULL);
    // The launcher writes the id maps and joins us to the cgroup first; EOF means it died.
    if (read(sync, &go, 1) != 1 || go != 'G') _exit(CSBX_EXIT_NAMESPACES);
    // Open every bind source now, in the new mount namespace and still with the launcher's credentials (an
    // interpreter under a 0700 home stays reachable), then take the unprivileged identity at once.
    struct csbx_sources sources;
    char error[256];
    if (csbx_open_sources(policy, &sources, error, sizeof error) != 0) fail_text(sync, CSBX_STAGE_MOUNTS, error);
    // Take the mapped, unprivileged identity: until now our host uid is the launcher's (maybe 0).
    gid_t gid = policy->inner_uid;
    uid_t uid = policy->inner_uid;
    if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) fail(sync, CSBX_STAGE_NAMESPACES);
    // Credential changes clear the parent-death signal, so set it after them; then make sure the parent is
    // still there (it could have died between clone and here).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(sync, CSBX_STAGE_NAMESPACES);
    struct pollfd peer = {.fd = sync, .events = POLLRDHUP};
    if (poll(&peer, 1, 0) != 0) _exit(CSBX_EXIT_NAMESPACES);
    trace(child, "identity");
    if (csbx_build_root(policy, &sources) != 0) fail(sync, CSBX_STAGE_MOUNTS);
    trace(child, "root");
    if (sethostname("sandbox", 7) != 0) fail(sync, CSBX_STAGE_NAMESPACES);
    if (csbx_setup_network(policy) != 0) fail(sync, CSBX_STAGE_NETWORK);
    if (csbx_apply_rlimits(policy) != 0) fail(sync, CSBX_STAGE_LIMITS);
    if (setsid() < 0) fail(sync, CSBX_STAGE_PRIVILEGES);
    // Only stdin, stdout, stderr and the sync socket (as fd 3, closed on exec) survive.
    if (sync != 3) {
        if (dup3(sync, 3, O_CLOEXEC) != 3) fail(sync, CSBX_STAGE_PRIVILEGES);
        sync = 3;
    }
    if (syscall(SYS_close_range, 4, ~0U, 0) != 0) fail(sync, CSBX_STAGE_PRIVILEGES);
    if (csbx_drop_privileges() != 0) fail(sync, CSBX_STAGE_PRIVILEGES);
    trace(child, "limits and privileges");
    int listener = csbx_load_filter(child->filter);
    if (listener == -1) fail(sync, CSBX_STAGE_SECCOMP);
    if (listener >= 0) {
        // The listener must never stay in the sandbox: whoever holds it answers the trapped syscalls.
        if (csbx_send_fd(sync, 'L', listener) != 0) fail(sync, CSBX_STAGE_SECCOMP);
        close(listener);
    }
    trace(child, "seccomp");
    pid_t command = fork();
    if (command < 0) fail(sync, CSBX_STAGE_EXEC);
    if (command == 0) {
        exec_command(child->argv, child->envp);
        fail(sync, CSBX_STAGE_EXEC);
    }
    trace(child, "forked");
    // Minimal init: reap everything, remember the command's status, leave when the command is gone.
    // Leaving kills whatever else still runs in the namespace.
    for (;;) {
        int status = 0;
        pid_t reaped = waitpid(-1, &status, 0);
        if (reaped < 0 && errno == EINTR) continue;
        if (reaped < 0) _exit(CSBX_EXIT_NAMESPACES);
        if (reaped != command) continue;
        trace(child, "command reaped");
        struct csbx_message message = {.tag = 'X', .status = status};
        (void)!send(sync, &message, sizeof message, MSG_NOSIGNAL);
        _exit(0);
    }
}
