// The private root, built in the child's own mount namespace on a small tmpfs:
//   /usr (ro), /bin /lib... (symlinks or ro binds), /etc (a few synthetic files), /workspace (rw),
//   /tmp (size- and inode-limited tmpfs), /dev (null zero full random urandom), /proc (fresh, /proc/sys ro),
//   extra binds; no /sys. Then pivot_root, and / is remounted read-only.
// Bind sources are descriptors opened by the launcher before clone, mounted through /proc/self/fd, so no
// path is resolved twice (no check-then-mount race on symlinks).
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NEWROOT "/tmp"

/// mkdir -p for a path inside the new root (components created 0755).
static int make_path(const char *path, int last_is_file) {
    char buffer[PATH_MAX];
    if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer) { errno = ENAMETOOLONG; return -1; }
    for (char *p = buffer + 1; *p != '\0'; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buffer, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (last_is_file) {
        int fd = open(buffer, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && errno != EEXIST) return -1;
        if (fd >= 0) close(fd);
        return 0;
    }
    return mkdir(buffer, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/// Bind-mounts descriptor `fd` onto `target`, then remounts it with `flags` (MS_RDONLY, MS_NOSUID...).
/// Flags that the kernel locked on the source mount (noexec, atime mode) must be kept or the remount fails.
static int bind_fd(int fd, const char *target, unsigned long flags) {
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) return -1;
    struct statvfs st;
    if (statvfs(target, &st) != 0) return -1;
    unsigned long keep = 0;
    if (st.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    if (st.f_flag & ST_NOATIME) keep |= MS_NOATIME;
    if (st.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
    if (st.f_flag & ST_RELATIME) keep |= MS_RELATIME;
    if (st.f_flag & ST_RDONLY) keep |= MS_RDONLY;
    if (st.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) keep |= MS_NODEV;
    return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL);
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return -1;
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    close(fd);
    return written == (ssize_t)length ? 0 : -1;
}

static int build_dev(const struct csbx_sources *s) {
    if (mount("tmpfs", NEWROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,nr_inodes=64,mode=0755") != 0) return -1;
    char path[64];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, NEWROOT "/dev/%s", csbx_dev_names[i]);
        if (make_path(path, 1) != 0 || bind_fd(s->dev_nodes[i], path, MS_NOSUID | MS_NOEXEC) != 0) return -1;
    }
    if (symlink("/proc/self/fd", NEWROOT "/dev/fd") != 0) return -1;
    if (symlink("/proc/self/fd/0", NEWROOT "/dev/stdin") != 0) return -1;
    if (symlink("/proc/self/fd/1", NEWROOT "/dev/stdout") != 0) return -1;
    if (symlink("/proc/self/fd/2", NEWROOT "/dev/stderr") != 0) return -1;
    return mount(NULL, NEWROOT "/dev", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL);
}

/// A fresh procfs for the new pid namespace, with the writable global knobs covered read-only and the
/// kernel-memory views masked (defence in depth: the sandbox uid could not write them anyway).
static int build_proc(const struct csbx_sources *s) {
    if (mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) return -1;
    static const char *const readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
    char path[64];
    for (size_t i = 0; i < sizeof readonly / sizeof *readonly; i++) {
        snprintf(path, sizeof path, NEWROOT "/proc/%s", readonly[i]);
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0) {
            if (errno == ENOENT) continue;
            return -1;
        }
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) return -1;
    }
    static const char *const masked[] = {"kcore", "keys", "timer_list", "kallsyms", "sched_debug"};
    for (size_t i = 0; i < sizeof masked / sizeof *masked; i++) {
        snprintf(path, sizeof path, NEWROOT "/proc/%s", masked[i]);
        if (access(path, F_OK) != 0) continue;
        if (bind_fd(s->dev_nodes[0], path, MS_RDONLY | MS_NOSUID | MS_NOEXEC) != 0) return -1;
    }
    return 0;
}

static int build_etc(const struct csbx_policy *policy, const struct csbx_sources *s) {
    if (mkdir(NEWROOT "/etc", 0755) != 0) return -1;
    char text[512];
    snprintf(text, sizeof text, "root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:%u:%u:sandbox:/tmp:/bin/sh\n"
             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", policy->inner_uid, policy->inner_uid);
    if (write_file(NEWROOT "/etc/passwd", text) != 0) return -1;
    snprintf(text, sizeof text, "root:x:0:\nsandbox:x:%u:\nnogroup:x:65534:\n", policy->inner_uid);
    if (write_file(NEWROOT "/etc/group", text) != 0) return -1;
    if (write_file(NEWROOT "/etc/hosts", "127.0.0.1 localhost sandbox\n::1 localhost\n") != 0) return -1;
    if (write_file(NEWROOT "/etc/hostname", "sandbox\n") != 0) return -1;
    if (write_file(NEWROOT "/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n") != 0) return -1;
    if (s->ld_cache >= 0) {
        if (make_path(NEWROOT "/etc/ld.so.cache", 1) != 0) return -1;
        if (bind_fd(s->ld_cache, NEWROOT "/etc/ld.so.cache", MS_RDONLY | MS_NOSUID | MS_NODEV) != 0) return -1;
    }
    if (s->ssl >= 0) {
        if (mkdir(NEWROOT "/etc/ssl", 0755) != 0) return -1;
        if (bind_fd(s->ssl, NEWROOT "/etc/ssl", MS_RDONLY | MS_NOSUID | MS_NODEV) != 0) return -1;
    }
    for (int i = 0; i < 3; i++) {
        if (s->etc_shared[i] < 0) continue;
        char target[96];
        snprintf(target, sizeof target, NEWROOT "/etc/%s", csbx_etc_shared[i]);
        if ((i < 2 ? mkdir(target, 0755) : make_path(target, 1)) != 0) return -1;
        if (bind_fd(s->etc_shared[i], target, MS_RDONLY | MS_NOSUID | MS_NODEV) != 0) return -1;
    }
    if (s->localtime[0] != '\0' && symlink(s->localtime, NEWROOT "/etc/localtime") != 0) return -1;
    return 0;
}

int csbx_build_root(const struct csbx_policy *policy, const struct csbx_sources *s) {
    // Nothing we mount may propagate back to the host.
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;
    if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755") != 0) return -1;
    if (chdir(NEWROOT) != 0) return -1;
    static const char *const dirs[] = {NEWROOT "/usr", NEWROOT "/workspace", NEWROOT "/tmp", NEWROOT "/dev",
                                       NEWROOT "/proc"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        if (mkdir(dirs[i], 0755) != 0) return -1;
    }
    if (bind_fd(s->usr, NEWROOT "/usr", MS_RDONLY | MS_NOSUID | MS_NODEV) != 0) return -1;
    char path[PATH_MAX];
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, NEWROOT "/%s", csbx_top_names[i]);
        if (s->top_links[i][0] != '\0') {
            if (symlink(s->top_links[i], path) != 0) return -1;
        } else if (s->top_dirs[i] >= 0) {
            if (mkdir(path, 0755) != 0 || bind_fd(s->top_dirs[i], path, MS_RDONLY | MS_NOSUID | MS_NODEV) != 0) return -1;
        }
    }
    if (bind_fd(s->workspace, NEWROOT "/workspace", MS_NOSUID | MS_NODEV) != 0) return -1;
    char options[96];
    snprintf(options, sizeof options, "size=%llum,nr_inodes=%llu,mode=1777", (unsigned long long)policy->tmp_mb,
             (unsigned long long)policy->tmp_inodes);
    if (mount("tmpfs", NEWROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) return -1;
    if (build_dev(s) != 0) return -1;
    if (build_proc(s) != 0) return -1;
    if (build_etc(policy, s) != 0) return -1;
    for (int i = 0; i < policy->bind_count; i++) {
        const struct csbx_bind *bind = &policy->binds[i];
        struct stat st;
        if (fstat(s->binds[i], &st) != 0) return -1;
        snprintf(path, sizeof path, NEWROOT "%s", bind->target);
        if (make_path(path, !S_ISDIR(st.st_mode)) != 0) return -1;
        unsigned long flags = MS_NOSUID | MS_NODEV | (bind->writable ? 0 : MS_RDONLY);
        if (bind_fd(s->binds[i], path, flags) != 0) return -1;
    }
    // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the new tree.
    if (syscall(SYS_pivot_root, ".", ".") != 0) return -1;
    if (umount2(".", MNT_DETACH) != 0) return -1;
    if (chdir("/") != 0) return -1;
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0) return -1;
    return chdir(policy->directory != NULL ? policy->directory : "/workspace");
}
