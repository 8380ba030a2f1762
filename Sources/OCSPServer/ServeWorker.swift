import NIOHTTP1
import OCSPCore
import OCSPCrypto
import OCSPService

/// One worker thread's responder: the authorities loaded once at start-up, shared, each with status
/// stores of this worker's own (the stores are not thread-safe: one connection each), and a file cache
/// of its own behind the shared in-memory one.
///
/// A worker is used by one thread at a time (`WorkerPool` checks it out under a lock), never concurrently.
package final class ServeWorker {
    private let responder: OCSPResponder
    private let connections: [any StoreConnection]
    private let digester = OpenSSLDigester()

    convenience init(authorities: [Authority], config: ResponderConfiguration, cache: (any ResponseCache)?) {
        var ownAuthorities = authorities
        var connections: [any StoreConnection] = []
        for index in ownAuthorities.indices {
            let store = StoreOpener.open(config.database, table: config.authorities[index].table, access: .readOnly)
            ownAuthorities[index].statusSource = store
            if let connection = store as? any StoreConnection { connections.append(connection) }
        }
        self.init(responder: OCSPResponder(authorities: ownAuthorities, cache: cache), connections: connections)
    }

    /// A worker around a responder built elsewhere (the HTTP fuzz target's, with tables in memory);
    /// `connections` are what `close` drops.
    package init(responder: OCSPResponder, connections: [any StoreConnection] = []) {
        self.responder = responder
        self.connections = connections
    }

    /// Answers a DER request, as `respond` would at this moment, with the HTTP headers around it.
    func answer(_ der: [UInt8], ifNoneMatch: String?) -> ServedAnswer {
        let started = RespondRun.monotonicNanoseconds()
        let now = RespondRun.currentTime()
        let outcome = responder.respond(to: der, at: now)
        if outcome.status == .tryLater || outcome.status == .internalError {
            // The connection may be what broke (a restarted server, a dropped socket): the next request
            // on this worker connects afresh.
            close()
        }

        var detail = "ocsp=\(outcome.status)"
        if outcome.status == .successful {
            detail += " cache=\(outcome.cache.rawValue)"
        }
        if !outcome.answers.isEmpty {
            detail += " certs=" + outcome.answers.map { "0x\($0.serial):\($0.status.name):\($0.source.rawValue)" }.joined(separator: ",")
        }
        if let reason = outcome.reason {
            detail += " reason=\"\(reason.replacingQuotes)\""
        }

        var headers: [(String, String)] = []
        var status = HTTPResponseStatus.ok
        var body = outcome.der
        // Caching headers only for signed responses without a nonce; an error status or a nonce answer is
        // for this request alone.
        if outcome.status == .successful, let caching = ResponseCaching.of(outcome.der, digester: digester) {
            headers = caching.headers(at: now)
            if let ifNoneMatch, caching.isMatched(byIfNoneMatch: ifNoneMatch) {
                status = .notModified
                body = []
            }
        } else {
            headers = [("Cache-Control", "no-store")]
        }
        let milliseconds = Double(RespondRun.monotonicNanoseconds() - started) / 1_000_000
        detail += " ms=\((milliseconds * 100).rounded() / 100)"
        return ServedAnswer(
            status: status, contentType: status == .notModified ? nil : "application/ocsp-response",
            headers: headers, body: body, logDetail: detail
        )
    }

    /// Drops every database connection; the next look-up connects again.
    func close() {
        for connection in connections { connection.close() }
    }
}

extension String {
    var replacingQuotes: String { String(map { $0 == "\"" ? "'" : $0 }) }
}
