import OCSPClient
import OCSPCore
import OCSPLint
import OCSPWire
import ArgumentParser

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a certificate's OCSP responder about it and verify the answer.",
        discussion: """
            The certificate comes from --cert (PEM, possibly followed by its chain, or DER) or from a TLS \
            server's handshake (--host, with SNI). Its issuer is --issuer, else the chain, else fetched \
            from the CA Issuers URL of its Authority Information Access; the responder is --url, else the \
            AIA's OCSP URL. The request (one SHA-1 CertID and a nonce) goes by GET when it is short, else \
            POST. The response must be signed by the issuer or by a delegate the issuer gave OCSPSigning, \
            answer the CertID asked, echo the nonce, and be current (5 minutes' clock skew allowed).

            With --lint the response is also held to the rules of `inspect --lint` (--profile, rfc6960 \
            unless named) and the findings are printed; a lint error fails the check (exit 3), \
            warnings and notices do not.

            Exit status: 0 good; 1 revoked; 2 unknown; 3 any error (the reason is printed).

            Examples:
              ocsp-responder check --cert leaf.pem --issuer ca.pem
              ocsp-responder check --cert leaf.pem --url http://ocsp.example.com/ --json
              ocsp-responder check --host www.example.com:443
            """
    )

    @Option(name: .long, help: ArgumentHelp("The certificate to check (PEM or DER; PEM may carry its chain after it).", valueName: "file"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("Check the certificate a TLS server presents (port 443 by default).", valueName: "host[:port]"))
    var host: String?

    @Option(name: .long, help: ArgumentHelp("The certificate's issuer (default: from the chain, else its CA Issuers URL).", valueName: "file"))
    var issuer: String?

    @Option(name: .long, help: ArgumentHelp("The responder (default: the OCSP URL in the certificate).", valueName: "url"))
    var url: String?

    @Flag(name: .long, help: "POST the request even when it is short enough for GET.")
    var post = false

    @Flag(inversion: .prefixedNo, help: "Send a nonce (default) or not.")
    var nonce = true

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Seconds for each network step.", valueName: "seconds"))
    var timeout: Int = 10

    @Flag(name: .long, help: "Also lint the response (see inspect --lint); lint errors fail the check.")
    var lint = false

    @Option(name: .long, help: ArgumentHelp("With --lint: rfc6960 (default), rfc9919, windows, java, mozilla, cabf, cisco or all.", valueName: "name"))
    var profile: LintProfile?

    func validate() throws {
        guard (cert == nil) != (host == nil) else {
            throw ValidationError("Give exactly one of --cert FILE and --host HOST[:PORT].")
        }
        if !lint, profile != nil { throw ValidationError("--profile goes with --lint.") }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be from 1 to 600 seconds.") }
    }

    func run() throws {
        let status = CheckRun.run(.init(
            certificatePath: cert, host: host, issuerPath: issuer, url: url, forcePost: post, nonce: nonce, json: json, timeout: timeout, lint: lint ? profile ?? .rfc6960 : nil
        ))
        if status != 0 { throw ExitCode(status) }
    }
}
