#ifndef OCSP_RESPONDER_CLINUX_SHIM_H
#define OCSP_RESPONDER_CLINUX_SHIM_H

/// Linux interfaces that Swift's Glibc module leaves out because glibc declares them only under
/// _GNU_SOURCE (or, for prctl, because it is variadic). The values are Linux's own (<asm-generic/fcntl.h>, <linux/falloc.h>), the same on x86_64
/// and aarch64.

/// O_PATH: a descriptor that names a file without opening it (no permission needed, nothing read).
static const int CLINUX_O_PATH = 010000000;

/// FALLOC_FL_KEEP_SIZE: reserve blocks past the end of the file without changing its size.
static const int CLINUX_FALLOC_FL_KEEP_SIZE = 0x01;

/// UTIME_OMIT (<bits/stat.h>): a timespec for utimensat/futimens that leaves that time as it is; a
/// macro expression Swift does not import.
static const long CLINUX_UTIME_OMIT = (1l << 30) - 2l;

/// getresuid/getresgid: real, effective and saved ids, to check a privilege drop (uid_t and gid_t are
/// unsigned int on Linux).
int getresuid(unsigned int *ruid, unsigned int *euid, unsigned int *suid);
int getresgid(unsigned int *rgid, unsigned int *egid, unsigned int *sgid);

/// prctl(2) is variadic, which Swift cannot call; PR_SET_NO_NEW_PRIVS is 38 (<linux/prctl.h>): no later
/// execve (a setuid binary, file capabilities) can give privileges back.
int prctl(int option, ...);
static inline int clinux_set_no_new_privs(void) {
    return prctl(38, 1, 0, 0, 0);
}

/// glibc's fallocate(2), declared here with off_t spelled as long (what it is on 64-bit Linux), so this
/// header needs no system header and re-exports no type.
int fallocate(int fd, int mode, long offset, long len);

/// dup3(2): dup2 that sets O_CLOEXEC on the new descriptor (dup2 clears it); a reopened log file
/// takes the old one's descriptor number without leaking into a child.
int dup3(int oldfd, int newfd, int flags);

/// getauxval(3) with AT_BASE (7, <elf.h>): where the kernel loaded the program interpreter (ld.so),
/// 0 when it loaded none, as for a statically linked executable.
unsigned long getauxval(unsigned long type);
static inline int clinux_has_program_interpreter(void) {
    return getauxval(7) != 0;
}

/// glibc's <nss.h>: the sources of one NSS database (passwd, group, hosts...) for this process,
/// instead of /etc/nsswitch.conf's line. A statically linked glibc has `files` and `dns` built in and
/// dlopens every other source (systemd, sss, ldap...) as a shared library that links the system's libc:
/// a second libc in the process, which crashes (libnss_systemd in initgroups, seen here).
int __nss_configure_lookup(const char *dbname, const char *string);

#endif
