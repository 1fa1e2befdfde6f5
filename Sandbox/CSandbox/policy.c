// Turns the launcher's argv into a validated policy. Every check that can fail happens here, before any
// namespace exists, so a bad policy never produces a half-confined run.
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *error, size_t size, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
    return -1;
}

/// Parses a positive decimal number no larger than `max`.
static int parse_number(const char *text, uint64_t max, uint64_t *out) {
    if (text == NULL || *text == '\0' || *text == '-' || *text == '+') return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value > max) return -1;
    *out = value;
    return 0;
}

/// Inside paths must be absolute, normalised and must not shadow what the launcher builds itself.
static int valid_target(const char *target) {
    if (target[0] != '/' || strlen(target) >= PATH_MAX) return 0;
    if (strstr(target, "/../") || strstr(target, "/./") || strstr(target, "//")) return 0;
    size_t n = strlen(target);
    if (n >= 3 && strcmp(target + n - 3, "/..") == 0) return 0;
    if (n >= 2 && strcmp(target + n - 2, "/.") == 0) return 0;
    static const char *reserved[] = {"/", "/proc", "/dev", "/tmp", "/workspace", "/etc"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++) {
        if (strcmp(target, reserved[i]) == 0) return 0;
    }
    static const char *under[] = {"/proc/", "/dev/"};
    for (size_t i = 0; i < sizeof under / sizeof *under; i++) {
        if (strncmp(target, under[i], strlen(under[i])) == 0) return 0;
    }
    return 1;
}

static int add_bind(struct csbx_policy *policy, char *spec, int writable, char *error, size_t size) {
    if (policy->bind_count >= CSBX_MAX_BINDS) return fail(error, size, "too many binds (at most %d)", CSBX_MAX_BINDS);
    char *colon = strchr(spec, ':');
    const char *source = spec;
    const char *target = spec;
    if (colon != NULL) {
        *colon = '\0';
        target = colon + 1;
    }
    if (source[0] != '/') return fail(error, size, "bind source '%s' must be an absolute path", source);
    if (!valid_target(target)) return fail(error, size, "bind target '%s' is not an allowed absolute path", target);
    struct stat st;
    if (lstat(source, &st) != 0) return fail(error, size, "bind source '%s': %s", source, strerror(errno));
    if (S_ISLNK(st.st_mode)) return fail(error, size, "bind source '%s' is a symlink; name its target instead", source);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        return fail(error, size, "bind source '%s' is neither a directory nor a regular file", source);
    }
    policy->binds[policy->bind_count++] = (struct csbx_bind){source, target, writable};
    return 0;
}

static const char usage_text[] =
    "usage: awp-sandbox [options] -- COMMAND [ARG]...\n"
    "  --workspace DIR        host directory bound read-write at /workspace (required)\n"
    "  --chdir DIR            working directory inside the sandbox (default /workspace)\n"
    "  --ro SRC[:DST]         extra read-only bind (no symlinks in SRC)\n"
    "  --rw SRC[:DST]         extra read-write bind\n"
    "  --net none|proxy       empty network namespace; proxy hands a 127.0.0.1:3128 listener to --proxy-fd\n"
    "  --proxy-fd N           unix socket that receives the proxy listener (SCM_RIGHTS)\n"
    "  --env KEY=VALUE        environment entry (repeatable); nothing else is inherited\n"
    "  --keep-env KEY         pass KEY from the launcher's own environment, if set (repeatable); for\n"
    "                         secrets, which must not appear in the launcher's argv\n"
    "  --cpu-s N --memory-mb N --max-procs N --fsize-mb N --nofile N --tmp-mb N --tmp-inodes N\n"
    "  --timeout-ms N         wall-clock limit; the whole pid namespace is killed\n"
    "  --cgroup auto|off|required\n"
    "  --host-uid N --host-gid N   host identity of the sandbox when run as root (default 100000)\n"
    "  --chown-workspace      give the workspace directory itself to the sandbox uid (root only)\n"
    "  --report-fd N          write one JSON report line to fd N at the end\n"
    "  --seccomp-fd N         use the precompiled program in sealed memfd N instead of compiling one\n"
    "  --verbose              trace set-up phases to stderr\n"
    "  --doctor | --version | --help\n";

const char *csbx_usage(void) { return usage_text; }

int csbx_parse_policy(int argc, char **argv, struct csbx_policy *policy, char *error, size_t size) {
    *policy = (struct csbx_policy){
        .net = CSBX_NET_NONE, .proxy_fd = -1, .report_fd = -1, .seccomp_fd = -1, .cgroup = CSBX_CGROUP_AUTO,
        .fsize_mb = 1024, .nofile = 256, .tmp_mb = 64, .tmp_inodes = 16384,
        .host_uid = 100000, .host_gid = 100000, .inner_uid = 1000,
    };
    int i = 1;
    for (; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--") == 0) { i++; break; }
        if (strcmp(flag, "--chown-workspace") == 0) { policy->chown_workspace = 1; continue; }
        if (strcmp(flag, "--verbose") == 0) { policy->verbose = 1; continue; }
        if (flag[0] != '-' || flag[1] != '-') return fail(error, size, "expected an option or '--', got '%s'", flag);
        if (i + 1 >= argc) return fail(error, size, "option %s needs a value", flag);
        char *value = argv[++i];
        uint64_t number = 0;
        if (strcmp(flag, "--workspace") == 0) {
            policy->workspace = value;
        } else if (strcmp(flag, "--chdir") == 0) {
            if (value[0] != '/') return fail(error, size, "--chdir needs an absolute path inside the sandbox, got '%s'", value);
            policy->directory = value;
        } else if (strcmp(flag, "--ro") == 0 || strcmp(flag, "--rw") == 0) {
            if (add_bind(policy, value, flag[3] == 'w', error, size) != 0) return -1;
        } else if (strcmp(flag, "--net") == 0) {
            if (strcmp(value, "none") == 0) policy->net = CSBX_NET_NONE;
            else if (strcmp(value, "proxy") == 0) policy->net = CSBX_NET_PROXY;
            else return fail(error, size, "--net must be none or proxy, not '%s'", value);
        } else if (strcmp(flag, "--cgroup") == 0) {
            if (strcmp(value, "auto") == 0) policy->cgroup = CSBX_CGROUP_AUTO;
            else if (strcmp(value, "off") == 0) policy->cgroup = CSBX_CGROUP_OFF;
            else if (strcmp(value, "required") == 0) policy->cgroup = CSBX_CGROUP_REQUIRED;
            else return fail(error, size, "--cgroup must be auto, off or required, not '%s'", value);
        } else if (strcmp(flag, "--env") == 0) {
            if (policy->env_count >= CSBX_MAX_ENV) return fail(error, size, "too many --env entries");
            const char *eq = strchr(value, '=');
            if (eq == NULL || eq == value) return fail(error, size, "--env needs KEY=VALUE, got '%s'", value);
            policy->env[policy->env_count++] = value;
        } else if (strcmp(flag, "--keep-env") == 0) {
            // The value travels in the launcher's environment, readable only by its own user, instead of its
            // argv, which every local user can read in /proc/PID/cmdline: that is how API keys reach a plugin.
            if (value[0] == '\0' || strchr(value, '=') != NULL) {
                return fail(error, size, "--keep-env needs a variable name, got '%s'", value);
            }
            size_t length = strlen(value);
            for (char **entry = environ; entry != NULL && *entry != NULL; entry++) {
                if (strncmp(*entry, value, length) != 0 || (*entry)[length] != '=') continue;
                if (policy->env_count >= CSBX_MAX_ENV) return fail(error, size, "too many --env entries");
                policy->env[policy->env_count++] = *entry;
                break;
            }
        } else {
            // Numeric options, each with a sane ceiling so "absurd" values fail loudly instead of meaning "none".
            struct { const char *name; uint64_t max; uint64_t *slot; } numeric[] = {
                {"--cpu-s", 86400, &policy->cpu_seconds},
                {"--memory-mb", 1 << 20, &policy->memory_mb},
                {"--max-procs", 4096, &policy->max_procs},
                {"--fsize-mb", 1 << 20, &policy->fsize_mb},
                {"--nofile", 65536, &policy->nofile},
                {"--tmp-mb", 1 << 16, &policy->tmp_mb},
                {"--tmp-inodes", 1 << 22, &policy->tmp_inodes},
                {"--timeout-ms", 7ull * 86400 * 1000, &policy->timeout_ms},
            };
            int matched = 0;
            for (size_t n = 0; n < sizeof numeric / sizeof *numeric; n++) {
                if (strcmp(flag, numeric[n].name) != 0) continue;
                if (parse_number(value, numeric[n].max, numeric[n].slot) != 0) {
                    return fail(error, size, "%s must be a whole number from 0 to %llu, not '%s'", flag,
                                (unsigned long long)numeric[n].max, value);
                }
                matched = 1;
            }
            if (matched) continue;
            if (strcmp(flag, "--proxy-fd") == 0 || strcmp(flag, "--report-fd") == 0 || strcmp(flag, "--seccomp-fd") == 0) {
                if (parse_number(value, 1 << 20, &number) != 0 || number < 3) {
                    return fail(error, size, "%s must be a file descriptor of 3 or more, not '%s'", flag, value);
                }
                if (fcntl((int)number, F_GETFD) == -1) return fail(error, size, "%s %s is not an open descriptor", flag, value);
                *(flag[2] == 'p' ? &policy->proxy_fd : flag[2] == 'r' ? &policy->report_fd : &policy->seccomp_fd) = (int)number;
            } else if (strcmp(flag, "--host-uid") == 0 || strcmp(flag, "--host-gid") == 0) {
                if (parse_number(value, 0xfffffffeu, &number) != 0 || number == 0) {
                    return fail(error, size, "%s must be a non-zero id, not '%s'", flag, value);
                }
                *(flag[7] == 'u' ? &policy->host_uid : &policy->host_gid) = (uint32_t)number;
            } else {
                return fail(error, size, "unknown option %s", flag);
            }
        }
    }
    if (i >= argc) return fail(error, size, "no command given (put it after '--')");
    policy->command = &argv[i];
    if (policy->workspace == NULL) return fail(error, size, "--workspace DIR is required");
    struct stat st;
    if (lstat(policy->workspace, &st) != 0) return fail(error, size, "workspace '%s': %s", policy->workspace, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return fail(error, size, "workspace '%s' is not a directory (symlinks are refused)", policy->workspace);
    if (policy->net == CSBX_NET_PROXY && policy->proxy_fd < 0) return fail(error, size, "--net proxy needs --proxy-fd");
    if (policy->net != CSBX_NET_PROXY && policy->proxy_fd >= 0) return fail(error, size, "--proxy-fd needs --net proxy");
    if (policy->memory_mb != 0 && policy->memory_mb < 16) return fail(error, size, "--memory-mb below 16 cannot start anything");
    if (policy->nofile != 0 && policy->nofile < 16) return fail(error, size, "--nofile below 16 cannot start anything");
    if (policy->tmp_mb == 0 || policy->tmp_inodes < 16) return fail(error, size, "/tmp needs at least 1 MiB and 16 inodes");
    return 0;
}
