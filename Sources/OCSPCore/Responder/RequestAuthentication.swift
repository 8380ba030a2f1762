import OCSPWire

/// What a signed request's signature says of its requestor (RFC 6960 §4.1.2): checked by a
/// `RequestSignatureVerifier` (OCSPCrypto's, over libcrypto), judged by `RequestAuthentication`.
package enum RequestSignatureCheck: Hashable, Sendable {
    /// No optionalSignature.
    case unsigned
    /// The signature verifies, and the certificate that verifies it is a trusted requestor or was issued
    /// by one, and is valid now.
    case trusted(requestor: String)
    /// The signature verifies, but with a certificate that is not trusted (or not valid now): why.
    case untrusted(requestor: String, reason: String)
    /// The signature does not verify, or cannot be checked: why.
    case invalid(reason: String)
}

/// Checks a signed request's signature over its tbsRequest DER.
package protocol RequestSignatureVerifier: Sendable {
    func check(_ request: OCSPRequest, at now: UnixTime) -> RequestSignatureCheck
}

/// `[ocsp] require_signed_requests` and the verifier of `trusted_requestors`: whether a request must be
/// signed by a trusted requestor, and the check every signed request gets whatever the setting.
package struct RequestAuthentication: Sendable {
    package var required: Bool
    /// nil: signatures are not checked (only the in-process tests and fuzzers build a responder so).
    package var verifier: (any RequestSignatureVerifier)?

    package init(required: Bool = false, verifier: (any RequestSignatureVerifier)? = nil) {
        self.required = required
        self.verifier = verifier
    }

    /// What becomes of `request`: refused with a status and why, or answered, with what the log line
    /// says of its signature (nil for an unsigned request).
    package func judge(_ request: OCSPRequest, at now: UnixTime) -> (refusal: (OCSPResponseStatus, String)?, note: String?) {
        guard let verifier else {
            return (required ? (.internalError, "signed requests are required but no verifier is configured") : nil, nil)
        }
        switch verifier.check(request, at: now) {
        case .unsigned:
            return (required ? (.sigRequired, "the request is not signed ([ocsp] require_signed_requests = yes)") : nil, nil)
        case .trusted(let requestor):
            return (nil, "signed by trusted requestor \(requestor)")
        case .untrusted(let requestor, let reason):
            let note = "signed by \(requestor), not a trusted requestor: \(reason)"
            return (required ? (.unauthorized, note) : nil, note)
        case .invalid(let reason):
            let note = "bad request signature: \(reason)"
            return (required ? (.unauthorized, note) : nil, note)
        }
    }
}
