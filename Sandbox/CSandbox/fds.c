// Descriptor hygiene: opening paths without following symlinks (bind sources, workspace outputs) and passing
// descriptors over unix sockets (the seccomp listener and the proxy listener).
#include "csandbox.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t csbx_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/// Fallback for kernels without openat2: walk one component at a time with O_NOFOLLOW, refusing "..".
static int open_walk(int dirfd, const char *path, int flags, unsigned int mode) {
    char copy[PATH_MAX];
    if (strlen(path) >= sizeof copy) { errno = ENAMETOOLONG; return -1; }
    strcpy(copy, path);
    int current = dup(dirfd);
    if (current < 0) return -1;
    char *save = NULL;
    char *part = strtok_r(copy, "/", &save);
    while (part != NULL) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(part, "..") == 0) { close(current); errno = EXDEV; return -1; }
        if (strcmp(part, ".") == 0) { part = next; continue; }
        int fd = next == NULL ? openat(current, part, flags | O_NOFOLLOW | O_CLOEXEC, mode)
                              : openat(current, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        close(current);
        if (fd < 0) { errno = saved; return -1; }
        current = fd;
        part = next;
    }
    return current;
}

int csbx_open_beneath(int dirfd, const char *path, int flags, unsigned int mode) {
    if (path == NULL || path[0] == '/') { errno = EXDEV; return -1; }
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return (int)fd;
    if (errno == ENOSYS) return open_walk(dirfd, path, flags, mode);
    return -1;
}

/// Opens an absolute host path as O_PATH without following a symlink in any component.
int csbx_open_host_path(const char *path, int directory) {
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return -1;
    const char *relative = path;
    while (*relative == '/') relative++;
    int flags = O_PATH | (directory ? O_DIRECTORY : 0);
    int fd = *relative == '\0' ? dup(root) : csbx_open_beneath(root, relative, flags, 0);
    int saved = errno;
    close(root);
    errno = saved;
    return fd;
}

const char *const csbx_top_names[6] = {"bin", "sbin", "lib", "lib64", "lib32", "libx32"};
const char *const csbx_dev_names[5] = {"null", "zero", "full", "random", "urandom"};
/// Debian packages under /usr point into these (libblas.so.3 -> /etc/alternatives/... -> /usr/lib/.../blas for
/// numpy; fontconfig reads /etc/fonts; matplotlib reads /etc/matplotlibrc). They hold no secrets and are bound
/// read-only. The first two are directories, the last a file.
const char *const csbx_etc_shared[3] = {"alternatives", "fonts", "matplotlibrc"};

int csbx_open_sources(const struct csbx_policy *policy, struct csbx_sources *s, char *error, size_t size) {
    memset(s, 0, sizeof *s);
    s->ld_cache = s->ssl = s->etc_shared[0] = s->etc_shared[1] = s->etc_shared[2] = -1;
    for (int i = 0; i < 6; i++) s->top_dirs[i] = -1;
    s->workspace = csbx_open_host_path(policy->workspace, 1);
    if (s->workspace < 0) {
        snprintf(error, size, "workspace '%s' cannot be opened without following symlinks: %s", policy->workspace,
                 strerror(errno));
        return -1;
    }
    s->usr = csbx_open_host_path("/usr", 1);
    if (s->usr < 0) { snprintf(error, size, "/usr: %s", strerror(errno)); return -1; }
    for (int i = 0; i < policy->bind_count; i++) {
        s->binds[i] = csbx_open_host_path(policy->binds[i].source, 0);
        if (s->binds[i] < 0) {
            snprintf(error, size, "bind source '%s' cannot be opened without following symlinks: %s",
                     policy->binds[i].source, errno == ELOOP ? "a path component is a symlink" : strerror(errno));
            return -1;
        }
    }
    for (int i = 0; i < 5; i++) {
        char path[32];
        snprintf(path, sizeof path, "/dev/%s", csbx_dev_names[i]);
        s->dev_nodes[i] = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (s->dev_nodes[i] < 0) { snprintf(error, size, "%s: %s", path, strerror(errno)); return -1; }
    }
    s->ld_cache = csbx_open_host_path("/etc/ld.so.cache", 0);
    if (policy->net == CSBX_NET_PROXY) s->ssl = csbx_open_host_path("/etc/ssl", 1);
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "/etc/%s", csbx_etc_shared[i]);
        s->etc_shared[i] = csbx_open_host_path(path, i < 2);
    }
    ssize_t n = readlink("/etc/localtime", s->localtime, sizeof s->localtime - 1);
    s->localtime[n > 0 ? n : 0] = '\0';
    // usr-merged systems have /bin, /lib... as symlinks into /usr: recreate those; bind real directories.
    for (int i = 0; i < 6; i++) {
        char path[16];
        snprintf(path, sizeof path, "/%s", csbx_top_names[i]);
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            ssize_t len = readlink(path, s->top_links[i], sizeof s->top_links[i] - 1);
            s->top_links[i][len > 0 ? len : 0] = '\0';
        } else if (S_ISDIR(st.st_mode)) {
            s->top_dirs[i] = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
    }
    return 0;
}

int csbx_send_fd(int socket, char tag, int fd) {
    char data = tag;
    struct iovec iov = {.iov_base = &data, .iov_len = 1};
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof control.buffer;
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &fd, sizeof fd);
    }
    ssize_t sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent == 1 ? 0 : -1;
}

ssize_t csbx_recv_message(int socket, char *buffer, size_t size, int *fd) {
    *fd = -1;
    struct iovec iov = {.iov_base = buffer, .iov_len = size};
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
                             .msg_controllen = sizeof control.buffer};
    ssize_t n;
    do { n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&message); h != NULL; h = CMSG_NXTHDR(&message, h)) {
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(h), sizeof *fd);
    }
    return n;
}

int csbx_receive_fd(int socket) {
    char buffer[16];
    int fd = -1;
    ssize_t n = csbx_recv_message(socket, buffer, sizeof buffer, &fd);
    if (n <= 0 && fd < 0) {
        if (n == 0) errno = 0;
        return -1;
    }
    return fd;
}

int csbx_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int csbx_accept_cloexec(int listener) { return accept4(listener, NULL, NULL, SOCK_CLOEXEC); }
