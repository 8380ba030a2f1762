#!/usr/bin/python3
"""unit-confine.py UNIT COMMAND [ARG...]: exec COMMAND under the system call confinement of a systemd
unit file, as systemd would set it up, for tests on a machine where systemd is not PID 1 (a container, CI).

Applied: SystemCallFilter= (allow lists and ~deny lists, @groups expanded by `systemd-analyze
syscall-filter`, plus what systemd always allows), SystemCallErrorNumber=, RestrictAddressFamilies= (for
socket(2)), MemoryDenyWriteExecute= (the kernel's own PR_SET_MDWE, the same rule: no memory both writable
and executable, no adding PROT_EXEC), NoNewPrivileges=. Not applied: the namespaces and mounts
(ProtectSystem=, PrivateTmp=, ...), which need systemd itself. Run it as the service user (setpriv),
since the filter refuses setuid and friends. Needs Debian's python3-seccomp.
"""
import ctypes
import errno
import os
import socket
import subprocess
import sys

import seccomp

# systemd adds these to every allow list (systemd.exec(5), SystemCallFilter=).
IMPLICIT = {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}
PR_SET_NO_NEW_PRIVS, PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 38, 65, 1


def values(unit, key):
    found = []
    with open(unit, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith(key + "="):
                found.append(line[len(key) + 1:])
    return found


def expand(name, seen=None):
    if not name.startswith("@"):
        return {name}
    seen = set() if seen is None else seen
    listing = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in listing.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            if line not in seen:
                seen.add(line)
                names |= expand(line, seen)
        else:
            names.add(line)
    return names


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    unit, command = sys.argv[1], sys.argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit("unit-confine: PR_SET_NO_NEW_PRIVS failed")
    if values(unit, "MemoryDenyWriteExecute") in (["yes"], ["true"]):
        if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
            sys.exit(f"unit-confine: PR_SET_MDWE failed: errno {ctypes.get_errno()} (Linux 6.3 or later)")

    allowed, denied, allow_list = set(), set(), False
    for value in values(unit, "SystemCallFilter"):
        if value.startswith("~"):
            for name in value[1:].split():
                denied |= expand(name)
        else:
            allow_list = True
            for name in value.split():
                allowed |= expand(name)
    number = values(unit, "SystemCallErrorNumber")
    refusal = seccomp.ERRNO(getattr(errno, number[-1])) if number else seccomp.KILL_PROCESS
    families = [getattr(socket, name) for value in values(unit, "RestrictAddressFamilies") for name in value.split()]

    if allow_list:
        syscalls = (allowed - denied) | IMPLICIT
        rules = seccomp.SyscallFilter(defaction=refusal)
        action = seccomp.ALLOW
    else:
        syscalls = denied
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        action = refusal
    for name in sorted(syscalls):
        if name == "socket" and families and allow_list:
            continue
        try:
            rules.add_rule(action, name)
        except (RuntimeError, ValueError, OSError):
            pass  # not a system call on this architecture
    if families and allow_list:
        for family in families:
            rules.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, int(family)))
    rules.load()
    try:
        os.execvp(command[0], command)
    except OSError as error:
        sys.exit(f"unit-confine: cannot run {command[0]}: {error}")


if __name__ == "__main__":
    main()
