import OCSPRuntime

/// `ocsp-responder inspect`: shows every field of an OCSP request or response, as text or JSON, and with
/// `--issuer` verifies a response (see `ResponseVerification`).
package enum Inspection {
    package struct Options: Sendable {
        /// A file, or `-` for standard input.
        package var input: String
        package var json: Bool
        /// The CA to verify against.
        package var issuerPath: String?

        package init(input: String = "-", json: Bool = false, issuerPath: String? = nil) {
            self.input = input
            self.json = json
            self.issuerPath = issuerPath
        }
    }

    /// Enough for any request or response with a few certificates.
    package static let inputLimit = 1 << 20

    /// The whole command; returns the exit status (`ExitStatus`).
    package static func run(_ options: Options) -> Int32 {
        // The issuer first: a file that cannot be used is a set-up error whatever the input holds.
        var issuer: ResponseVerification.Issuer?
        if let path = options.issuerPath {
            do {
                issuer = try ResponseVerification.Issuer(certificate: SigningFiles.certificate(path: path))
            } catch {
                Console.printError("--issuer: \(error.inputReason)")
                return ExitStatus.config
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: options.input, limit: inputLimit)
        } catch {
            Console.printError("cannot read the input: \(error.inputReason)")
            return ExitStatus.noInput
        }
        guard bytes.count <= inputLimit else {
            Console.printError("\(options.input == "-" ? "standard input" : options.input) is over \(inputLimit) bytes: not an OCSP request or response")
            return ExitStatus.Inspect.notOCSP
        }
        let document: OCSPDocument
        do {
            document = try OCSPDocument(derOrPEM: bytes)
        } catch {
            Console.printError("\(options.input == "-" ? "standard input" : options.input) is neither an OCSP request nor an OCSP response: \(error.inputReason)")
            return ExitStatus.Inspect.notOCSP
        }
        let verification = issuer.map { ResponseVerification.verify(document, issuer: $0, at: RunClock.currentTime()) }
        let output = options.json
            ? InspectionReport.json(document, verification: verification).rendered() + "\n"
            : InspectionReport.text(document, verification: verification)
        do {
            try FileIO.writeStandardOutput(Array(output.utf8))
        } catch {
            Console.printError("cannot write: \(error.inputReason)")
            return ExitStatus.ioError
        }
        return verification?.verified == false ? ExitStatus.Inspect.verificationFailed : ExitStatus.success
    }
}
