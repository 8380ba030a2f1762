#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who this run answers to: ourselves, or a caller on the other side of sudo.
///
/// sudo sets `SUDO_UID` to the calling user's uid, whatever that user's environment said. When it is set
/// and is neither the user we run as nor root, the caller is untrusted (the socket app, in OCSP_MySql's design): the
/// config and everything it names must be the service's own (`ServiceFiles`), the request file must be
/// the caller's own (`CallerFile`), the environment is cleared, and only `respond` may run. Without
/// sudo the run belongs to whoever started it, who can already reach whatever it could.
package struct Invocation: Sendable {
    /// The uid of the caller on the other side of sudo, when that is not us.
    package let untrustedCaller: uid_t?

    package var isUntrusted: Bool { untrustedCaller != nil }

    /// This process's, read once from `SUDO_UID` at first use (in `main`, before the environment is
    /// cleared), so every later look gives the same answer.
    package static let current = fromEnvironment()

    /// From `SUDO_UID`. A value that is not a uid is treated as an untrusted caller that owns nothing
    /// (uid_t's maximum, which no file has), so every rule applies and no file of anybody's passes.
    static func fromEnvironment() -> Invocation {
        guard let raw = getenv("SUDO_UID") else { return Invocation(untrustedCaller: nil) }
        let text = String(cString: raw)
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let uid = uid_t(text) else {
            return Invocation(untrustedCaller: uid_t.max)
        }
        // Root calling through sudo (an admin's `sudo -u pycert ocsp-responder db …`) could do anything anyway.
        return Invocation(untrustedCaller: uid == geteuid() || uid == 0 ? nil : uid)
    }

    /// The first words an untrusted caller may give: `respond` (or a request file, which `ocsp-responder`
    /// answers itself), `explain` (which signs and writes nothing, under respond's rules) and their help. Anything else ends with `refusal` and `ExitStatus.noPermission`.
    package static let untrustedCommandWords: Set<String> = ["respond", "explain", "help", "--help", "-h"]

    package static let refusal = "under sudo only `respond` runs (in its plain form: [respond] [--config P] [--out P] [--timeout S] [--log-level L] FILE), and `explain`; run other commands as the service user itself"

    /// The only environment variable read after start-up under sudo; sudo's own `env_reset` removes it
    /// unless the sudoers rule keeps it, and the config it names must pass `ServiceFiles` like any other.
    package static let configVariable = "OCSP_RESPONDER_CONFIG"

    /// What the cleared environment keeps: the config's variable, and sudo's own, which say who called.
    static let keptVariables = [configVariable, "SUDO_UID", "SUDO_GID", "SUDO_USER"]

    /// Clears the environment but `keptVariables`, before any library reads it: OpenSSL (`OPENSSL_CONF`,
    /// `OPENSSL_MODULES` load code), Connector/C (`MYSQL_*`, `LIBMYSQL_PLUGIN_DIR`), SQLite
    /// (`SQLITE_TMPDIR`) and the C library (`TZ`, `TMPDIR`) would otherwise take them from the caller.
    /// Called first thing in `main`, while the process has one thread.
    package static func clearEnvironment() {
        let kept = keptVariables.compactMap { name in getenv(name).map { (name, String(cString: $0)) } }
        clearenv()
        for (name, value) in kept { setenv(name, value, 1) }
        setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1)
    }
}
