#ifndef CSANDBOX_H
#define CSANDBOX_H

/// The libseccomp version this launcher is linked against, as "major.minor.micro".
/// Writes at most `size` bytes (NUL included) into `buffer`; returns 0, or ERANGE when it does not fit.
/// In C because seccomp.h is a C API and the launcher must not depend on the Swift runtime.
int csbx_seccomp_version(char *buffer, unsigned long size);

#endif
