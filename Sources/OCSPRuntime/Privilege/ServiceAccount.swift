import OCSPCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CLinux

/// The account `[ocsp] user` names (OCSP_MySql's `pycert`): the only one the responder runs as.
///
/// OCSP_MySql refused every other user. We keep that, and add the case cron and systemd bring: started
/// as root, a command becomes the service user instead of refusing, so every file it creates (the
/// cache, the SQLite store, the log) belongs to the user that `respond` and `serve` run as, and a bug
/// in the request path never runs with root's rights.
package struct ServiceAccount: Sendable, Hashable {
    package var name: String
    package var uid: uid_t
    package var gid: gid_t

    /// What `enforce` decided.
    package enum Decision: Sendable, Hashable {
        /// No `[ocsp] user`: anyone may run the command.
        case unrestricted
        /// Already running as the service user: nothing to do.
        case alreadyServiceUser
        /// Started as root; now the service user, for good.
        case dropped(ServiceAccount)
        /// Started as root, with `dropLater`: the caller does what needs root (binding port 80), then
        /// calls `drop()` before it reads a request or starts a thread.
        case dropPending(ServiceAccount)
    }

    /// The `[ocsp] user` rule at start-up, right after the config is loaded: nothing without the key or
    /// as that user; as root, become the user (at once, or with `dropLater` the caller's `drop()`); as
    /// anyone else, refuse with OCSP_MySql's rule and the call that works.
    package static func enforce(_ config: ResponderConfiguration, dropLater: Bool = false) throws(PrivilegeError) -> Decision {
        guard let wanted = config.run.user else { return .unrestricted }
        let euid = geteuid()
        let actual = try entry("uid \(euid)") { getpwuid_r(euid, $0, $1, $2, $3) }
        if actual?.name == wanted { return .alreadyServiceUser }
        guard euid == 0 else {
            let actualName = actual?.name ?? "uid \(euid)"
            throw PrivilegeError(.wrongUser, config.error(
                "ocsp", "user", "this responder runs only as '\(wanted)', not as '\(actualName)'; call it as: sudo -u \(wanted) ocsp-responder ..."))
        }
        guard let account = try lookUp(wanted) else {
            throw PrivilegeError(.unknownUser, config.error(
                "ocsp", "user", "there is no user '\(wanted)' on this machine; create it (scripts/setup.sh does) or name an existing one"))
        }
        // Another name for root (a `toor` entry): root is what the config asks for.
        if account.uid == 0 { return .alreadyServiceUser }
        if dropLater { return .dropPending(account) }
        try account.drop()
        return .dropped(account)
    }

    /// The account called `name`, or nil when there is none.
    package static func lookUp(_ name: String) throws(PrivilegeError) -> ServiceAccount? {
        try entry("user '\(name)'") { getpwnam_r(name, $0, $1, $2, $3) }
    }

    /// Becomes this account for the rest of the process: its groups, then its gid, then its uid (after
    /// setuid, root's right to change groups is gone), checked afterwards rather than trusted, and
    /// PR_SET_NO_NEW_PRIVS so that nothing executed later gains privileges. Call it while the process has
    /// one thread, so that no thread was started with root's ids.
    package func drop() throws(PrivilegeError) {
        try require(initgroups(name, gid) == 0, .initgroups, "initgroups(\(name), \(gid))")
        try require(setgid(gid) == 0, .setgid, "setgid(\(gid))")
        try require(setuid(uid) == 0, .setuid, "setuid(\(uid))")

        var real = uid_t(0), effective = uid_t(0), saved = uid_t(0)
        try require(getresuid(&real, &effective, &saved) == 0, .idsNotDropped, "getresuid")
        var realGroup = gid_t(0), effectiveGroup = gid_t(0), savedGroup = gid_t(0)
        try require(getresgid(&realGroup, &effectiveGroup, &savedGroup) == 0, .idsNotDropped, "getresgid")
        guard [real, effective, saved] == [uid, uid, uid], [realGroup, effectiveGroup, savedGroup] == [gid, gid, gid] else {
            throw PrivilegeError(.idsNotDropped, message: "cannot run as '\(name)': after the drop uid is \(real)/\(effective)/\(saved) and gid \(realGroup)/\(effectiveGroup)/\(savedGroup) (real/effective/saved), not \(uid) and \(gid)")
        }
        guard setuid(0) != 0 else {
            throw PrivilegeError(.rootRegained, message: "cannot run as '\(name)': setuid(0) still succeeds after dropping to uid \(uid)")
        }
        try require(clinux_set_no_new_privs() == 0, .noNewPrivileges, "prctl(PR_SET_NO_NEW_PRIVS)")
    }

    /// Throws `code` with errno's text unless `succeeded`.
    private func require(_ succeeded: Bool, _ code: PrivilegeError.Code, _ call: @autoclosure () -> String) throws(PrivilegeError) {
        guard !succeeded else { return }
        let number = errno
        throw PrivilegeError(code, message: "cannot run as '\(name)' (uid \(uid), gid \(gid)): \(call()): \(String(cString: strerror(number)))")
    }

    /// One `getpw*_r` call, its buffer grown while it says ERANGE: the entry, or nil when there is none.
    private static func entry(
        _ what: String,
        _ call: (UnsafeMutablePointer<passwd>, UnsafeMutablePointer<CChar>, Int, UnsafeMutablePointer<UnsafeMutablePointer<passwd>?>) -> Int32
    ) throws(PrivilegeError) -> ServiceAccount? {
        var size = 4096
        while true {
            var record = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: size)
            var found: ServiceAccount?
            let status = buffer.withUnsafeMutableBufferPointer { bytes -> Int32 in
                guard let base = bytes.baseAddress else { return ERANGE }
                let status = call(&record, base, bytes.count, &result)
                // The strings point into the buffer: copied while it lives.
                if status == 0, let entry = result?.pointee, let name = entry.pw_name {
                    found = ServiceAccount(name: String(cString: name), uid: entry.pw_uid, gid: entry.pw_gid)
                }
                return status
            }
            if status == ERANGE && size < 1 << 20 {
                size *= 2
                continue
            }
            // POSIX allows these for "no such entry" besides 0 with no result.
            guard status == 0 || [ENOENT, ESRCH, EBADF, EPERM].contains(status) else {
                throw PrivilegeError(.lookupFailed, message: "cannot look up \(what) in the user database: \(String(cString: strerror(status)))")
            }
            return found
        }
    }
}
