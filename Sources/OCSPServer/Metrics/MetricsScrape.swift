import OCSPRuntime
import OCSPStoreMariaDB
import OCSPWire

/// Which sockets a connection came in on.
package enum ServeListener: Sendable {
    /// `--listen`: OCSP, health, and /metrics unless `--metrics-listen` is set.
    case ocsp
    /// `--metrics-listen`: /metrics and health alone; anything else is 404 (a POST 405).
    case metrics
}

extension ServeMetrics {
    /// True for `GET /metrics` (with any query). Only that exact path: `/ocsp/metrics` and the like are OCSP
    /// GETs as before. "metrics" read as base64 would be 5 bytes, never a DER OCSPRequest (one is dozens
    /// of bytes at least), so no request can be lost to the scrape.
    package static func isScrape(target: String) -> Bool {
        target.utf8.prefix { $0 != UInt8(ascii: "?") }.elementsEqual("/metrics".utf8)
    }
}

extension ServerContext {
    /// The scrape's answer: read on a worker thread (the SQLite file and the `ocspresponse` files are
    /// opened and read), never cached.
    func scrape(at now: UnixTime) -> ServedAnswer {
        // One generation for the whole scrape, so that a reload meanwhile cannot mix two configs.
        let generation = generation
        let health = generation.health
        var snapshot = ServeMetrics.Snapshot()
        for signing in health.signings {
            var nextUpdate: UnixTime?
            for file in signing.statusFiles?.inspect() ?? [] {
                switch file.state {
                case .validUntil(let end): nextUpdate = min(nextUpdate ?? end, end)
                case .unusable: nextUpdate = .epoch
                case .unbounded: break
                }
            }
            snapshot.authorities.append(.init(name: signing.ca, signerNotAfter: signing.signingEnd, statusNextUpdate: nextUpdate))
        }
        switch health.database.backend {
        case .mariadb(let options):
            // As the process's sessions last found each host: a host is not connected to for the scrape.
            snapshot.databases = options.endpoints.map { ($0, !MariaDBHostBoard.shared.isUnusable($0)) }
        case .sqlite(let path):
            snapshot.databases = [(path, health.tables.first.map { health.databaseProblem(table: $0) == nil } ?? true)]
        }
        snapshot.cacheEntries = [("responses", generation.memoryResponseCount()), ("answers", generation.recentAnswers?.count ?? 0)]
        return ServedAnswer(status: .ok, contentType: ServeMetrics.contentType, headers: [("Cache-Control", "no-store")],
                            body: metrics.exposition(snapshot))
    }
}

extension ServeMetrics {
    /// The text exposition format's media type (Prometheus accepts it from any exporter).
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
