#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who may read a file that holds a secret: the private key, or a config with a password in it.
///
/// Two forms are accepted, as ssh accepts its host keys: private to its owner (0600 or 0400, as
/// OCSP_MySql installed its files, owned by the service user), or owned by root, readable by the
/// service user's group and by nobody else (0640 or 0440 root:GROUP, as `scripts/setup.sh` installs
/// them: the service user can read the file but not change it). Anything readable by others, writable by
/// the group, or group-readable under an owner other than root, or by a group other than the service
/// user's own (root's group, gid 0, never counts: its members are not the service), is refused.
package enum SecretFileMode {
    /// The service user's primary group: `[ocsp] user`'s when the config names one (a run started as root
    /// reads the key before it drops to that user), else the group we run as.
    /// A user that cannot be looked up leaves the group we run as; `ServiceAccount.enforce` refuses it anyway.
    static func serviceGroup(user: String?) -> gid_t {
        guard let user, let account = try? ServiceAccount.lookUp(user) else { return getegid() }
        return account.gid
    }

    /// Why the file at `path` must not be used, or nil. `what` names it in the message ("the private key").
    /// `serviceUser` is `[ocsp] user`, looked up only for a file that is not private to its owner, so the
    /// usual 0600 key costs no user-database lookup on each run.
    package static func problem(path: String, what: String, serviceUser: String?) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }  // reading it will say why it cannot be read
        let mode = info.st_mode & 0o777
        if mode & 0o077 == 0 { return nil }
        let serviceGroup = serviceGroup(user: serviceUser)
        if mode & 0o037 == 0, info.st_uid == 0, serviceGroup != 0, info.st_gid == serviceGroup { return nil }
        let group = getgrgid(serviceGroup).map { String(cString: $0.pointee.gr_name) } ?? "\(serviceGroup)"
        return "\(what) \(path) can be read by group or others (mode \(String(mode, radix: 8)), uid \(info.st_uid), gid \(info.st_gid)); "
            + "fix with: chmod 600 \(path) (owned by the service user), or chown root:\(group) \(path) && chmod 640 \(path)"
    }
}
