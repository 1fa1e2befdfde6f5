// A per-run cgroup for memory and pids, beside the launcher's own cgroup: v2 when the unified hierarchy has
// the controllers, else the v1 memory and pids hierarchies. Without permission (an ordinary user with no
// delegated subtree) the run falls back to rlimits, unless the policy requires a cgroup.
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

static int write_text(const char *dir, const char *file, const char *text) {
    char path[640];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/// Reads "key N" from a flat-keyed cgroup file; 0 when absent.
static unsigned long long read_key(const char *dir, const char *file, const char *key) {
    char path[640], buffer[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return 0;
    buffer[n] = '\0';
    size_t key_length = strlen(key);
    for (char *line = buffer; line != NULL && *line != '\0';) {
        if (strncmp(line, key, key_length) == 0 && line[key_length] == ' ') return strtoull(line + key_length + 1, NULL, 10);
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    return 0;
}

/// The launcher's own cgroup path in hierarchy `controller` ("" for v2), from /proc/self/cgroup.
static int own_path(const char *controller, char *out, size_t size) {
    FILE *file = fopen("/proc/self/cgroup", "re");
    if (file == NULL) return -1;
    char line[1024];
    int found = -1;
    while (fgets(line, sizeof line, file) != NULL) {
        char *first = strchr(line, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;
        if (second == NULL) continue;
        *second = '\0';
        const char *controllers = first + 1;
        int match = controller[0] == '\0' ? controllers[0] == '\0' : 0;
        for (char *save = NULL, *c = strtok_r((char *)controllers, ",", &save); c && !match; c = strtok_r(NULL, ",", &save)) {
            if (strcmp(c, controller) == 0) match = 1;
        }
        if (!match) continue;
        char *path = second + 1;
        path[strcspn(path, "\n")] = '\0';
        snprintf(out, size, "%s", strcmp(path, "/") == 0 ? "" : path);
        found = 0;
        break;
    }
    fclose(file);
    return found;
}

static int make_leaf(const char *hierarchy, const char *controller, char *out, size_t size) {
    char parent[512];
    if (own_path(controller, parent, sizeof parent) != 0) return -1;
    snprintf(out, size, "%s%s/awp-sandbox-%d", hierarchy, parent, (int)getpid());
    if (mkdir(out, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

static int create_v2(const struct csbx_policy *policy, struct csbx_cgroup *cgroup) {
    if (make_leaf("/sys/fs/cgroup", "", cgroup->memory, sizeof cgroup->memory) != 0) return -1;
    char text[64];
    if (policy->memory_mb) {
        snprintf(text, sizeof text, "%llu", (unsigned long long)policy->memory_mb * 1024 * 1024);
        if (write_text(cgroup->memory, "memory.max", text) != 0) goto fail;
        write_text(cgroup->memory, "memory.swap.max", "0");
    }
    if (policy->max_procs) {
        snprintf(text, sizeof text, "%llu", (unsigned long long)policy->max_procs + 1);
        if (write_text(cgroup->memory, "pids.max", text) != 0) goto fail;
    }
    cgroup->version = 2;
    return 0;
fail:
    rmdir(cgroup->memory);
    return -1;
}

static int create_v1(const struct csbx_policy *policy, struct csbx_cgroup *cgroup) {
    char text[64];
    if (policy->memory_mb) {
        if (make_leaf("/sys/fs/cgroup/memory", "memory", cgroup->memory, sizeof cgroup->memory) != 0) return -1;
        snprintf(text, sizeof text, "%llu", (unsigned long long)policy->memory_mb * 1024 * 1024);
        if (write_text(cgroup->memory, "memory.limit_in_bytes", text) != 0) goto fail;
    }
    if (policy->max_procs) {
        if (make_leaf("/sys/fs/cgroup/pids", "pids", cgroup->pids, sizeof cgroup->pids) != 0) goto fail;
        snprintf(text, sizeof text, "%llu", (unsigned long long)policy->max_procs + 1);
        if (write_text(cgroup->pids, "pids.max", text) != 0) goto fail;
    }
    cgroup->version = 1;
    return 0;
fail:
    if (cgroup->memory[0]) rmdir(cgroup->memory);
    if (cgroup->pids[0]) rmdir(cgroup->pids);
    cgroup->memory[0] = cgroup->pids[0] = '\0';
    return -1;
}

int csbx_cgroup_create(const struct csbx_policy *policy, struct csbx_cgroup *cgroup, char *error, size_t size) {
    memset(cgroup, 0, sizeof *cgroup);
    if (policy->cgroup == CSBX_CGROUP_OFF || (policy->memory_mb == 0 && policy->max_procs == 0)) return 0;
    struct statfs fs;
    int unified = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
    int rc = unified ? create_v2(policy, cgroup) : create_v1(policy, cgroup);
    if (rc != 0 && policy->cgroup == CSBX_CGROUP_REQUIRED) {
        snprintf(error, size, "a memory/pids cgroup is required but cannot be created (%s); run as root or delegate "
                 "a cgroup v2 subtree to this user", strerror(errno));
        return -1;
    }
    return 0;
}

int csbx_cgroup_attach(const struct csbx_cgroup *cgroup, pid_t pid) {
    if (cgroup->version == 0) return 0;
    char text[32];
    snprintf(text, sizeof text, "%d", (int)pid);
    if (cgroup->memory[0] && write_text(cgroup->memory, "cgroup.procs", text) != 0) return -1;
    if (cgroup->pids[0] && write_text(cgroup->pids, "cgroup.procs", text) != 0) return -1;
    return 0;
}

void csbx_cgroup_events(const struct csbx_cgroup *cgroup, int *oom, int *pids_max) {
    *oom = *pids_max = 0;
    if (cgroup->version == 2) {
        *oom = read_key(cgroup->memory, "memory.events", "oom_kill") > 0;
        *pids_max = read_key(cgroup->memory, "pids.events", "max") > 0;
    } else if (cgroup->version == 1) {
        if (cgroup->memory[0]) *oom = read_key(cgroup->memory, "memory.oom_control", "oom_kill") > 0;
        if (cgroup->pids[0]) *pids_max = read_key(cgroup->pids, "pids.events", "max") > 0;
    }
}

/// Removes the run's cgroups once the killed processes have left them (that takes a moment after SIGKILL).
void csbx_cgroup_destroy(const struct csbx_cgroup *cgroup) {
    const char *dirs[2] = {cgroup->memory, cgroup->pids};
    for (int i = 0; i < 2; i++) {
        if (dirs[i][0] == '\0') continue;
        for (int attempt = 0; attempt < 200; attempt++) {
            if (rmdir(dirs[i]) == 0 || errno != EBUSY) break;
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
}
