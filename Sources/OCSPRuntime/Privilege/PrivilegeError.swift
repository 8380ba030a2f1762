#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a command may not run as the user it was started as, or could not become `[ocsp] user`.
///
/// Every one of them ends the command at start-up (exit 78 for the responder's commands): a process
/// that meant to drop root and could not must never go on as root. The code says which step failed;
/// `file` and `line` say where in our source, as swift-asn1's `ASN1Error` does, for a bug report.
package struct PrivilegeError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    package enum Code: String, Hashable, Sendable {
        /// Started as a user other than `[ocsp] user`, and not as root.
        case wrongUser
        /// `[ocsp] user` names no account on this machine.
        case unknownUser
        /// The user database could not be read (getpwnam_r failed for another reason than "no such user").
        case lookupFailed
        /// initgroups, setgid or setuid failed.
        case initgroups, setgid, setuid
        /// After the drop, a real, effective or saved id is still not the account's.
        case idsNotDropped
        /// After the drop, setuid(0) succeeded: the drop did not hold.
        case rootRegained
        /// prctl(PR_SET_NO_NEW_PRIVS) failed.
        case noNewPrivileges
    }

    package var code: Code
    /// The whole one-line message, for stderr and the log.
    package var message: String
    /// For the two config codes: the `ConfigError` naming the file, line and `user` key.
    package var configError: ConfigError?
    package var file: String
    package var line: UInt

    /// A refusal that is the config's business (`wrongUser`, `unknownUser`): said as a config error.
    init(_ code: Code, _ configError: ConfigError, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = "config error: \(configError)"
        self.configError = configError
        self.file = file
        self.line = line
    }

    /// Any other failure, already said in full.
    init(_ code: Code, message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.configError = nil
        self.file = file
        self.line = line
    }

    package var description: String { message }

    package var debugDescription: String { "PrivilegeError.\(code.rawValue): \(message) (\(file):\(line))" }
}
