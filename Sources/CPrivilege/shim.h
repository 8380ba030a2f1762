#ifndef OCSP_RESPONDER_CPRIVILEGE_SHIM_H
#define OCSP_RESPONDER_CPRIVILEGE_SHIM_H

// What dropping root needs and Swift's Glibc module does not give: getresuid/getresgid are GNU
// extensions (declared only under _GNU_SOURCE, which the prebuilt Glibc module was not built with),
// and prctl is variadic, which Swift cannot call.

#include <sys/types.h>
#include <sys/prctl.h>

int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid);
int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid);

/// PR_SET_NO_NEW_PRIVS: no later execve (a setuid binary, file capabilities) can give privileges back.
static inline int cprivilege_set_no_new_privs(void) {
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

#endif
