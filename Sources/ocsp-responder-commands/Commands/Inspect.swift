import OCSPClient
import OCSPWire
import ArgumentParser

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every field of an OCSP request or response (DER or PEM); with --issuer, verify a response.",
        discussion: """
            Tells a request from a response by itself and prints its fields as `openssl ocsp -req_text` \
            and `-resp_text` do, or, with --json, one JSON object whose keys are listed in the README.

            With --issuer, a successful response is verified: the signature by the issuer's key or by \
            a delegated responder in the response's certs (issued by --issuer, with the OCSPSigning \
            extended key usage), the ResponderID naming that signer, every CertID naming the issuer, \
            and thisUpdate/nextUpdate against the clock with 5 minutes' leeway. For a request, --issuer \
            checks that every CertID names it.

            Exit status: 0 shown (and verified, with --issuer); 1 verification failed (an error \
            response cannot be verified); 2 the input is neither a request nor a response; 64 bad \
            arguments; 66 the input cannot be read; 78 the --issuer file cannot be used.

            Examples:
              ocsp-responder request --issuer ca.pem --cert leaf.pem \\
                | ocsp-responder respond - | ocsp-responder inspect --issuer ca.pem -
              ocsp-responder inspect --json resp.der
            """
    )

    @Argument(help: ArgumentHelp("The DER or PEM request or response; - for standard input.", valueName: "file"))
    var file: String = "-"

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("PEM of the CA to verify a response against.", valueName: "cert"))
    var issuer: String?

    func run() throws {
        let status = Inspection.run(.init(input: file, json: json, issuerPath: issuer))
        if status != 0 { throw ExitCode(status) }
    }
}
