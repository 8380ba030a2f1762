import OCSPRuntime
import OCSPVersion
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct OCSPResponderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocsp-responder",
        abstract: "An OCSP responder (RFC 6960, RFC 5019/9919) for private certificate authorities.",
        discussion: """
            Reads a DER OCSP request, looks each certificate up in the status table and writes a signed
            response. A drop-in replacement for OCSP_MySql's `ocsp.py FILE`.

            Examples:
              sudo -u pycert ocsp-responder respond /tmp/request.der
              ocsp-responder sign --issuer root.pem --key root.key \\
                --cert intermediate.pem --status good --valid 30d --out int.ocsp.der
              ocsp-responder request --issuer ca.pem --cert leaf.pem \\
                | ocsp-responder respond - | ocsp-responder inspect --issuer ca.pem -
            """,
        version: OCSPVersion.line,
        subcommands: [Respond.self, Sign.self, DB.self, Resign.self, RequestCommand.self, Inspect.self, Explain.self, Serve.self, Check.self, Version.self, Completion.self],
        defaultSubcommand: Respond.self
    )

    /// `ocsp-responder` hands over every command line but the socket app's plain `respond` call.
    ///
    /// A caller on the other side of sudo (`Invocation`) gets a cleared environment and `respond` only:
    /// a sudoers rule wider than `scripts/setup.sh`'s (OCSP_MySql's was `ocsp.py*`) must not let it run
    /// `sign` with the service's key, `db revoke`, `resign --out`, `serve`, or `inspect` on the service's files.
    ///
    /// The one place a command's failure is printed and the process exits: a `CommandError` gives its
    /// line and status; anything else (usage errors, help, `ExitCode`) is ArgumentParser's.
    static func main() {
        StaticLinking.useBuiltInNameServices()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let invocation = Invocation.current
        if invocation.isUntrusted { Invocation.clearEnvironment() }
        if invocation.isUntrusted, let first = arguments.first, !Invocation.untrustedCommandWords.contains(first) {
            Console.printError(Invocation.refusal)
            Glibc.exit(ExitStatus.noPermission)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as any CommandError {
            Console.printError(error.description)
            Glibc.exit(error.exitStatus)
        } catch {
            exit(withError: error)
        }
    }
}
