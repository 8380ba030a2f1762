import OCSPCore
import OCSPCrypto
import OCSPLint
import OCSPRuntime
import OCSPWire

/// `ocsp-responder check`: asks a certificate's OCSP responder about it, as a relying party would, and
/// verifies the answer.
///
/// The certificate comes from a file (`--cert`) or from a TLS server's handshake (`--host`); its issuer
/// from `--issuer`, the rest of the chain, or the CA Issuers URL of its Authority Information Access;
/// the responder's URL from `--url` or the AIA's OCSP entry.
package enum CheckRun {
    package struct Options: Sendable {
        package var certificatePath: String?
        /// `HOST[:PORT]` of a TLS server (port 443 by default).
        package var host: String?
        package var issuerPath: String?
        package var url: String?
        package var forcePost: Bool
        package var nonce: Bool
        package var json: Bool
        /// Seconds for each network step.
        package var timeout: Int
        /// `--lint`: also hold the response to this profile; an error fails the check.
        package var lint: LintProfile?

        package init(certificatePath: String?, host: String?, issuerPath: String?, url: String?, forcePost: Bool = false,
                    nonce: Bool = true, json: Bool = false, timeout: Int = 10, lint: LintProfile? = nil) {
            self.lint = lint
            self.certificatePath = certificatePath
            self.host = host
            self.issuerPath = issuerPath
            self.url = url
            self.forcePost = forcePost
            self.nonce = nonce
            self.json = json
            self.timeout = timeout
        }
    }

    /// RFC 5019 §5: GET when the whole encoded request is under 255 bytes, else POST.
    package static let getLimit = 255

    /// What was learned, for the text and JSON reports; filled as far as the check got.
    struct Result {
        var subject: String?
        var serial: String?
        var issuer: String?
        var url: String?
        var method: String?
        var nonceSent = false
        var status: String?
        var revocationTime: String?
        var revocationReason: String?
        var thisUpdate: String?
        var nextUpdate: String?
        var producedAt: String?
        var verification: VerificationReport?
        var lint: LintReport?
        var error: String?
    }

    package static func run(_ options: Options) -> Int32 {
        var result = Result()
        let status: Int32
        do throws(CommandFailure) {
            status = try check(options, into: &result)
        } catch {
            result.error = error.description
            status = ExitStatus.Check.error
        }
        if options.json {
            try? FileIO.writeStandardOutput(Array((json(result).rendered() + "\n").utf8))
        } else {
            try? FileIO.writeStandardOutput(Array(text(result).utf8))
        }
        if let error = result.error {
            Console.printError("check: \(error)")
        }
        return status
    }

    static func check(_ options: Options, into result: inout Result) throws(CommandFailure) -> Int32 {
        // 1. The certificate and whatever chain came with it.
        let chain = try certificates(options)
        let leaf = chain[0]
        let leafCertificate: Certificate
        do {
            leafCertificate = try Certificate(der: leaf)
        } catch {
            throw failure("the certificate does not parse: \(error.inputReason)")
        }
        result.subject = leafCertificate.subject
        result.serial = "0x" + leafCertificate.serialNumber.minimalHex
        let access: AuthorityInformationAccess
        do {
            access = try leafCertificate.authorityInformationAccess ?? AuthorityInformationAccess()
        } catch {
            throw failure("the certificate's Authority Information Access extension does not parse: \(error.inputReason)")
        }

        // 2. Its issuer.
        let issuer = try findIssuer(of: leafCertificate, chain: Array(chain.dropFirst()), access: access, options: options)
        result.issuer = issuer.subject

        // 3. The responder.
        let urlText: String
        if let given = options.url {
            urlText = given
        } else if let first = access.ocsp.first {
            urlText = first
        } else {
            throw failure("the certificate has no OCSP URL in its Authority Information Access extension; give the responder with --url")
        }
        guard let url = HTTPFetch.URL(parsing: urlText) else {
            throw failure("'\(urlText)' is not an http:// URL (OCSP is asked over plain HTTP, RFC 5019 §5)")
        }
        result.url = url.description

        // 4. The request: one SHA-1 CertID, as RFC 5019 clients send, and a nonce unless told not to.
        let certID = issuer.identity.certID(serial: leafCertificate.serialNumber, hash: .sha1)
        let nonce = options.nonce ? RequestBuilder.randomNonce() : nil
        result.nonceSent = nonce != nil
        let request: [UInt8]
        let ocspRequest = OCSPRequest(certIDs: [certID], nonce: nonce)
        do {
            request = try ocspRequest.derBytes()
        } catch {
            throw failure("cannot encode the request: \(error.inputReason)")
        }

        // 5. Sent by GET when short enough, else POST.
        let encoded = percentEncode(Base64.encode(request))
        let separator = url.target.hasSuffix("/") ? "" : "/"
        let response: HTTPFetch.Response
        if !options.forcePost && (url.target + separator + encoded).utf8.count < getLimit {
            result.method = "GET"
            var getURL = url
            getURL.target = url.target + separator + encoded
            response = try HTTPFetch.get(getURL, accept: "application/ocsp-response", timeout: options.timeout)
        } else {
            result.method = "POST"
            response = try HTTPFetch.post(url, body: request, contentType: "application/ocsp-request",
                                          accept: "application/ocsp-response", timeout: options.timeout)
        }
        guard response.status == 200 else {
            throw failure("\(url) answered HTTP \(response.status)")
        }

        // 6. The answer, linted when asked (before anything refuses it), and verified against the issuer.
        if let profile = options.lint {
            result.lint = ResponseLinter.lint(response.body, profile: profile, request: ocspRequest, issuer: issuer.certificate,
                                              at: RunClock.currentTime())
        }
        let document: OCSPDocument
        do {
            document = try OCSPDocument(der: response.body)
        } catch {
            throw failure("\(url) did not answer with an OCSP response: \(error.inputReason)")
        }
        guard case .response(let ocspResponse, let basic) = document else {
            throw failure("\(url) answered with an OCSP request, not a response")
        }
        guard ocspResponse.responseStatus == .successful else {
            throw failure("the responder answered \(ocspResponse.responseStatus) (an unsigned error)")
        }
        guard let basic else { throw failure("the response is not a basic OCSP response") }
        let now = RunClock.currentTime()
        var report = ResponseVerification.verify(document, issuer: issuer, at: now)
        let data = basic.tbsResponseData
        result.producedAt = UnixTime(data.producedAt).iso8601
        guard let single = data.responses.first(where: { $0.certID == certID }) else {
            report.problems.append("the response has no answer for the CertID that was asked")
            result.verification = report
            throw failure("the response does not answer for serial \(leafCertificate.serialNumber.minimalHex)")
        }
        if let nonce {
            let echoed = data.responseExtensions?[OCSPObjectIdentifier.nonce].map(OCSPDocument.nonceOctets)
            if let echoed {
                if !echoed.elementsEqual(nonce) {
                    report.problems.append("the response carries another nonce than the request's")
                }
            } else {
                report.problems.append("the response does not echo the request's nonce (the responder may serve pre-signed responses: try --no-nonce)")
            }
        }
        result.verification = report
        result.status = single.certStatus.name
        result.thisUpdate = UnixTime(single.thisUpdate).iso8601
        result.nextUpdate = single.nextUpdate.map { UnixTime($0).iso8601 }
        if case .revoked(let info) = single.certStatus {
            result.revocationTime = UnixTime(info.revocationTime).iso8601
            result.revocationReason = info.revocationReason.map(InspectionReport.reasonName)
        }
        guard report.verified else {
            throw failure("the response does not verify: \(report.problems.joined(separator: "; "))")
        }
        if let lint = result.lint, lint.errors > 0 {
            throw failure("the response has \(lint.errors) lint error\(lint.errors == 1 ? "" : "s") (profile \(lint.profile))")
        }
        switch single.certStatus {
        case .good: return ExitStatus.Check.good
        case .revoked: return ExitStatus.Check.revoked
        case .unknown: return ExitStatus.Check.unknown
        }
    }

    /// The certificate first, then the rest of the chain as given: from the file (PEM, one or more
    /// certificates, or DER) or from the TLS server.
    static func certificates(_ options: Options) throws(CommandFailure) -> [[UInt8]] {
        if let path = options.certificatePath {
            return try readCertificates(path: path, what: "--cert")
        }
        guard let hostText = options.host else { throw failure("give --cert FILE or --host HOST[:PORT]") }
        guard let (host, port) = HostPort(parsing: hostText).map({ ($0.host, $0.port ?? 443) }) else {
            throw failure("--host '\(hostText)' is not HOST or HOST:PORT")
        }
        let socket = try TCPSocket(host: host, port: port, timeout: options.timeout)
        do {
            // RFC 6066 §3: no SNI for an IP address.
            let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
            return try TLSPeerChain.fetch(socket: socket.descriptor, serverName: isAddress ? nil : host)
        } catch {
            throw failure("TLS with \(hostText): \(error.inputReason)")
        }
    }

    static func readCertificates(path: String, what: String) throws(CommandFailure) -> [[UInt8]] {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: path, limit: 1 << 20)
        } catch {
            throw failure("cannot read \(what) \(path): \(error.inputReason)")
        }
        return try certificates(in: bytes, source: "\(what) \(path)")
    }

    /// DER, or PEM with one or more CERTIFICATE blocks.
    static func certificates(in bytes: [UInt8], source: String) throws(CommandFailure) -> [[UInt8]] {
        if bytes.first == 0x30 { return [bytes] }
        let blocks = (try? PEM.decodeAllBlocks(bytes, label: "CERTIFICATE")) ?? []
        guard !blocks.isEmpty else { throw failure("\(source) holds no certificate (neither DER nor PEM)") }
        return blocks
    }

    /// `--issuer`, else the certificate in the chain that issued the leaf, else the AIA's CA Issuers URL.
    static func findIssuer(
        of leaf: Certificate, chain: [[UInt8]], access: AuthorityInformationAccess, options: Options
    ) throws(CommandFailure) -> ResponseVerification.Issuer {
        func issuer(_ der: [UInt8], source: String) throws(CommandFailure) -> ResponseVerification.Issuer {
            let issuer: ResponseVerification.Issuer
            do {
                issuer = ResponseVerification.Issuer(certificate: try Certificate(der: der))
            } catch {
                throw failure("the issuer from \(source) does not parse: \(error.inputReason)")
            }
            guard leaf.isIssued(by: issuer.certificate, key: issuer.key) else {
                throw failure("\(source) (\(issuer.subject)) did not issue the certificate")
            }
            return issuer
        }
        if let path = options.issuerPath {
            return try issuer(try readCertificates(path: path, what: "--issuer")[0], source: "--issuer \(path)")
        }
        for candidate in chain {
            guard let certificate = try? Certificate(der: candidate), leaf.isIssued(by: certificate) else { continue }
            return try issuer(candidate, source: "the chain")
        }
        guard let text = access.caIssuers.first else {
            throw failure("the issuer is not in the chain and the certificate has no CA Issuers URL in its Authority Information Access extension; give --issuer")
        }
        guard let url = HTTPFetch.URL(parsing: text) else {
            throw failure("the CA Issuers URL '\(text)' is not an http:// URL; give --issuer")
        }
        let response = try HTTPFetch.get(url, accept: "application/pkix-cert", timeout: options.timeout)
        guard response.status == 200 else { throw failure("the CA Issuers URL \(url) answered HTTP \(response.status)") }
        let fetched = try certificates(in: response.body, source: "the CA Issuers URL \(url)")
        return try issuer(fetched[0], source: "the CA Issuers URL \(url)")
    }

    /// Base64 percent-encoded for a path segment: `+`, `/` and `=` escaped (RFC 5019 §5).
    static func percentEncode(_ base64: String) -> String {
        var out = ""
        for character in base64 {
            switch character {
            case "+": out += "%2B"
            case "/": out += "%2F"
            case "=": out += "%3D"
            default: out.append(character)
            }
        }
        return out
    }

    static func failure(_ message: String) -> CommandFailure {
        CommandFailure(ExitStatus.Check.error, message)
    }

    static func text(_ result: Result) -> String {
        var lines: [String] = []
        let name = "\(result.subject ?? "the certificate")\(result.serial.map { " (serial \($0))" } ?? "")"
        lines.append("\(name): \(result.status ?? "error")")
        func add(_ label: String, _ value: String?) {
            if let value { lines.append("  " + (label + ":").padding(13) + value) }
        }
        add("issuer", result.issuer)
        add("responder", result.url.map { "\($0) (\(result.method ?? "-")\(result.nonceSent ? ", nonce" : ", no nonce"))" })
        add("revoked at", result.revocationTime)
        add("reason", result.revocationReason)
        add("this update", result.thisUpdate)
        add("next update", result.nextUpdate)
        add("produced at", result.producedAt)
        if let verification = result.verification {
            add("verified", verification.verified ? String(verification.verdictLine.dropFirst("Verification: ".count)) : "no")
        }
        add("error", result.error)
        if let lint = result.lint {
            lines += lint.text.split(separator: "\n").map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ result: Result) -> JSONValue {
        .object([
            ("status", .string(result.error == nil ? result.status : "error")),
            ("cert_status", .string(result.status)),
            ("subject", .string(result.subject)),
            ("serial", .string(result.serial)),
            ("issuer", .string(result.issuer)),
            ("url", .string(result.url)),
            ("method", .string(result.method)),
            ("nonce", .bool(result.nonceSent)),
            ("revocation_time", .string(result.revocationTime)),
            ("revocation_reason", .string(result.revocationReason)),
            ("this_update", .string(result.thisUpdate)),
            ("next_update", .string(result.nextUpdate)),
            ("produced_at", .string(result.producedAt)),
            ("verification", result.verification.map(InspectionReport.verificationJSON) ?? .null),
            ("error", .string(result.error)),
            ("lint", result.lint.map(ResponseLinter.json) ?? .null),
        ])
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
