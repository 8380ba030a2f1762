import OCSPWire

/// thisUpdate, nextUpdate and producedAt: RFC 6960 §4.2.2.1, and what clients and policies require of
/// the validity interval (RFC 9919, Windows, Mozilla, CA/B Forum BR §4.9.10).
extension LintRun {
    static let hour: Int64 = 3600
    static let day: Int64 = 86400

    mutating func lintTimes(_ data: LintedData) {
        let skew = context.profile == .java ? ResponseLinter.javaClockSkew : ResponseLinter.clockSkew
        for single in data.singles {
            let thisAt = location(single.thisUpdateNode, single.path + ".thisUpdate")
            let nextAt = single.nextUpdateNode.map { location($0, single.path + ".nextUpdate") }
            guard let thisUpdate = single.thisUpdate else { continue }
            if let producedAt = data.producedAt, producedAt < thisUpdate {
                add(.notice, "produced-before-this-update", "RFC 6960 §4.2.1",
                    "producedAt \(producedAt) is before thisUpdate \(thisUpdate)", at: thisAt)
            }
            if let now = context.now, thisUpdate > now + skew {
                add(.error, "this-update-future", "RFC 6960 §4.2.2.1",
                    "thisUpdate \(thisUpdate) is in the future (now \(now), \(skew) s of skew allowed)", at: thisAt)
            }
            guard let nextUpdate = single.nextUpdate else {
                add(.notice, "next-update-missing", "RFC 6960 §4.2.1", "no nextUpdate: newer information is always available", at: thisAt)
                add(.error, "rfc9919-next-update", "RFC 9919 §2.2.4", "no nextUpdate: the lightweight profile requires it", at: thisAt, group: .rfc9919)
                add(.error, "windows-next-update", "Windows CryptoAPI", "no nextUpdate: CryptoAPI takes the response as expired", at: thisAt, group: .windows)
                add(.error, "mozilla-next-update", "Mozilla root store policy", "no nextUpdate: the policy requires one", at: thisAt, group: .mozilla)
                add(.error, "cabf-next-update", "CA/B Forum BR §4.9.10", "no nextUpdate: the validity interval is undefined", at: thisAt, group: .cabf)
                continue
            }
            if nextUpdate < thisUpdate {
                add(.error, "next-update-before-this-update", "RFC 6960 §4.2.1",
                    "nextUpdate \(nextUpdate) is before thisUpdate \(thisUpdate)", at: nextAt)
            }
            if let now = context.now, nextUpdate.seconds < now.seconds - skew {
                add(.error, "next-update-past", "RFC 6960 §4.2.2.1",
                    "nextUpdate \(nextUpdate) has passed (now \(now), \(skew) s of skew allowed)", at: nextAt)
            }
            let interval = nextUpdate.seconds - thisUpdate.seconds
            if interval > 10 * Self.day {
                add(.error, "mozilla-validity", "Mozilla root store policy",
                    "nextUpdate is \(Self.duration(interval)) after thisUpdate: at most 10 days for an end-entity certificate", at: nextAt, group: .mozilla)
            }
            // BR §4.9.10: the validity interval is nextUpdate − thisUpdate, inclusive of both seconds.
            let validity = interval + 1
            if validity < 8 * Self.hour {
                add(.error, "cabf-validity-min", "CA/B Forum BR §4.9.10",
                    "validity interval \(Self.duration(validity)): at least 8 hours", at: nextAt, group: .cabf)
            }
            if validity > 10 * Self.day {
                add(.error, "cabf-validity-max", "CA/B Forum BR §4.9.10",
                    "validity interval \(Self.duration(validity)): at most 10 days", at: nextAt, group: .cabf)
            }
            // Refreshed at least 8 hours before nextUpdate (halfway through, for intervals under 16 hours).
            let refreshBy = validity < 16 * Self.hour ? thisUpdate + validity / 2 : nextUpdate + (-8 * Self.hour)
            if let now = context.now, now > refreshBy, nextUpdate.seconds >= now.seconds - skew {
                add(.warning, "cabf-refresh", "CA/B Forum BR §4.9.10",
                    "still served at \(now), after \(refreshBy), when a fresh response was due (8 hours before nextUpdate, or halfway for intervals under 16 hours)",
                    at: nextAt, group: .cabf)
            }
        }
    }

    static func duration(_ seconds: Int64) -> String {
        seconds % day == 0 ? "\(seconds / day) days" : seconds % hour == 0 ? "\(seconds / hour) hours" : "\(seconds) s"
    }
}
