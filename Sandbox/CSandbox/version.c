#include "csandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>

int csbx_seccomp_version(char *buffer, unsigned long size) {
    const struct scmp_version *v = seccomp_version();
    int n = snprintf(buffer, size, "%u.%u.%u", v->major, v->minor, v->micro);
    if (n < 0 || (unsigned long)n >= size) return ERANGE;
    return 0;
}
