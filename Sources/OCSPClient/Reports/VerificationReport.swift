import OCSPWire
/// What `inspect --issuer` found when it checked a response against the issuer it was given.
///
/// Filled by OCSPService (the signature needs OpenSSL); kept here, plain data, so that the text and JSON
/// reports stay pure. An optional check is nil when it did not apply (a request has no signature).
package struct VerificationReport: Sendable {
    package enum Signer: Hashable, Sendable {
        /// The issuer's own key signed.
        case issuer
        /// A certificate in the response's `certs` signed; its subject.
        case delegate(subject: String)
    }

    /// The issuer's subject, RFC 4514 style.
    package var issuerSubject: String
    package var signer: Signer?
    package var signatureValid: Bool?
    package var delegateAuthorized: Bool?
    package var responderIDMatches: Bool?
    package var certIDsMatchIssuer: Bool
    package var timesValid: Bool?
    package var checkedAt: UnixTime
    /// One sentence per failed check; empty when everything holds.
    package var problems: [String]

    package init(
        issuerSubject: String, signer: Signer? = nil, signatureValid: Bool? = nil, delegateAuthorized: Bool? = nil,
        responderIDMatches: Bool? = nil, certIDsMatchIssuer: Bool, timesValid: Bool? = nil,
        checkedAt: UnixTime, problems: [String]
    ) {
        self.issuerSubject = issuerSubject
        self.signer = signer
        self.signatureValid = signatureValid
        self.delegateAuthorized = delegateAuthorized
        self.responderIDMatches = responderIDMatches
        self.certIDsMatchIssuer = certIDsMatchIssuer
        self.timesValid = timesValid
        self.checkedAt = checkedAt
        self.problems = problems
    }

    package var verified: Bool { problems.isEmpty }

    /// The verdict in one line, as `inspect` ends its text report.
    package var verdictLine: String {
        guard verified else { return "Verification: FAILED: \(problems.joined(separator: "; "))" }
        switch signer {
        case .issuer?: return "Verification: verified, signed by the issuer \(issuerSubject)"
        case .delegate(let subject)?: return "Verification: verified, signed by the delegated responder \(subject) for \(issuerSubject)"
        case nil: return "Verification: verified, every CertID names the issuer \(issuerSubject)"
        }
    }
}
