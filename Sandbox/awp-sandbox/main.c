// awp-sandbox: the confinement launcher. The policy comes as argv flags so it can be run and
// tested by hand. This first version only answers --version; confinement lands with the sandbox issue.
#include "csandbox.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        char version[32];
        if (csbx_seccomp_version(version, sizeof version) != 0) return 125;
        printf("awp-sandbox 0.1.0 (libseccomp %s)\n", version);
        return 0;
    }
    fprintf(stderr, "awp-sandbox: confinement is not implemented yet; only --version is supported\n");
    return 125;
}
