import OCSPClient
import OCSPCore
import OCSPWire
import ArgumentParser

struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Build a DER OCSP request (like `openssl ocsp -reqout`), for testing a responder.",
        discussion: """
            One CertID per --cert or --serial, in the order given, each naming --issuer by the hashes \
            of its name and key (--hash, SHA-1 by default as RFC 5019 clients send). A --cert must be \
            issued by --issuer. A nonce of 16 random octets (RFC 9654) is added unless --no-nonce.

            The request goes to standard output (never to a terminal) or, with --out, replaces FILE \
            atomically.

            Exit status: 0 written; 64 bad arguments; 78 a certificate that cannot be used \
            (unreadable, not issued by --issuer); 74 the request could not be written.

            Examples:
              ocsp-responder request --issuer ca.pem --cert leaf.pem \\
                | ocsp-responder respond - | ocsp-responder inspect --issuer ca.pem -
              ocsp-responder request --issuer ca.pem --serial 0x1001 --serial 1002 \\
                --hash sha256 --no-nonce --out req.der
            """
    )

    @Option(name: .long, help: ArgumentHelp("PEM of the CA that issued the certificates asked about.", valueName: "cert"))
    var issuer: String

    @Option(name: .long, help: ArgumentHelp("A certificate to ask about (PEM, issued by --issuer); repeatable.", valueName: "cert"))
    var cert: [String] = []

    @Option(name: .long, help: ArgumentHelp("A serial to ask about, in hex (0x optional, any case); repeatable.", valueName: "hex"))
    var serial: [CertificateSerialNumber] = []

    @Option(name: .long, help: ArgumentHelp("The CertID's hash: sha1 (default), sha256, sha384 or sha512.", valueName: "hash"))
    var hash: HashAlgorithm = .sha1

    @Flag(inversion: .prefixedNo, help: "Add a random 16-octet nonce (default) or not.")
    var nonce = true

    @Option(name: .long, help: ArgumentHelp("Write the request here (replaced atomically); - for standard output.", valueName: "file"))
    var out: String = "-"

    func validate() throws {
        guard !cert.isEmpty || !serial.isEmpty else {
            throw ValidationError("Name a certificate: give --cert FILE or --serial HEX (either may be repeated).")
        }
    }

    func run() throws {
        let subjects = Self.subjectsInCommandLineOrder(
            arguments: Array(CommandLine.arguments.dropFirst()),
            certificates: cert.map { .certificate(path: $0) },
            serials: serial.map { .serial($0) }
        )
        let status = RequestBuilder.run(.init(
            issuerPath: issuer, subjects: subjects, hash: hash, nonce: nonce, output: out
        ))
        if status != 0 { throw ExitCode(status) }
    }

    /// `--cert` and `--serial` interleaved as they were typed: ArgumentParser keeps each option's values in
    /// order but not their order relative to each other, which the command line still shows.
    static func subjectsInCommandLineOrder(
        arguments: [String], certificates: [RequestBuilder.Subject], serials: [RequestBuilder.Subject]
    ) -> [RequestBuilder.Subject] {
        var order: [Bool] = []  // true: the next --cert; false: the next --serial
        for argument in arguments.prefix(while: { $0 != "--" }) {
            if argument == "--cert" || argument.hasPrefix("--cert=") { order.append(true) }
            if argument == "--serial" || argument.hasPrefix("--serial=") { order.append(false) }
        }
        guard order.filter({ $0 }).count == certificates.count, order.count == certificates.count + serials.count else {
            return certificates + serials
        }
        var (nextCertificate, nextSerial) = (certificates.makeIterator(), serials.makeIterator())
        return order.map { $0 ? nextCertificate.next()! : nextSerial.next()! }
    }
}
