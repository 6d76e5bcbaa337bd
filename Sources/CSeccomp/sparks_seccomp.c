// The seccomp filter every sandboxed process runs under. It denies the system calls a process
// needs to escape or to attack the host: debugging other processes, mounting, loading kernel
// code, BPF, the kernel keyring, perf events, creating or joining namespaces, io_uring.
#include "sparks_seccomp.h"

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd",
    "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "unshare", "setns",
    "swapon", "swapoff", "reboot", "syslog", "acct", "quotactl", "lookup_dcookie",
    "open_by_handle_at", "name_to_handle_at",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "personality", "vhangup", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime",
};

int sparks_seccomp_denied_count(void) {
    return (int)(sizeof(denied) / sizeof(denied[0])) + 2;  // + clone with namespace flags, clone3
}

int sparks_write_seccomp_filter(int fd) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (rc < 0) goto out;
    }
    // clone() that asks for a new namespace is refused; ordinary fork() and threads are not.
    const unsigned long namespaces[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, namespaces[i], namespaces[i]));
        if (rc < 0) goto out;
    }
    // clone3() passes its flags in memory, out of the filter's reach: report it missing, so that
    // libc falls back to clone(), which the rules above check.
    int clone3 = seccomp_syscall_resolve_name("clone3");
    if (clone3 != __NR_SCMP_ERROR) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0);
        if (rc < 0) goto out;
    }
out:
    if (rc == 0) rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    return rc;
}

int sparks_seccomp_memfd(void) {
    int fd = memfd_create("sparks-seccomp", MFD_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = sparks_write_seccomp_filter(fd);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}
