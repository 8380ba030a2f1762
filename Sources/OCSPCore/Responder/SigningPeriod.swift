import OCSPWire
/// When a signer's answers can be verified: from the latest notBefore to the earliest notAfter of its
/// certificate and of the CA certificate above it (a client checks both, RFC 5280 §6.1.3).
///
/// A response signed outside this period is rejected by every client, and one whose nextUpdate passes
/// its end is trusted by caches past the moment the signer stops being verifiable. So nothing is signed
/// outside it, and every nextUpdate is capped at its end.
package struct SigningPeriod: Hashable, Sendable {
    package var notBefore: UnixTime
    package var notAfter: UnixTime
    /// What ended or starts the period, for messages: "the signing certificate …", "the issuer …".
    package var notBeforeSource: String
    package var notAfterSource: String

    package init(notBefore: UnixTime, notAfter: UnixTime, notBeforeSource: String = "the signing certificate",
                notAfterSource: String = "the signing certificate") {
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.notBeforeSource = notBeforeSource
        self.notAfterSource = notAfterSource
    }

    /// No bound: for signers without a certificate (fuzzing harnesses).
    package static let unbounded = SigningPeriod(notBefore: UnixTime(seconds: .min), notAfter: UnixTime(seconds: .max))

    /// The period of a signer whose certificate is `signer`, issued by `issuer` (nil, or the same
    /// certificate, when the CA signs itself).
    package init(signer: Certificate, issuer: Certificate?) {
        self.init(notBefore: signer.notBefore, notAfter: signer.notAfter)
        guard let issuer, issuer.der != signer.der else { return }
        if notBefore < issuer.notBefore {
            notBefore = issuer.notBefore
            notBeforeSource = "the issuer's certificate"
        }
        if issuer.notAfter < notAfter {
            notAfter = issuer.notAfter
            notAfterSource = "the issuer's certificate"
        }
    }

    /// Why nothing may be signed at `now`, or nil when it may (notBefore ≤ now < notAfter).
    package func problem(at now: UnixTime) -> String? {
        if now < notBefore { return "\(notBeforeSource) is not valid before \(notBefore)" }
        if !(now < notAfter) { return "\(notAfterSource) expired at \(notAfter); install a renewed signing certificate" }
        return nil
    }

    /// nextUpdate for a response signed at `now` valid for `validity` seconds, never past the period's end.
    package func nextUpdate(at now: UnixTime, validity: Int64) -> UnixTime {
        let wanted = now + validity
        return notAfter < wanted ? notAfter : wanted
    }

    /// The log line's sentence when `nextUpdate(at:validity:)` is capped; nil when it is not.
    package func capNotice(at now: UnixTime, validity: Int64) -> String? {
        guard notAfter < now + validity else { return nil }
        return "nextUpdate capped at \(notAfter), when \(notAfterSource) expires, instead of \(now + validity); renew it"
    }
}
