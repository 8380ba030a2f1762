/// Why a command could not do its work: a one-line message naming the fix, and the exit status for it
/// (sysexits.h values, as the rest of the CLI uses: 64 usage, 70 software, 74 I/O, 78 an unusable file).
public struct CommandFailure: Error, CustomStringConvertible, Sendable {
    public var exitStatus: Int32
    public var description: String

    public init(_ exitStatus: Int32, _ description: String) {
        self.exitStatus = exitStatus
        self.description = description
    }

    /// A certificate, key or password file that cannot be used (78, as for `respond`'s config errors).
    static func unusable(_ description: String) -> Self { Self(RespondRun.ExitStatus.config, description) }
}
