import OCSPLint
import OCSPRuntime
import OCSPWire

/// `ocsp-responder inspect`: shows every field of an OCSP request or response, as text or JSON, and with
/// `--issuer` verifies a response (see `ResponseVerification`).
package enum Inspection {
    package struct Options: Sendable {
        /// A file, or `-` for standard input.
        package var input: String
        package var json: Bool
        /// The CA to verify against.
        package var issuerPath: String?
        /// `--lint`: hold the response to `profile` instead of showing it.
        package var lint: Bool
        package var profile: LintProfile
        /// `--request`: the request the response answers, for the CertID and nonce echo.
        package var requestPath: String?

        package init(input: String = "-", json: Bool = false, issuerPath: String? = nil, lint: Bool = false,
                     profile: LintProfile = .rfc6960, requestPath: String? = nil) {
            self.input = input
            self.json = json
            self.issuerPath = issuerPath
            self.lint = lint
            self.profile = profile
            self.requestPath = requestPath
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
        if options.lint {
            return lint(bytes, options: options, issuer: issuer?.certificate)
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

    /// `--lint`: the findings, as text or JSON; the exit status is the report's (0 clean, 1 warnings, 2 errors).
    static func lint(_ bytes: [UInt8], options: Options, issuer: Certificate?) -> Int32 {
        let name = options.input == "-" ? "standard input" : options.input
        // DER as it is (the lint reads what a strict decoder refuses), or PEM around it.
        let der: [UInt8]
        if bytes.first == 0x30 {
            der = bytes
        } else if let decoded = PEM.decodeFirstBlock(bytes), !decoded.isEmpty {
            der = decoded
        } else {
            Console.printError("\(name) is neither DER nor PEM")
            return ExitStatus.Inspect.notOCSP
        }
        if case .request? = try? OCSPDocument(der: der) {
            Console.printError("\(name) is an OCSP request: --lint checks responses (give the request with --request)")
            return ExitStatus.usage
        }
        var request: OCSPRequest?
        if let path = options.requestPath {
            let requestBytes: [UInt8]
            do {
                requestBytes = try FileIO.read(path: path, limit: inputLimit)
            } catch {
                Console.printError("--request: \(error.inputReason)")
                return ExitStatus.noInput
            }
            guard case .request(let parsed)? = try? OCSPDocument(derOrPEM: requestBytes) else {
                Console.printError("--request: \(path) is not an OCSP request")
                return ExitStatus.Inspect.notOCSP
            }
            request = parsed
        }
        let report = ResponseLinter.lint(der, profile: options.profile, request: request, issuer: issuer, at: RunClock.currentTime())
        let output = options.json ? ResponseLinter.json(report).rendered() + "\n" : report.text
        do {
            try FileIO.writeStandardOutput(Array(output.utf8))
        } catch {
            Console.printError("cannot write: \(error.inputReason)")
            return ExitStatus.ioError
        }
        return report.exitStatus
    }
}
