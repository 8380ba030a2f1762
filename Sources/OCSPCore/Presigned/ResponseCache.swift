import OCSPWire
/// Where signed responses to single-CertID requests without a nonce are kept between runs, so that a
/// repeated question costs neither a database query nor a signature.
///
/// The cache only stores and returns bytes and the time they were last checked against the status table;
/// `OCSPResponder` parses and checks every stored response before serving it (its CertID, its times, its
/// signer), so a corrupt, stale or foreign entry is a miss, and it decides when a kept response must be
/// checked against the table again (`Revalidation`).
package protocol ResponseCache {
    /// The bytes kept for `certID`, unchecked, with their check mark; nil when there are none or they
    /// cannot be read.
    func storedResponse(for certID: CertID) -> KeptResponse?
    /// Keeps `der`, the signed response for `certID`, replacing what was there, as checked against the
    /// table at `checkedAt`. A failure is the cache's to report: answering goes on without it.
    func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime)
    /// Records that the table still said what the kept response for `certID` says at `checkedAt`.
    func renew(_ certID: CertID, checkedAt: UnixTime)
    /// Drops the kept response for `certID`: its serial is no longer in the table.
    func discard(_ certID: CertID)
}

/// A response read from a `ResponseCache`, with the time it was last checked against the table.
package struct KeptResponse: Sendable, Hashable {
    package var der: [UInt8]
    /// When the status it carries was last read from the table (or a moment before: never later).
    package var checkedAt: UnixTime

    package init(der: [UInt8], checkedAt: UnixTime) {
        self.der = der
        self.checkedAt = checkedAt
    }
}

/// How long a kept response is served without asking the table (`[ocsp] revalidate`).
package struct Revalidation: Sendable, Hashable {
    /// Seconds after its last check that a kept response is served as it is; 0: every request asks the table.
    package var interval: Int64

    /// The default: a revocation made by any means reaches every host within a minute.
    package static let defaultInterval: Int64 = 60

    package init(interval: Int64 = Revalidation.defaultInterval) {
        self.interval = max(0, interval)
    }

    /// True while a response checked at `checkedAt` may be served at `now` without asking the table. A
    /// check time in the future (a clock set back, a file touched by hand) is not trusted.
    package func isCurrent(checkedAt: UnixTime, at now: UnixTime) -> Bool {
        checkedAt <= now && now.seconds - checkedAt.seconds < interval
    }

    /// When a response checked at `checkedAt` must be checked again, for memory that keeps it with a
    /// finer clock than whole seconds.
    package func deadline(checkedAt: UnixTime) -> UnixTime {
        checkedAt + interval
    }
}

/// Whether a request was answered from the cache, for the log line.
package enum CacheUse: String, Hashable, Sendable {
    /// No cache is configured.
    case off
    /// A nonce, several CertIDs, or another CA's CertID: the answer is signed fresh and not kept.
    case bypass
    /// The kept response, checked against the table less than `revalidate` seconds ago.
    case hit
    /// The kept response, after the table confirmed its status just now.
    case revalidated
    /// The kept response, although the table could not be asked (down, timed out): served within its
    /// validity rather than refused, and said so in the log.
    case unrevalidated
    /// The table's status had changed since the kept response was signed: a fresh one replaces it.
    case changed
    /// Nothing usable was kept: signed fresh and kept.
    case miss
    /// `serve`'s event loop repeated an answer the file cache gave a moment ago (`RecentAnswers`), without
    /// a worker; never the responder's own decision.
    case memory
}
