// The launcher's own side: prepare everything before clone, write the id maps, supervise the sandbox
// (seccomp notifications, the wall clock), classify the outcome, and report it.
#include "csandbox.h"
#include "internal.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *csbx_stage_name(enum csbx_stage stage) {
    static const char *const names[] = {"namespaces", "mounts", "limits", "network", "privileges", "seccomp", "exec"};
    return (unsigned)stage < sizeof names / sizeof *names ? names[stage] : "unknown";
}

int csbx_stage_exit_code(enum csbx_stage stage, int error) {
    switch (stage) {
    case CSBX_STAGE_NAMESPACES: return CSBX_EXIT_NAMESPACES;
    case CSBX_STAGE_MOUNTS: return CSBX_EXIT_MOUNTS;
    case CSBX_STAGE_LIMITS: case CSBX_STAGE_NETWORK: return CSBX_EXIT_LIMITS;
    case CSBX_STAGE_PRIVILEGES: case CSBX_STAGE_SECCOMP: return CSBX_EXIT_PRIVILEGES;
    case CSBX_STAGE_EXEC: return error == ENOENT ? CSBX_EXIT_NOTFOUND : CSBX_EXIT_NOEXEC;
    }
    return CSBX_EXIT_USAGE;
}

/// The command's environment: a fixed baseline, proxy variables in the network tier, then the policy's own
/// entries (which win). Nothing from the launcher's environment leaks in.
static char **build_environment(const struct csbx_policy *policy) {
    static const char *const base[] = {
        "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8", "USER=sandbox",
        "PYTHONDONTWRITEBYTECODE=1", "MPLCONFIGDIR=/tmp/.matplotlib", "MPLBACKEND=Agg",
    };
    static const char *const proxy[] = {
        "http_proxy=http://127.0.0.1:3128", "https_proxy=http://127.0.0.1:3128", "HTTP_PROXY=http://127.0.0.1:3128",
        "HTTPS_PROXY=http://127.0.0.1:3128", "ALL_PROXY=http://127.0.0.1:3128", "all_proxy=http://127.0.0.1:3128",
        "PIP_PROXY=http://127.0.0.1:3128",
    };
    size_t base_count = sizeof base / sizeof *base, proxy_count = sizeof proxy / sizeof *proxy;
    char **envp = calloc(base_count + proxy_count + (size_t)policy->env_count + 1, sizeof *envp);
    if (envp == NULL) return NULL;
    size_t n = 0;
    const char *const *lists[2] = {base, proxy};
    size_t counts[2] = {base_count, policy->net == CSBX_NET_PROXY ? proxy_count : 0};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const char *entry = lists[l][i];
            size_t key = strcspn(entry, "=");
            int overridden = 0;
            for (int e = 0; e < policy->env_count; e++) {
                if (strncmp(policy->env[e], entry, key + 1) == 0) overridden = 1;
            }
            if (!overridden) envp[n++] = (char *)entry;
        }
    }
    for (int e = 0; e < policy->env_count; e++) envp[n++] = (char *)policy->env[e];
    return envp;
}

static int write_proc(pid_t pid, const char *file, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/// Maps the sandbox's one uid and gid. As root the host side is an unprivileged id (never host 0: a kuid-0
/// sandbox could write host sysctls such as core_pattern); otherwise it is the caller's own id.
static int write_id_maps(const struct csbx_policy *policy, pid_t pid) {
    uid_t host_uid = geteuid() == 0 ? policy->host_uid : geteuid();
    gid_t host_gid = geteuid() == 0 ? policy->host_gid : getegid();
    char map[64];
    if (write_proc(pid, "setgroups", "deny") != 0 && errno != ENOENT) return -1;
    snprintf(map, sizeof map, "%u %u 1\n", policy->inner_uid, host_gid);
    if (write_proc(pid, "gid_map", map) != 0) return -1;
    snprintf(map, sizeof map, "%u %u 1\n", policy->inner_uid, host_uid);
    return write_proc(pid, "uid_map", map);
}

struct outcome {
    int setup_failed, stage, error;
    int have_status, status;
    int violation;
    char syscall[64];
    int timed_out;
    int terminated;
    char text[256];
};

/// Records one trapped escape primitive by name. The caller then kills the sandbox; the trapped call is
/// never answered, so it cannot return to the program (the kill wakes it and it dies in the kernel).
static void handle_notification(int listener, struct outcome *outcome) {
    struct seccomp_notif *request = NULL;
    struct seccomp_notif_resp *response = NULL;
    if (seccomp_notify_alloc(&request, &response) != 0) return;
    if (seccomp_notify_receive(listener, request) == 0) {
        if (!outcome->violation) csbx_syscall_name(request->data.nr, outcome->syscall, sizeof outcome->syscall);
        outcome->violation = 1;
    }
    seccomp_notify_free(request, response);
}

static void supervise(const struct csbx_policy *policy, pid_t pid, int sync, int signals, uint64_t start,
                      struct outcome *outcome) {
    int listener = -1;
    int sync_open = 1;
    uint64_t deadline_ms = policy->timeout_ms;
    while (sync_open) {
        struct pollfd fds[3] = {{.fd = sync, .events = POLLIN}, {.fd = signals, .events = POLLIN},
                                {.fd = listener, .events = POLLIN}};
        int timeout = -1;
        if (deadline_ms) {
            uint64_t elapsed = (csbx_now_us() - start) / 1000;
            timeout = elapsed >= deadline_ms ? 0 : (int)(deadline_ms - elapsed);
        }
        int ready = poll(fds, listener >= 0 ? 3 : 2, timeout);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0 && !outcome->timed_out) {
            outcome->timed_out = 1;
            kill(pid, SIGKILL); // pid 1 of the namespace: every process in it dies with it
            deadline_ms = 0; // no further timeouts: wait for the EOF
            continue;
        }
        if (fds[1].revents & POLLIN) {
            // SIGTERM, SIGINT or SIGHUP to the launcher: stop the sandbox, then clean up and report as usual.
            struct signalfd_siginfo info;
            if (read(signals, &info, sizeof info) == sizeof info) {
                outcome->terminated = (int)info.ssi_signo;
                kill(pid, SIGKILL);
            }
        }
        if (listener >= 0 && (fds[2].revents & POLLIN)) {
            // Receive first (the trapped task waits for an answer, so nothing runs meanwhile), then kill.
            handle_notification(listener, outcome);
            kill(pid, SIGKILL);
        } else if (listener >= 0 && (fds[2].revents & (POLLHUP | POLLERR | POLLNVAL))) {
            close(listener);
            listener = -1;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            struct csbx_message message;
            int fd = -1;
            memset(&message, 0, sizeof message);
            ssize_t n = csbx_recv_message(sync, (char *)&message, sizeof message, &fd);
            if (n <= 0) { sync_open = 0; break; }
            if (message.tag == 'L' && fd >= 0 && listener < 0) { listener = fd; continue; }
            if (fd >= 0) close(fd);
            if (message.tag == 'E' && n == sizeof message && !outcome->setup_failed) {
                outcome->setup_failed = 1;
                outcome->stage = message.stage;
                outcome->error = message.error;
                memcpy(outcome->text, message.text, sizeof outcome->text);
                outcome->text[sizeof outcome->text - 1] = '\0';
            } else if (message.tag == 'X' && n == sizeof message) {
                outcome->have_status = 1;
                outcome->status = message.status;
            }
        }
    }
    if (listener >= 0) {
        // A notification can still be pending from the last moments; drain it so it is reported.
        struct pollfd last = {.fd = listener, .events = POLLIN};
        if (poll(&last, 1, 0) == 1 && (last.revents & POLLIN)) handle_notification(listener, outcome);
        close(listener);
    }
}

static void json_string(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

struct report {
    const char *status;
    int exit_code, signal;
    const char *syscall;
    const char *stage;
    char error[256];
    double wall_ms, cpu_ms;
    long max_rss_kb;
    int oom, pids_max, cpu_limit;
    int cgroup_version;
};

static void write_report(int fd, const struct report *r) {
    int copy = dup(fd);
    FILE *out = copy >= 0 ? fdopen(copy, "w") : NULL;
    if (out == NULL) return;
    fprintf(out, "{\"status\":\"%s\",\"exitCode\":", r->status);
    if (r->exit_code >= 0) fprintf(out, "%d", r->exit_code); else fputs("null", out);
    fputs(",\"signal\":", out);
    if (r->signal > 0) fprintf(out, "%d", r->signal); else fputs("null", out);
    fputs(",\"violation\":", out);
    if (r->syscall) { fputs("{\"syscall\":", out); json_string(out, r->syscall); fputc('}', out); } else fputs("null", out);
    fputs(",\"stage\":", out);
    if (r->stage) json_string(out, r->stage); else fputs("null", out);
    fputs(",\"error\":", out);
    if (r->error[0]) json_string(out, r->error); else fputs("null", out);
    fprintf(out, ",\"wallMs\":%.3f,\"cpuMs\":%.3f,\"maxRssKb\":%ld,\"limitsHit\":[", r->wall_ms, r->cpu_ms, r->max_rss_kb);
    const char *hits[3] = {r->oom ? "memory" : NULL, r->pids_max ? "pids" : NULL, r->cpu_limit ? "cpu" : NULL};
    int first = 1;
    for (int i = 0; i < 3; i++) {
        if (!hits[i]) continue;
        fprintf(out, "%s\"%s\"", first ? "" : ",", hits[i]);
        first = 0;
    }
    fprintf(out, "],\"cgroup\":%d}\n", r->cgroup_version);
    fclose(out);
}

/// Reports a failure that happened before anything was started.
static int early_failure(const struct csbx_policy *policy, int code, const char *stage, const char *message) {
    fprintf(stderr, "awp-sandbox: %s\n", message);
    if (policy->report_fd >= 0) {
        struct report r = {.status = "setup_failed", .exit_code = -1, .stage = stage};
        snprintf(r.error, sizeof r.error, "%s", message);
        write_report(policy->report_fd, &r);
    }
    return code;
}

static void trace_parent(const struct csbx_policy *policy, uint64_t start, const char *phase) {
    if (policy->verbose) fprintf(stderr, "awp-sandbox: +%.3f ms %s\n", (csbx_now_us() - start) / 1000.0, phase);
}

int csbx_run(const struct csbx_policy *policy) {
    uint64_t start = csbx_now_us();
    char error[512] = "";
    // Root's supplementary groups (gid 0 among them) must not follow the child into the sandbox.
    if (geteuid() == 0 && setgroups(0, NULL) != 0) return early_failure(policy, CSBX_EXIT_NAMESPACES, "namespaces", "setgroups failed");
    if (geteuid() == 0 && policy->chown_workspace) {
        int workspace = csbx_open_host_path(policy->workspace, 1);
        int rc = workspace < 0 ? -1 : fchownat(workspace, "", policy->host_uid, policy->host_gid, AT_EMPTY_PATH);
        if (workspace >= 0) close(workspace);
        if (rc != 0) return early_failure(policy, CSBX_EXIT_MOUNTS, "mounts", "cannot hand the workspace to the sandbox uid");
    }
    struct csbx_filter filter;
    int filter_rc = policy->seccomp_fd >= 0
                        ? csbx_read_filter_fd(policy->seccomp_fd, policy->net == CSBX_NET_PROXY, &filter, error, sizeof error)
                        : csbx_build_filter(policy->net == CSBX_NET_PROXY, &filter, error, sizeof error);
    if (policy->seccomp_fd >= 0) close(policy->seccomp_fd);
    if (filter_rc != 0) {
        return early_failure(policy, CSBX_EXIT_PRIVILEGES, "seccomp", error);
    }
    trace_parent(policy, start, "filter compiled");
    struct csbx_cgroup cgroup;
    if (csbx_cgroup_create(policy, &cgroup, error, sizeof error) != 0) return early_failure(policy, CSBX_EXIT_LIMITS, "limits", error);
    trace_parent(policy, start, "cgroup");
    char **envp = build_environment(policy);
    // Termination requests arrive through a signalfd so that cleanup and the report always happen; the child
    // restores the original mask before it runs anything.
    sigset_t handled, original;
    sigemptyset(&handled);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_BLOCK, &handled, &original);
    int signals = signalfd(-1, &handled, SFD_CLOEXEC);
    int sv[2];
    if (envp == NULL || signals < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        csbx_cgroup_destroy(&cgroup);
        return early_failure(policy, CSBX_EXIT_NAMESPACES, "namespaces", "out of resources");
    }
    struct csbx_child child = {policy, &filter, policy->command, envp, sv[1], start, original};
    unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                          CLONE_NEWCGROUP | SIGCHLD;
    // Raw clone with no new stack behaves like fork; the launcher is single-threaded, so that is safe.
    pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
    if (pid == 0) {
        close(sv[0]);
        csbx_child_main(&child);
    }
    close(sv[1]);
    if (pid < 0) {
        snprintf(error, sizeof error, "clone with user, pid, mount, net, ipc, uts and cgroup namespaces failed: %s%s",
                 strerror(errno), errno == EPERM || errno == ENOSPC ? " (are unprivileged user namespaces enabled?)" : "");
        csbx_cgroup_destroy(&cgroup);
        return early_failure(policy, CSBX_EXIT_NAMESPACES, "namespaces", error);
    }
    trace_parent(policy, start, "cloned");
    struct outcome outcome;
    memset(&outcome, 0, sizeof outcome);
    if (write_id_maps(policy, pid) != 0 || csbx_cgroup_attach(&cgroup, pid) != 0 || write(sv[0], "G", 1) != 1) {
        outcome.setup_failed = 1;
        outcome.stage = CSBX_STAGE_NAMESPACES;
        outcome.error = errno;
        kill(pid, SIGKILL);
    } else {
        supervise(policy, pid, sv[0], signals, start, &outcome);
        trace_parent(policy, start, "supervised");
    }
    close(sv[0]);
    int init_status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(pid, &init_status, 0, &usage) < 0 && errno == EINTR) {}
    trace_parent(policy, start, "reaped");
    double wall_ms = (csbx_now_us() - start) / 1000.0;

    struct report r = {.exit_code = -1, .wall_ms = wall_ms, .cgroup_version = cgroup.version};
    r.cpu_ms = usage.ru_utime.tv_sec * 1000.0 + usage.ru_utime.tv_usec / 1000.0 + usage.ru_stime.tv_sec * 1000.0 +
               usage.ru_stime.tv_usec / 1000.0;
    r.max_rss_kb = usage.ru_maxrss;
    csbx_cgroup_events(&cgroup, &r.oom, &r.pids_max);
    csbx_cgroup_destroy(&cgroup);
    trace_parent(policy, start, "cgroup removed");

    int status = outcome.have_status ? outcome.status : init_status;
    int code;
    if (outcome.setup_failed) {
        r.status = "setup_failed";
        r.stage = csbx_stage_name((enum csbx_stage)outcome.stage);
        if (outcome.text[0]) snprintf(r.error, sizeof r.error, "%s", outcome.text);
        else snprintf(r.error, sizeof r.error, "%s: %s", r.stage, strerror(outcome.error));
        code = csbx_stage_exit_code((enum csbx_stage)outcome.stage, outcome.error);
        // A missing command is the caller's mistake, not a broken sandbox: say it plainly.
        if (outcome.stage == CSBX_STAGE_EXEC) fprintf(stderr, "awp-sandbox: %s: %s\n", policy->command[0], strerror(outcome.error));
        else fprintf(stderr, "awp-sandbox: set-up failed (%s)\n", r.error);
    } else if (WIFEXITED(status)) {
        r.status = "exited";
        r.exit_code = code = WEXITSTATUS(status);
    } else {
        r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
        code = 128 + r.signal;
        r.status = "signaled";
        r.cpu_limit = policy->cpu_seconds &&
                      (r.signal == SIGXCPU || (r.signal == SIGKILL && r.cpu_ms >= policy->cpu_seconds * 1000.0));
        if (outcome.violation) {
            r.status = "violation";
            r.syscall = outcome.syscall;
        } else if (r.signal == SIGSYS) {
            // Killed by the filter itself: a foreign ABI (int 0x80, x32) or a kernel without user-notify.
            r.status = "violation";
            r.syscall = "foreign-abi-or-unlisted";
        } else if (outcome.terminated) {
            r.status = "signaled";
        } else if (outcome.timed_out || r.cpu_limit) {
            r.status = "timed_out";
        } else if (r.oom) {
            r.status = "memory_exceeded";
        }
    }
    if (policy->report_fd >= 0) write_report(policy->report_fd, &r);
    if (policy->verbose) fprintf(stderr, "awp-sandbox: %s after %.3f ms\n", r.status, wall_ms);
    return code;
}
