import OCSPCore
import OCSPRuntime
import OCSPStoreMariaDB
import OCSPWire
import NIOHTTP1
import Prometheus

/// What `serve` counts for `GET /metrics`, in the Prometheus text exposition format (version 0.0.4).
///
/// Counted per request, on the event loop that writes the answer: `ocsp_responses_total{status, cache}`,
/// `ocsp_request_duration_seconds` and `ocsp_http_requests_total{method, code}`. On swift-prometheus's
/// registry, with every series made once here and held as a handle: a counter is then one relaxed atomic
/// add and the histogram one uncontended lock. Looking a series up by its labels on each request (as
/// swift-metrics' `Counter(label:dimensions:)` does, through the registry's lock and a dictionary of
/// label strings) cost several times that (README, "Metrics").
///
/// Read at each scrape, not counted: the signers' and CA status files' expiry, the database hosts, the
/// memory caches' sizes (`exposition`). Those series are made in a registry of their own for each
/// scrape, so a CA or host that is gone is gone from the next scrape too.
package final class ServeMetrics: Sendable {
    /// The `status` label of a successful answer: its certificates' worst status (revoked, else unknown,
    /// else good); of a refusal, the OCSP response status.
    static let answerStatuses = ["good", "revoked", "unknown"]
    static let refusalStatuses: [OCSPResponseStatus] = [.malformedRequest, .internalError, .tryLater, .sigRequired, .unauthorized]
    /// The `cache` label of a successful answer (`CacheUse`); a refusal's is `none`.
    static let cacheUses: [CacheUse] = [.off, .bypass, .hit, .revalidated, .unrevalidated, .changed, .miss, .memory]
    /// The `method` and `code` labels of `ocsp_http_requests_total`: what `serve` answers (anything else
    /// is `other`: a request NIOHTTP1 could not parse has no method).
    static let methods: [HTTPMethod] = [.GET, .HEAD, .POST]
    static let codes: [UInt] = [200, 304, 400, 404, 405, 408, 413, 415, 503]

    /// Upper bounds, in seconds, from an answer repeated from memory (tens of microseconds) to one that
    /// waited out a database timeout (`connect_timeout`, 5 s by default).
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private let registry = PrometheusCollectorRegistry()
    /// `answerStatuses` × `cacheUses`, then `refusalStatuses`.
    private let responses: [Counter]
    private let duration: DurationHistogram
    /// (`methods` + other) × (`codes` + other).
    private let requests: [Counter]

    package init() {
        let responsesHelp = "OCSP responses sent, by OCSP status (good, revoked, unknown for successful answers) and cache use"
        var responses: [Counter] = []
        for status in Self.answerStatuses {
            for cache in Self.cacheUses {
                responses.append(registry.makeCounter(name: "ocsp_responses_total", labels: [("status", status), ("cache", cache.rawValue)], help: responsesHelp))
            }
        }
        for status in Self.refusalStatuses {
            responses.append(registry.makeCounter(name: "ocsp_responses_total", labels: [("status", "\(status)"), ("cache", "none")], help: responsesHelp))
        }
        self.responses = responses
        duration = registry.makeDurationHistogram(
            name: "ocsp_request_duration_seconds", labels: [], buckets: Self.durationBuckets,
            help: "Seconds from an OCSP request's last byte to its answer being written")
        var requests: [Counter] = []
        for method in Self.methods.map(\.rawValue) + ["other"] {
            for code in Self.codes.map(String.init) + ["other"] {
                requests.append(registry.makeCounter(name: "ocsp_http_requests_total", labels: [("method", method), ("code", code)],
                                                     help: "HTTP requests answered, by method and status code (/metrics and /health too)"))
            }
        }
        self.requests = requests
    }

    /// One OCSP answer (a response or a 304 for one), `elapsed` after its request was read.
    func countAnswer(_ decision: Decision, elapsed: Duration) {
        responses[Self.responseIndex(decision)].increment()
        duration.record(elapsed)
    }

    /// One HTTP answer; `method` nil for a request that did not parse.
    func countRequest(method: HTTPMethod?, status: HTTPResponseStatus) {
        let row = method.flatMap { method in Self.methods.firstIndex(of: method) } ?? Self.methods.count
        let column = Self.codes.firstIndex(of: status.code) ?? Self.codes.count
        requests[row * (Self.codes.count + 1) + column].increment()
    }

    static func responseIndex(_ decision: Decision) -> Int {
        guard decision.status == .successful else {
            // A status the responder never sends would be counted as its own failure.
            return answerStatuses.count * cacheUses.count + (refusalStatuses.firstIndex(of: decision.status) ?? 1)
        }
        var status = 0
        for answer in decision.answers {
            switch answer.status {
            case .good: break
            case .revoked: status = 1
            case .unknown: if status == 0 { status = 2 }
            }
        }
        let cache = switch decision.cache {
        case .off: 0
        case .bypass: 1
        case .hit: 2
        case .revalidated: 3
        case .unrevalidated: 4
        case .changed: 5
        case .miss: 6
        case .memory: 7
        }
        return status * cacheUses.count + cache
    }

    /// What is read at each scrape, besides the counters.
    struct Snapshot {
        struct CA {
            var name: String
            /// The signing period's end: the signer's notAfter, or its issuer's when that comes first.
            var signerNotAfter: UnixTime
            /// The earliest nextUpdate of the CA status files; `.epoch` when one cannot be used (so that an
            /// alert on its coming expiry fires), nil without `ocspresponse` or when no file has a nextUpdate.
            var statusNextUpdate: UnixTime?
        }
        var authorities: [CA] = []
        /// Each configured database place and whether it is usable.
        var databases: [(host: String, up: Bool)] = []
        /// Entries of each memory cache: `responses` (`MemoryFrontedCache`), `answers` (`RecentAnswers`).
        var cacheEntries: [(cache: String, count: Int)] = []
    }

    /// The exposition: the counters, then the snapshot's gauges.
    func exposition(_ snapshot: Snapshot) -> [UInt8] {
        var text: [UInt8] = []
        registry.emit(into: &text)
        let gauges = PrometheusCollectorRegistry()
        for ca in snapshot.authorities {
            gauges.makeGauge(name: "ocsp_signer_expiry_timestamp_seconds", labels: [("ca", ca.name)],
                             help: "When the CA's signing certificate (or the issuer above a delegated one) expires, Unix seconds")
                .set(to: Double(ca.signerNotAfter.seconds))
        }
        for ca in snapshot.authorities {
            guard let nextUpdate = ca.statusNextUpdate else { continue }
            gauges.makeGauge(name: "ocsp_ca_status_next_update_timestamp_seconds", labels: [("ca", ca.name)],
                             help: "The earliest nextUpdate of the CA certificate's own pre-signed responses (ocspresponse), Unix seconds; 0 when one cannot be used")
                .set(to: Double(nextUpdate.seconds))
        }
        for database in snapshot.databases {
            gauges.makeGauge(name: "ocsp_database_up", labels: [("host", database.host)],
                             help: "1 while the database host is usable, 0 while it is left for failback (MariaDB) or cannot be opened (SQLite)")
                .set(to: database.up ? 1 : 0)
        }
        for cache in snapshot.cacheEntries {
            gauges.makeGauge(name: "ocsp_cache_entries", labels: [("cache", cache.cache)],
                             help: "Entries held in memory: responses in front of the file cache, answers the event loops repeat")
                .set(to: Double(cache.count))
        }
        gauges.emit(into: &text)
        return text
    }
}
