// awp-sandbox: the confinement launcher. The policy comes as argv flags so it can be run and tested by hand;
// `awp sandbox exec` and AWPSandbox build the same flags. See Sandbox/CSandbox for each step.
#include "csandbox.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        char version[32];
        if (csbx_seccomp_version(version, sizeof version) != 0) return CSBX_EXIT_USAGE;
        printf("awp-sandbox 0.2.0 (libseccomp %s)\n", version);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--doctor") == 0) return csbx_doctor();
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(csbx_usage(), stdout);
        return 0;
    }
    // A supervisor that closed our stdout must not kill us before the sandbox is cleaned up.
    signal(SIGPIPE, SIG_IGN);
    // If the supervisor dies, stop too: SIGTERM makes the launcher kill the sandbox and clean up.
    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    struct csbx_policy policy;
    char error[512];
    if (csbx_parse_policy(argc, argv, &policy, error, sizeof error) != 0) {
        fprintf(stderr, "awp-sandbox: %s\nRun 'awp-sandbox --help' for the options.\n", error);
        return CSBX_EXIT_USAGE;
    }
    return csbx_run(&policy);
}
