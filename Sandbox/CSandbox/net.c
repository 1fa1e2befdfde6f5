// Networking inside the sandbox's empty network namespace. The compute tier leaves it untouched (only a down
// `lo`). The network tier brings `lo` up and binds 127.0.0.1:3128 itself, then hands the listening socket to
// the supervisor, which accepts on it from the host side and proxies to allowlisted hosts only. No process
// runs in the sandbox for networking, and because the port is taken before the command starts, the command
// cannot bind it (EADDRINUSE).
#include "csandbox.h"
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define CSBX_PROXY_PORT 3128

static int loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &request);
    if (rc == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int listen_on_loopback(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(CSBX_PROXY_PORT);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 64) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int csbx_setup_network(const struct csbx_policy *policy) {
    if (policy->net != CSBX_NET_PROXY) return 0;
    if (loopback_up() != 0) return -1;
    int listener = listen_on_loopback();
    if (listener < 0) return -1;
    int rc = csbx_send_fd(policy->proxy_fd, 'P', listener);
    int saved = errno;
    close(listener);
    close(policy->proxy_fd);
    errno = saved;
    return rc;
}
