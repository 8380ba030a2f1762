import OCSPCore

/// Answers the file cache gave to requests without a nonce, kept so that the event loop can send them
/// again at once: no hop to a worker thread, no parse of the request or of the response, no `stat` of
/// the cache file, no SHA-256 for the ETag. A hit is one dictionary look-up keyed by the request's DER
/// (the same bytes always make the same decision; only the cache file and the clock can change it).
///
/// An entry is trusted for `revalidationInterval` after a worker last answered that request from the
/// file cache. After it, the next request for it takes the whole path again (the cache file's identity,
/// the response's CertID, signer and dates), which refreshes the entry; a request whose answer is no
/// longer a cache hit removes it. So `db revoke`, which removes the cache file, reaches the clients of a
/// running `serve` within that interval (1 s) rather than on the next request. Never kept: a response
/// signed just now (it is kept on its first hit), a nonce answer, an answer about a serial not in the
/// table (the CA may add it at any moment), an error status.
package final class RecentAnswers: Sendable {
    struct Entry: Sendable {
        var body: [UInt8]
        var caching: ResponseCaching
        /// The access log's `certs=…` part.
        var certs: String
        /// Monotonic nanoseconds at which a worker last answered the request from the file cache.
        var confirmedAt: Int64
    }

    static let defaultRevalidationInterval: Int64 = 1_000_000_000
    /// Nanoseconds an entry is served without a worker looking at the file cache again.
    let revalidationInterval: Int64
    /// Keyed by the request's DER; a request whose entry was evicted only takes the whole path once.
    private let entries: BoundedTable<[UInt8], Entry>

    package init(capacity: Int, revalidationInterval: Int64 = RecentAnswers.defaultRevalidationInterval) {
        self.entries = BoundedTable(capacity: capacity)
        self.revalidationInterval = revalidationInterval
    }

    /// The kept answer to `requestDER`, while it is confirmed recently enough and within its validity.
    func entry(for requestDER: [UInt8], monotonicNow: Int64, now: UnixTime) -> Entry? {
        guard let entry = entries[requestDER] else { return nil }
        guard monotonicNow - entry.confirmedAt < revalidationInterval,
              entry.caching.thisUpdate <= now, now < entry.caching.nextUpdate else { return nil }
        return entry
    }

    func keep(_ entry: Entry, for requestDER: [UInt8]) {
        entries.insert(entry, for: requestDER)
    }

    func forget(_ requestDER: [UInt8]) {
        entries.remove(requestDER)
    }

    var count: Int { entries.count }
}
