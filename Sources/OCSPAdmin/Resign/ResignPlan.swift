import OCSPCore
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
        guard let stored = try? StoredResponse(der: bytes) else { return .sign("not a sound response for this CertID") }
        // Not due: it must hold past `now + dueWithin`, not only now.
        let singles: [SingleResponse]
        let staleness: SoundnessCheck.Staleness?
        switch SoundnessCheck.keptAnswer(for: certID, signerKeyHash: signerKeyHash).verdict(on: stored, at: now, until: now + dueWithin) {
        case .unsound: return .sign("not a sound response for this CertID")
        case .sound(let answers): (singles, staleness) = (answers, nil)
        case .stale(let answers, let why): (singles, staleness) = (answers, why)
        }
        guard let single = singles.first else { return .sign("not a sound response for this CertID") }
        guard single.certStatus == status else { return .sign("status changed (\(single.certStatus.name) -> \(status.name))") }
        switch staleness {
        case .noNextUpdate?, .expires?: return .sign("due")
        case .notYetValid?: return .sign("thisUpdate in the future")
        case nil:
            // Sound, so it has one.
            guard let next = single.nextUpdate else { return .sign("due") }
            return .keep(nextUpdate: UnixTime(next))
        }
    }
}
