import Foundation

/// The accounts `scripts/test.sh` creates, so that tests run the responder as it is deployed: a service
/// user that owns the key, and an untrusted caller that reaches it only through real `sudo`.
package enum TestAccounts {
    /// `OCSP_TEST_SERVICE_USER`: the service user (`pycert` in a real install).
    package static let service: String? = ProcessInfo.processInfo.environment["OCSP_TEST_SERVICE_USER"]
    /// `OCSP_TEST_CALLER_USER`: the socket app, allowed by a sudoers drop-in to run the binary as the service user.
    package static let caller: String? = ProcessInfo.processInfo.environment["OCSP_TEST_CALLER_USER"]
    /// `OCSP_TEST_SUDO_BINARY`: the root-owned copy of the build that the drop-in names.
    package static let sudoBinary: String? = ProcessInfo.processInfo.environment["OCSP_TEST_SUDO_BINARY"]

    /// The three of them, or a failure that says how to get them.
    package static func required() throws -> (service: String, caller: String, binary: String) {
        guard let service, let caller, let sudoBinary else {
            throw TestFailure("no test accounts: run scripts/test.sh as root (it creates them and a sudoers drop-in)")
        }
        return (service, caller, sudoBinary)
    }

    /// `uid`, `gid` of a user by name.
    package static func ids(of user: String) throws -> (uid: uid_t, gid: gid_t) {
        guard let entry = getpwnam(user) else { throw TestFailure("no user \(user)") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Changes the owner of `path` (and, with `recursive`, of everything below it) to `user` and its group.
    package static func chown(_ path: String, to user: String, recursive: Bool = false) throws {
        let result = try run("chown", (recursive ? ["-R"] : []) + ["\(user):\(try group(of: user))", path])
        guard result.status == 0 else { throw TestFailure("chown \(path): \(result.stderr)") }
    }

    /// The name of `user`'s primary group.
    package static func group(of user: String) throws -> String {
        let gid = try ids(of: user).gid
        guard let entry = getgrgid(gid) else { throw TestFailure("no group \(gid)") }
        return String(cString: entry.pointee.gr_name)
    }
}

/// Runs `executable` as `user` (its uid, primary gid and supplementary groups) with `setpriv`, which
/// execs in place: the process is the program itself, as under systemd's `User=`.
@discardableResult
package func runAs(_ user: String, _ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
    try run("/usr/bin/setpriv", setprivArguments(user) + [executable] + arguments, stdin: stdin)
}

/// `setpriv`'s arguments that become `user`.
package func setprivArguments(_ user: String) -> [String] {
    ["--reuid", user, "--regid", user, "--init-groups", "--reset-env", "--"]
}

/// The socket app's call: as the caller user, `sudo -n -u SERVICE BINARY arguments…` through the
/// test's sudoers drop-in, exactly as a deployment calls it.
@discardableResult
package func runThroughSudo(_ arguments: [String], stdin: Data? = nil, sudoOptions: [String] = []) throws -> ProcessResult {
    let accounts = try TestAccounts.required()
    return try runAs(accounts.caller, "/usr/bin/sudo", ["-n", "-u", accounts.service] + sudoOptions + [accounts.binary] + arguments, stdin: stdin)
}
