import ArgumentParser
import OCSPService
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
        subcommands: [Respond.self, Sign.self, DB.self, Resign.self, RequestCommand.self, Inspect.self, Serve.self, Check.self],
        defaultSubcommand: Respond.self
    )

    /// Takes the socket app's plain `respond` call straight to the run, and everything else through ArgumentParser.
    static func main() {
        if let options = RespondFastPath.options(from: Array(CommandLine.arguments.dropFirst())) {
            Glibc.exit(RespondRun.run(options))
        }
        main(nil)
    }
}
