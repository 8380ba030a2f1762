import OCSPWire

/// Answers the file cache gave to requests without a nonce, kept so that the event loop can send them
/// again at once: no hop to a worker thread, no parse of the request or of the response, no `stat` of
/// the cache file, no SHA-256 for the ETag. A hit is one dictionary look-up keyed by the request's DER
/// (the same bytes always make the same decision; only the cache file, the table and the clock can
/// change it).
///
/// An entry is trusted for `revalidationInterval` after a worker last answered that request from the
/// file cache, and never past the moment its response must be checked against the table again
/// (`[ocsp] revalidate` after its last check). After it, the next request takes the whole path again
/// (the cache file's identity and check mark, the response's CertID, signer and dates, the table when
/// the mark is old), which refreshes the entry; a request whose answer is no longer a cache hit removes
/// it. So `db revoke`, which removes the cache file, reaches the clients of a running `serve` within
/// that interval (1 s) rather than on the next request, and a change made elsewhere within
/// `revalidate`, as for `respond`. Never kept: a response signed just now (it is kept on its first hit),
/// one served unrevalidated, a nonce answer, an answer about a serial not in the table (the CA may add
/// it at any moment), an error status.
package final class RecentAnswers: Sendable {
    struct Entry: Sendable {
        var body: [UInt8]
        var caching: ResponseCaching
        /// The worker's decision, as the event loop repeats it (`cache=memory`).
        var decision: LoggedDecision
        /// When a worker must answer the request again.
        var expiresAt: ContinuousClock.Instant
    }

    static let defaultRevalidationInterval: Duration = .seconds(1)
    /// How long an entry is served without a worker looking at the file cache again.
    let revalidationInterval: Duration
    /// Keyed by the request's DER; a request whose entry was evicted only takes the whole path once.
    private let entries: BoundedTable<[UInt8], Entry>

    package init(capacity: Int, revalidationInterval: Duration = RecentAnswers.defaultRevalidationInterval) {
        self.entries = BoundedTable(capacity: capacity)
        self.revalidationInterval = revalidationInterval
    }

    /// The kept answer to `requestDER`, while it is confirmed recently enough and within its validity.
    func entry(for requestDER: [UInt8], monotonicNow: ContinuousClock.Instant, now: UnixTime) -> Entry? {
        guard let entry = entries[requestDER] else { return nil }
        guard monotonicNow < entry.expiresAt, entry.caching.thisUpdate <= now, now < entry.caching.nextUpdate else { return nil }
        return entry
    }

    /// Keeps an answer a worker just gave from the file cache at `monotonicNow`, for at most
    /// `revalidationInterval` and never longer than `untilRevalidation` (the time left before
    /// its response must be checked against the table); forgets it when that is none.
    func keep(body: [UInt8], caching: ResponseCaching, decision: LoggedDecision, for requestDER: [UInt8], monotonicNow: ContinuousClock.Instant, untilRevalidation: Duration) {
        let lifetime = min(revalidationInterval, untilRevalidation)
        guard lifetime > .zero else {
            entries.remove(requestDER)
            return
        }
        entries.insert(Entry(body: body, caching: caching, decision: decision, expiresAt: monotonicNow + lifetime), for: requestDER)
    }

    func forget(_ requestDER: [UInt8]) {
        entries.remove(requestDER)
    }

    var count: Int { entries.count }
}
