import Foundation
import OCSPLint
import OCSPWire

/// Verifiers nobody on this project wrote: `openssl ocsp` and Python's `cryptography`.
package enum Peers {
    /// `openssl ocsp -respin` with `-CAfile` = the chain: succeeds only on "Response verify OK".
    /// Returns openssl's text output (with -resp_text) for further checks.
    @discardableResult
    ///
    /// `trustedSigner`: passed as `-VAfile`. openssl's verifier insists that all CertIDs of a response
    /// name the signer's CA unless the signer is trusted explicitly, so a response that answers
    /// `unknown` for another CA's CertID (which RFC 6960 allows) verifies only this way.
    /// `embeddedSignerOnly`: no `-verify_other`, so only a signer certificate carried in the response's
    /// `certs` lets it verify (as Apache's `SSLOCSPEnable` verifies).
    package static func opensslVerify(response: Data, chain: String, request: Data? = nil, trustedSigner: String? = nil,
                                     embeddedSignerOnly: Bool = false) throws -> String {
        let directory = try makeTemporaryDirectory("ocsp-peer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let responsePath = directory.appendingPathComponent("resp.der")
        try response.write(to: responsePath)
        // -verify_other: a CA signing its own responses does not embed its certificate; openssl finds it there.
        var arguments = ["ocsp", "-respin", responsePath.path, "-CAfile", chain, "-resp_text"]
        if !embeddedSignerOnly { arguments += ["-verify_other", chain] }
        if let trustedSigner {
            arguments += ["-VAfile", trustedSigner]
        }
        if let request {
            let requestPath = directory.appendingPathComponent("req.der")
            try request.write(to: requestPath)
            arguments += ["-reqin", requestPath.path]
        } else {
            arguments += ["-no_nonce"]
        }
        let result = try run("openssl", arguments)
        let output = result.stdoutText + result.stderr
        guard result.status == 0, output.contains("Response verify OK") else {
            throw TestFailure("openssl ocsp did not verify the response (exit \(result.status)):\n\(output)")
        }
        try lint(response: response, request: request)
        return output
    }

    /// Our own lint (OCSPLint, `inspect --lint`'s rules, profile rfc6960), in process: every response a test
    /// has openssl verify passes here too, so our answers are held to it; an error fails the test. Without
    /// cryptography and without a clock (the peers check signatures; tests make stale responses on purpose);
    /// with the request, when there is one, for the CertID and nonce echo.
    package static func lint(response: Data, request: Data? = nil) throws {
        let parsedRequest = try request.map { try OCSPRequest(derEncoded: Array($0)) }
        let report = ResponseLinter.lint(Array(response), context: LintContext(profile: .rfc6960, request: parsedRequest))
        guard report.errors == 0 else {
            throw TestFailure("the lint finds errors in the response:\n\(report.text)")
        }
    }

    /// `scripts/peer-verify.py`: Python cryptography's view of the response.
    package static func python(response: Data, issuer: String) throws -> PeerReport {
        let reports = try python(responses: [response], issuer: issuer)
        return reports[0]
    }

    /// Python cryptography's view of several responses, in one interpreter (a start-up is ~0.2 s).
    package static func python(responses: [Data], issuer: String) throws -> [PeerReport] {
        let directory = try makeTemporaryDirectory("ocsp-peer")
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, response) in responses.enumerated() {
            let path = directory.appendingPathComponent("resp-\(index).der")
            try response.write(to: path)
            paths.append(path.path)
        }
        let script = repositoryRoot.appendingPathComponent("scripts/peer-verify.py").path
        let result = try run(pythonExecutable, [script] + paths + ["--issuer", issuer])
        guard result.status == 0 else {
            throw TestFailure("peer-verify.py failed (exit \(result.status)): \(result.stderr)")
        }
        // One response is printed as an object, several as a list.
        let reports = try responses.count == 1
            ? [PeerReport.decode(result.stdout)]
            : PeerReport.decoder.decode([PeerReport].self, from: result.stdout)
        guard reports.count == responses.count else {
            throw TestFailure("peer-verify.py described \(reports.count) responses of \(responses.count)")
        }
        return reports
    }

    /// `scripts/peer-make.py`: certificates and responses made by Python cryptography (expired, stale).
    package static func make(_ arguments: [String]) throws {
        let script = repositoryRoot.appendingPathComponent("scripts/peer-make.py").path
        let result = try run(pythonExecutable, [script] + arguments)
        guard result.status == 0 else { throw TestFailure("peer-make.py \(arguments) failed: \(result.stderr)") }
    }

    /// One sample of a Prometheus text exposition, as `prometheus_client`'s parser reads it.
    package struct MetricSample: Decodable, Sendable {
        /// The family's name (a counter's without `_total`) and type.
        package var family: String
        package var type: String
        /// The sample's own name (`…_total`, `…_bucket`, `…_count`).
        package var name: String
        package var labels: [String: String]
        package var value: Double
    }

    /// Parses a `/metrics` answer with Python's `prometheus_client` (`text_string_to_metric_families`), the
    /// parser Prometheus' own Python client ships: a malformed line fails the parse, so the test.
    package static func prometheusSamples(_ exposition: Data) throws -> [MetricSample] {
        let script = """
            import json, math, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    value = sample.value if math.isfinite(sample.value) else (1e308 if sample.value > 0 else -1e308)
                    samples.append({"family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels, "value": value})
            print(json.dumps(samples))
            """
        let result = try run(pythonExecutable, ["-c", script], stdin: exposition)
        guard result.status == 0 else { throw TestFailure("prometheus_client could not parse the exposition: \(result.stderr)") }
        return try JSONDecoder().decode([MetricSample].self, from: result.stdout)
    }

    /// A certificate's notAfter, as Python's cryptography reads it, in Unix seconds.
    package static func notAfter(ofCertificate path: String) throws -> Double {
        let result = try run(pythonExecutable, ["-c", """
            import sys
            from cryptography import x509
            print(x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read()).not_valid_after_utc.timestamp())
            """, path])
        guard result.status == 0, let value = Double(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("cannot read notAfter of \(path): \(result.stderr)")
        }
        return value
    }

    /// scripts/test.sh names the python3 that has cryptography (Debian's, when pyenv's lacks it).
    static var pythonExecutable: String { ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3" }

    /// Both peers on a successful response: openssl verifies, Python verifies the signature (and the
    /// delegate, if any). Returns Python's report, whose `responses` tests then check.
    @discardableResult
    package static func verifySuccessful(response: Data, issuer: String, chain: String, request: Data? = nil) throws -> PeerReport {
        try opensslVerify(response: response, chain: chain, request: request)
        let report = try python(response: response, issuer: issuer)
        guard report.responseStatus == "SUCCESSFUL" else {
            throw TestFailure("Python sees status \(report.responseStatus)")
        }
        guard report.signatureValid == true else {
            throw TestFailure("Python cryptography rejects the signature: \(report)")
        }
        if report.signer == "delegate", report.delegateValid != true {
            throw TestFailure("Python cryptography rejects the delegated responder: \(report)")
        }
        return report
    }
}

/// What `scripts/peer-verify.py` prints for one response (its `describe`): Python cryptography's reading,
/// with its own names (`GOOD`, `key_compromise`, ISO 8601 times). Only `responseStatus` is there for an
/// unsuccessful response; the rest is nil or empty then.
package struct PeerReport: Decodable, Sendable {
    /// One SingleResponse (its `describe_single`).
    package struct Single: Decodable, Sendable, Equatable {
        package var serialHex: String
        /// `GOOD`, `REVOKED` or `UNKNOWN`.
        package var certStatus: String
        package var revocationTime: String?
        /// cryptography's `ReasonFlags` name: `key_compromise`, `certificate_hold`, …
        package var revocationReason: String?
        package var thisUpdate: String?
        package var nextUpdate: String?
        /// `sha1`, `sha256`, …; nil when cryptography does not know the algorithm.
        package var hashAlgorithm: String?
        package var issuerNameHashHex: String
        package var issuerKeyHashHex: String
        /// Whether the CertID's hashes are the `--issuer`'s; nil without one.
        package var issuerHashesMatch: Bool?
    }

    package struct Extension: Decodable, Sendable, Equatable {
        package var oid: String
        package var critical: Bool
        package var valueHex: String?
    }

    /// `SUCCESSFUL`, `MALFORMED_REQUEST`, `TRY_LATER`, …
    package var responseStatus: String
    /// `issuer` or `delegate`.
    package var signer: String?
    package var signatureValid: Bool?
    package var signatureError: String?
    package var delegateValid: Bool?
    package var delegateIssuedByIssuer: Bool?
    package var delegateHasOcspSigning: Bool?
    package var responderKeyHash: String?
    package var responderName: String?
    package var responderIdMatchesSigner: Bool?
    package var producedAt: String?
    package var signatureAlgorithmOid: String?
    package var certificatesCount: Int?
    package var extensions: [Extension]
    package var nonceHex: String?
    package var responses: [Single]
    /// What cryptography could not read.
    package var errors: [String]

    private enum CodingKeys: String, CodingKey {
        case responseStatus, signer, signatureValid, signatureError, delegateValid, delegateIssuedByIssuer
        case delegateHasOcspSigning, responderKeyHash, responderName, responderIdMatchesSigner, producedAt
        case signatureAlgorithmOid, certificatesCount, extensions, nonceHex, responses, errors
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        responseStatus = try container.decode(String.self, forKey: .responseStatus)
        signer = try container.decodeIfPresent(String.self, forKey: .signer)
        signatureValid = try container.decodeIfPresent(Bool.self, forKey: .signatureValid)
        signatureError = try container.decodeIfPresent(String.self, forKey: .signatureError)
        delegateValid = try container.decodeIfPresent(Bool.self, forKey: .delegateValid)
        delegateIssuedByIssuer = try container.decodeIfPresent(Bool.self, forKey: .delegateIssuedByIssuer)
        delegateHasOcspSigning = try container.decodeIfPresent(Bool.self, forKey: .delegateHasOcspSigning)
        responderKeyHash = try container.decodeIfPresent(String.self, forKey: .responderKeyHash)
        responderName = try container.decodeIfPresent(String.self, forKey: .responderName)
        responderIdMatchesSigner = try container.decodeIfPresent(Bool.self, forKey: .responderIdMatchesSigner)
        producedAt = try container.decodeIfPresent(String.self, forKey: .producedAt)
        signatureAlgorithmOid = try container.decodeIfPresent(String.self, forKey: .signatureAlgorithmOid)
        certificatesCount = try container.decodeIfPresent(Int.self, forKey: .certificatesCount)
        extensions = try container.decodeIfPresent([Extension].self, forKey: .extensions) ?? []
        nonceHex = try container.decodeIfPresent(String.self, forKey: .nonceHex)
        responses = try container.decodeIfPresent([Single].self, forKey: .responses) ?? []
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
    }

    /// peer-verify.py's snake_case keys, as Swift names them.
    package static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// One report from peer-verify.py's output.
    package static func decode(_ json: Data) throws -> PeerReport {
        try decoder.decode(PeerReport.self, from: json)
    }
}
