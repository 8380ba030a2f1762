import OCSPWire

/// The choice among a CA's delegated signer pairs (`[ocsp] cert` naming a directory or a list): sign with
/// the pair valid now (notBefore ≤ now < notAfter) whose notAfter is latest, so a newer certificate takes
/// over as soon as it starts, and the older one's remaining time is the overlap that lets caches and
/// clients move over. Pure: the periods in, an index out; the loader and `serve` ask it again as time passes.
package struct SignerRotation: Hashable, Sendable {
    /// Every usable pair's signing period, in the order loaded.
    package var periods: [SigningPeriod]
    /// Each usable pair's certificate file, for messages (as `periods`).
    package var certificatePaths: [String]
    /// Every certificate file the directory or list named when it was loaded, usable or not: a rescan
    /// that finds others reloads.
    package var scanned: [String]
    /// The pair signing: `choice(at:)` when loaded.
    package var chosen: Int

    package init(periods: [SigningPeriod], certificatePaths: [String] = [], scanned: [String] = [], chosen: Int = 0) {
        self.periods = periods
        self.certificatePaths = certificatePaths
        self.scanned = scanned
        self.chosen = chosen
    }

    /// The pair to sign with at `now`: among the valid ones, the latest notAfter (then the latest
    /// notBefore, then the first listed). When none is valid: the next to start (earliest notBefore in the
    /// future), else the last to have ended, whose answers are then `tryLater` with its reason. nil: no pair.
    package func choice(at now: UnixTime) -> Int? {
        var best: Int?
        for (index, period) in periods.enumerated() where period.problem(at: now) == nil {
            guard let current = best else { best = index; continue }
            let other = periods[current]
            if (period.notAfter, period.notBefore) > (other.notAfter, other.notBefore) { best = index }
        }
        if let best { return best }
        let future = periods.indices.filter { now < periods[$0].notBefore }
        if let next = future.min(by: { periods[$0].notBefore < periods[$1].notBefore }) { return next }
        return periods.indices.max { periods[$0].notAfter < periods[$1].notAfter }
    }

    /// The first moment after `now` at which `choice(at:)` may change (a pair starts or ends); nil: never.
    package func nextChange(after now: UnixTime) -> UnixTime? {
        periods.flatMap { [$0.notBefore, $0.notAfter] }.filter { now < $0 }.min()
    }

    /// When the last pair ends: what the expiry warnings are about, since until then a valid pair remains.
    package var lastNotAfter: UnixTime? {
        periods.map(\.notAfter).max()
    }

    /// The last pair's end and certificate file; nil: no pair.
    package var lastPair: (notAfter: UnixTime, path: String)? {
        guard let index = periods.indices.max(by: { periods[$0].notAfter < periods[$1].notAfter }) else { return nil }
        return (periods[index].notAfter, index < certificatePaths.count ? certificatePaths[index] : "")
    }
}
