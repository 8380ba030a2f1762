import OCSPCore
import OCSPWire

/// What the cryptography a lint needs does, given by the caller (the lint itself has no C): the
/// command passes OpenSSL's, the test suite passes none and the signature rules are skipped.
package protocol LintVerifier: Sendable {
    /// True when `signature` over `message` verifies with the key of `subjectPublicKeyInfoDER`.
    func verifies(signature: [UInt8], message: [UInt8], algorithm: AlgorithmIdentifier, subjectPublicKeyInfoDER: [UInt8]) -> Bool
    /// True when `issuer` issued `certificate` (names fit and its key verifies the signature).
    func isIssued(_ certificate: Certificate, by issuer: Certificate) -> Bool
    /// For CertID hashes and the byKey ResponderID.
    var digester: any Digester { get }
}

/// What a response is linted against, besides its own bytes.
package struct LintContext: Sendable {
    package var profile: LintProfile
    /// The time to judge thisUpdate, nextUpdate and the signer's validity by; nil skips the rules that need a clock.
    package var now: UnixTime?
    /// The request the response answers (`--request`): its CertIDs and nonce must be echoed.
    package var request: OCSPRequest?
    /// The CA the response is about (`--issuer`).
    package var issuer: Certificate?
    package var verifier: (any LintVerifier)?

    package init(profile: LintProfile = .rfc6960, now: UnixTime? = nil, request: OCSPRequest? = nil,
                 issuer: Certificate? = nil, verifier: (any LintVerifier)? = nil) {
        self.profile = profile
        self.now = now
        self.request = request
        self.issuer = issuer
        self.verifier = verifier
    }
}
