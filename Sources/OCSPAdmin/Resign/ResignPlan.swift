import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire

/// What `resign` does for one CertID of one row: the decision is pure, so it is tested without files.
package enum ResignDecision: Hashable, Sendable {
    /// Sign a new response: the reason, for the debug log.
    case sign(String)
    /// The kept response is sound, matches the table and is not due; its nextUpdate, for the export index.
    case keep(nextUpdate: UnixTime)
}

package enum ResignPlan {
    /// Whether the response kept for `certID` (its bytes, if any) may stay: it must be a sound response of
    /// ours for exactly this CertID, say what the table says, and have a nextUpdate later than
    /// `now + dueWithin`. `all` signs everything regardless.
    package static func decide(
        kept bytes: [UInt8]?, certID: CertID, status: CertStatus, signerKeyHash: [UInt8],
        at now: UnixTime, dueWithin: Int64, all: Bool
    ) -> ResignDecision {
        if all { return .sign("--all") }
        guard let bytes else { return .sign("missing") }
        guard let stored = try? StoredResponse(der: bytes), let single = stored.onlySingle(for: certID), !stored.hasNonce,
              stored.responderKeyHash.map({ $0.elementsEqual(signerKeyHash) }) == true
        else { return .sign("not a sound response for this CertID") }
        guard single.certStatus == status else { return .sign("status changed (\(single.certStatus.name) -> \(status.name))") }
        guard let next = single.nextUpdate, now + dueWithin < UnixTime(next) else { return .sign("due") }
        guard !(now < UnixTime(single.thisUpdate)) else { return .sign("thisUpdate in the future") }
        return .keep(nextUpdate: UnixTime(next))
    }
}
