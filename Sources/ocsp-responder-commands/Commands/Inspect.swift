import OCSPClient
import OCSPLint
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

            With --lint, a response (ours or another responder's) is held to the rules of --profile \
            instead of shown: RFC 6960, RFC 9919, RFC 9654 and the clients' and policies' rules; each \
            finding has a level (error, warning, notice), a rule id, its source, a message and the DER \
            offset and length of the element. --issuer adds the signer and CertID checks, --request the \
            CertID and nonce echo. Profiles: \(LintProfile.allCases.map(\.rawValue).joined(separator: ", ")). \
            Exit status with --lint: 0 clean (notices only), 1 warnings, 2 errors.

            Exit status: 0 shown (and verified, with --issuer); 1 verification failed (an error \
            response cannot be verified); 2 the input is neither a request nor a response; 64 bad \
            arguments; 66 the input cannot be read; 78 the --issuer file cannot be used.

            Examples:
              ocsp-responder request --issuer ca.pem --cert leaf.pem \\
                | ocsp-responder respond - | ocsp-responder inspect --issuer ca.pem -
              ocsp-responder inspect --json resp.der
              ocsp-responder inspect --lint --profile cabf --issuer ca.pem --request req.der resp.der
            """
    )

    @Argument(help: ArgumentHelp("The DER or PEM request or response; - for standard input.", valueName: "file"))
    var file: String = "-"

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("PEM of the CA to verify a response against.", valueName: "cert"))
    var issuer: String?

    @Flag(name: .long, help: "Check the response against --profile's rules instead of showing it.")
    var lint = false

    @Option(name: .long, help: ArgumentHelp("With --lint: rfc6960 (default), rfc9919, windows, java, mozilla, cabf, cisco or all.", valueName: "name"))
    var profile: LintProfile?

    @Option(name: .long, help: ArgumentHelp("With --lint: the request the response answers (CertID and nonce echo).", valueName: "file"))
    var request: String?

    func validate() throws {
        if !lint, profile != nil { throw ValidationError("--profile goes with --lint.") }
        if !lint, request != nil { throw ValidationError("--request goes with --lint.") }
    }

    func run() throws {
        let status = Inspection.run(.init(
            input: file, json: json, issuerPath: issuer, lint: lint, profile: profile ?? .rfc6960, requestPath: request
        ))
        if status != 0 { throw ExitCode(status) }
    }
}
