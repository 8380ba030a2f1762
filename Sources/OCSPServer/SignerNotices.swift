import Logging
import NIOConcurrencyHelpers

/// What `serve` must tell the operator about a signer (outside its period: `tryLater`; nextUpdate capped
/// at its end), from any worker, at most once a minute for each sentence: the access log has it on
/// every request, the operator's log needs it without being flooded by it.
package final class SignerNotices: Sendable {
    /// Seconds between two log lines with the same sentence.
    static let interval: Int64 = 60

    private let logger: Logger
    /// When each sentence was last logged. The sentences are few (two per CA at most, their times fixed by
    /// the certificates), so the table stays small.
    private let lastLogged = NIOLockedValueBox<[String: Int64]>([:])

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Logs `notice` unless the same sentence was logged less than a minute before `now`.
    func note(_ notice: String, refused: Bool, at now: Int64) {
        let due = lastLogged.withLockedValue { logged in
            if let last = logged[notice], now - last < Self.interval, now >= last { return false }
            logged[notice] = now
            return true
        }
        guard due else { return }
        if refused {
            logger.error("\(notice); answered tryLater (said at most once a minute)")
        } else {
            logger.warning("\(notice) (said at most once a minute)")
        }
    }
}
