import OCSPCore
import OCSPCrypto
import OCSPLint
import OCSPWire

/// The OpenSSL side of `inspect --lint` and `check --lint`: what the pure `ResponseLinter` asks of
/// cryptography (signatures, issuance, SHA-1 for byKey and the CertID hashes).
package struct OpenSSLLintVerifier: LintVerifier {
    package init() {}

    package func verifies(signature: [UInt8], message: [UInt8], algorithm: AlgorithmIdentifier, subjectPublicKeyInfoDER: [UInt8]) -> Bool {
        // SHA-1 too: a response signed so is still linted (and told `signature-sha1`), not called forged.
        guard let key = try? PublicKey(subjectPublicKeyInfoDER: subjectPublicKeyInfoDER) else { return false }
        return (try? SignatureVerifier.verify(signature: signature, message: message, algorithm: algorithm, key: key, legacyDigests: true)) == true
    }

    package func isIssued(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        certificate.isIssued(by: issuer)
    }

    package var digester: any Digester { OpenSSLDigester() }
}

extension ResponseLinter {
    /// The lint with OpenSSL's verifier, as the commands run it.
    package static func lint(_ der: [UInt8], profile: LintProfile, request: OCSPRequest?, issuer: Certificate?, at now: UnixTime) -> LintReport {
        lint(der, context: LintContext(profile: profile, now: now, request: request, issuer: issuer, verifier: OpenSSLLintVerifier()))
    }

    /// `--json`: the report as the other JSON reports are printed.
    package static func json(_ report: LintReport) -> JSONValue {
        .object([
            ("profile", .string(report.profile)),
            ("checked_at", JSONValue.string(report.checkedAt)),
            ("errors", .int(report.errors)),
            ("warnings", .int(report.warnings)),
            ("notices", .int(report.notices)),
            ("findings", .array(report.findings.map { finding in
                .object([
                    ("level", .string(finding.level.rawValue)),
                    ("rule", .string(finding.rule)),
                    ("source", .string(finding.source)),
                    ("message", .string(finding.message)),
                    ("location", finding.location.map { location in
                        .object([("offset", .int(location.offset)), ("length", .int(location.length)),
                                 ("element", .string(location.element))])
                    } ?? .null),
                ])
            })),
        ])
    }
}
