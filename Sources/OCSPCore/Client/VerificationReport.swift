/// What `inspect --issuer` found when it checked a response against the issuer it was given.
///
/// Filled by OCSPService (the signature needs OpenSSL); kept here, plain data, so that the text and JSON
/// reports stay pure. An optional check is nil when it did not apply (a request has no signature).
public struct VerificationReport: Sendable {
    public enum Signer: Hashable, Sendable {
        /// The issuer's own key signed.
        case issuer
        /// A certificate in the response's `certs` signed; its subject.
        case delegate(subject: String)
    }

    /// The issuer's subject, RFC 4514 style.
    public var issuerSubject: String
    public var signer: Signer?
    public var signatureValid: Bool?
    public var delegateAuthorized: Bool?
    public var responderIDMatches: Bool?
    public var certIDsMatchIssuer: Bool
    public var timesValid: Bool?
    public var checkedAt: UnixTime
    /// One sentence per failed check; empty when everything holds.
    public var problems: [String]

    public init(
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

    public var verified: Bool { problems.isEmpty }

    /// The verdict in one line, as `inspect` ends its text report.
    public var verdictLine: String {
        guard verified else { return "Verification: FAILED: \(problems.joined(separator: "; "))" }
        switch signer {
        case .issuer?: return "Verification: verified, signed by the issuer \(issuerSubject)"
        case .delegate(let subject)?: return "Verification: verified, signed by the delegated responder \(subject) for \(issuerSubject)"
        case nil: return "Verification: verified, every CertID names the issuer \(issuerSubject)"
        }
    }
}
