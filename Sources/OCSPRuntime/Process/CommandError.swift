/// An error that ends a command: the one line to print on standard error, and the exit status.
///
/// Commands throw these; the root command (`ocsp-responder-commands`) is the one place that prints and
/// exits, so no command ends the process itself.
package protocol CommandError: Error, CustomStringConvertible {
    var exitStatus: Int32 { get }
}

/// Why a command could not do its work: a one-line message naming the fix, and the exit status for it
/// (sysexits.h values, as the rest of the CLI uses: 64 usage, 70 software, 74 I/O, 78 an unusable file).
package struct CommandFailure: CommandError, Sendable {
    package var exitStatus: Int32
    package var description: String

    package init(_ exitStatus: Int32, _ description: String) {
        self.exitStatus = exitStatus
        self.description = description
    }

    /// A certificate, key or password file that cannot be used (78, as for `respond`'s config errors).
    package static func unusable(_ description: String) -> Self { Self(ExitStatus.config, description) }
}
