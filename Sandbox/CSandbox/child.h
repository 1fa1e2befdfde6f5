#ifndef CSANDBOX_CHILD_H
#define CSANDBOX_CHILD_H

// What the launcher hands to the cloned child, and the messages the child sends back on the sync socket.

#include "internal.h"

#include <signal.h>
#include <sys/types.h>

struct csbx_child {
    const struct csbx_policy *policy;
    const struct csbx_filter *filter;
    char *const *argv;
    char *const *envp;   ///< the complete, prepared environment of the command
    int sync;            ///< the child's end of the SOCK_SEQPACKET sync socket
    uint64_t start_us;
    sigset_t signal_mask; ///< the launcher's mask before it blocked its termination signals
};

/// One message on the sync socket: 'E' set-up failed (stage, errno), 'X' the command's wait status,
/// 'L' (one byte, with the seccomp listener attached).
struct csbx_message {
    char tag;
    int stage;
    int error;
    int status;
    char text[256];
};

_Noreturn void csbx_child_main(const struct csbx_child *child);

#endif
