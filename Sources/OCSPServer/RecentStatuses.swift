import OCSPCore
import OCSPWire

/// Statuses one status table gave a moment ago, shared by `serve`'s workers, for requests with a nonce.
///
/// A nonce answer is signed for its request alone, so nothing of it can be kept; without this, every one
/// costs a database round trip besides its signature (the database's CPU and the worker's wait: about a
/// sixth of a nonce answer's cost, `perf` and /proc/PID/stat under `ab`, with MariaDB on the same machine).
/// A status read less than `window` ago is used again instead: the staleness `RecentAnswers` gives the
/// requests without a nonce, so a revocation reaches every client of a running `serve` within 1 s.
///
/// Only nonce requests use it: an answer without a nonce goes to the file cache, where a status a second
/// old must never be written after `db revoke` removed the file it replaces. Serials not in the table are
/// not kept (the CA may add the certificate at any moment), nor failures.
package final class RecentStatuses: Sendable {
    struct Entry: Sendable {
        var status: RecordedStatus
        /// When the table gave it.
        var readAt: ContinuousClock.Instant
    }

    /// The bound `RecentAnswers` gives the answers without a nonce: one staleness for all of `serve`.
    static let defaultWindow = RecentAnswers.defaultRevalidationInterval
    /// How long a status is used again without asking the table.
    let window: Duration
    private let entries: BoundedTable<CertificateSerialNumber, Entry>

    package init(capacity: Int, window: Duration = RecentStatuses.defaultWindow) {
        self.entries = BoundedTable(capacity: capacity)
        self.window = window
    }

    /// `source` with this table's memory in front of it.
    func remembering(_ source: any CertificateStatusSource) -> any CertificateStatusSource {
        Source(table: source, recent: self)
    }

    private struct Source: CertificateStatusSource {
        let table: any CertificateStatusSource
        let recent: RecentStatuses

        func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
            let now = ContinuousClock.now
            if let entry = recent.entries[serial], now - entry.readAt < recent.window {
                return entry.status
            }
            guard let status = try table.status(of: serial) else {
                recent.entries.remove(serial)
                return nil
            }
            recent.entries.insert(Entry(status: status, readAt: now), for: serial)
            return status
        }
    }

    var count: Int { entries.count }
}
