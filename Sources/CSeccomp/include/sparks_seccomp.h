#ifndef SPARKS_SECCOMP_H
#define SPARKS_SECCOMP_H

/// Writes Sparks' seccomp filter, as classic BPF ready for `bwrap --seccomp FD`, to `fd`.
/// Returns 0 on success, or a negative errno value.
int sparks_write_seccomp_filter(int fd);

/// Writes the filter into a new in-memory file (memfd) and returns its descriptor, or a negative
/// errno value. Every sandbox opens it afresh through /proc/<pid>/fd/<fd>.
int sparks_seccomp_memfd(void);

/// Number of system calls the filter denies (for reports).
int sparks_seccomp_denied_count(void);

#endif
