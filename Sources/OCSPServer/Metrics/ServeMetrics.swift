import OCSPCore
import OCSPRuntime
import OCSPStoreMariaDB
import OCSPWire
import NIOHTTP1
import Prometheus
import Synchronization

/// What `serve` counts for `GET /metrics`, in the Prometheus text exposition format (version 0.0.4).
///
/// Counted per request, on the event loop that writes the answer: `ocsp_responses_total{status, cache}`,
/// `ocsp_http_requests_total{method, code}` and `ocsp_request_duration_seconds`. The counters are
/// swift-prometheus's, every series made once here and held as a handle, so that counting is one relaxed
/// atomic add: looking a series up by its labels on each request, as swift-metrics'
/// `Counter(label:dimensions:)` does (the registry's lock, a dictionary of label strings), cost about ten
/// times as much. The histogram is `DurationBuckets`, written here (see there why).
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

    private let registry = PrometheusCollectorRegistry()
    /// `answerStatuses` × `cacheUses`, then `refusalStatuses`.
    private let responses: [Counter]
    private let durations = DurationBuckets(
        name: "ocsp_request_duration_seconds", help: "Seconds from an OCSP request's last byte to its answer being written")
    /// (`methods` + other) × (`codes` + other).
    private let requests: [Counter]
    /// `ocsp_rate_limited_total`: requests refused `tryLater` by `--rate-limit` (`RateLimiter`).
    let rateLimited: Counter

    package init() {
        let responsesName = Self.name("responses", unit: "total",
                                      help: "OCSP responses sent, by OCSP status (good, revoked, unknown for successful answers) and cache use")
        var responses: [Counter] = []
        for status in Self.answerStatuses {
            for cache in Self.cacheUses {
                responses.append(registry.makeCounter(descriptor: responsesName, labels: [("status", status), ("cache", cache.rawValue)]))
            }
        }
        for status in Self.refusalStatuses {
            responses.append(registry.makeCounter(descriptor: responsesName, labels: [("status", "\(status)"), ("cache", "none")]))
        }
        self.responses = responses
        let requestsName = Self.name("http_requests", unit: "total", help: "HTTP requests answered, by method and status code (/metrics and /health too)")
        var requests: [Counter] = []
        for method in Self.methods.map(\.rawValue) + ["other"] {
            for code in Self.codes.map(String.init) + ["other"] {
                requests.append(registry.makeCounter(descriptor: requestsName, labels: [("method", method), ("code", code)]))
            }
        }
        self.requests = requests
        rateLimited = registry.makeCounter(descriptor: Self.name("rate_limited", unit: "total",
                                                                 help: "OCSP requests answered tryLater because their client was over --rate-limit"))
    }

    /// `ocsp_NAME_UNIT`, or `ocsp_NAME` without a unit.
    static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "ocsp", metricName: name, unitName: unit, helpText: help)
    }

    /// One OCSP answer (a response or a 304 for one) of `series` (`LoggedDecision.responseSeries`),
    /// `nanoseconds` after its request was read.
    func countAnswer(series: Int, nanoseconds: Int64) {
        responses[series].increment()
        durations.record(nanoseconds: nanoseconds)
    }

    /// One HTTP answer; `method` nil for a request that did not parse. Switches rather than look-ups in
    /// `methods` and `codes` (which name the same rows and columns, in the same order): this runs for
    /// every request, and comparing `HTTPMethod`s, an enum with a payload, costs more than the count.
    func countRequest(method: HTTPMethod?, status: HTTPResponseStatus) {
        let row = switch method {
        case .GET?: 0
        case .HEAD?: 1
        case .POST?: 2
        default: 3
        }
        let column = switch status.code {
        case 200: 0
        case 304: 1
        case 400: 2
        case 404: 3
        case 405: 4
        case 408: 5
        case 413: 6
        case 415: 7
        case 503: 8
        default: 9
        }
        requests[row * (Self.codes.count + 1) + column].increment()
    }

    /// The series of `ocsp_responses_total` that counts `decision`: its index in `responses`.
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
        durations.emit(into: &text)
        let gauges = PrometheusCollectorRegistry()
        for ca in snapshot.authorities {
            gauges.makeGauge(descriptor: Self.name("signer_expiry_timestamp", unit: "seconds",
                                                   help: "When the CA's signing certificate (or the issuer above a delegated one) expires, Unix seconds"),
                             labels: [("ca", ca.name)])
                .set(to: Double(ca.signerNotAfter.seconds))
        }
        for ca in snapshot.authorities {
            guard let nextUpdate = ca.statusNextUpdate else { continue }
            gauges.makeGauge(descriptor: Self.name("ca_status_next_update_timestamp", unit: "seconds",
                                                   help: "The earliest nextUpdate of the CA certificate's own pre-signed responses (ocspresponse), Unix seconds; 0 when one cannot be used"),
                             labels: [("ca", ca.name)])
                .set(to: Double(nextUpdate.seconds))
        }
        for database in snapshot.databases {
            gauges.makeGauge(descriptor: Self.name("database_up", unit: "",
                                                   help: "1 while the database host is usable, 0 while it is left for failback (MariaDB) or cannot be opened (SQLite)"),
                             labels: [("host", database.host)])
                .set(to: database.up ? 1 : 0)
        }
        for cache in snapshot.cacheEntries {
            gauges.makeGauge(descriptor: Self.name("cache_entries", unit: "",
                                                   help: "Entries held in memory: responses in front of the file cache, answers the event loops repeat"),
                             labels: [("cache", cache.cache)])
                .set(to: Double(cache.count))
        }
        gauges.emit(into: &text)
        return text
    }
}

/// A histogram without labels, in the text exposition format: one count per bucket (not cumulative), the
/// sum in nanoseconds, under one lock; the exposition adds the counts up.
///
/// Written here rather than taken from swift-prometheus, whose `Histogram.record` increments every bucket
/// the value falls under, each through a copy-on-write check, under an NIOLock: about 730 instructions an
/// answer under callgrind, half a percent of an answer repeated from memory with keep-alive (the cheapest
/// answer `serve` gives), where this costs about a tenth of that.
final class DurationBuckets: Sendable {
    /// Upper bounds, from an answer repeated from memory (tens of microseconds) to one that waited out a
    /// database timeout (`connect_timeout`, 5 s by default): nanoseconds, and as `le` writes them.
    static let bounds: [(nanoseconds: Int64, text: String)] = [
        (100_000, "0.0001"), (250_000, "0.00025"), (500_000, "0.0005"), (1_000_000, "0.001"), (2_500_000, "0.0025"),
        (5_000_000, "0.005"), (10_000_000, "0.01"), (25_000_000, "0.025"), (50_000_000, "0.05"), (100_000_000, "0.1"),
        (250_000_000, "0.25"), (500_000_000, "0.5"), (1_000_000_000, "1"), (2_500_000_000, "2.5"), (5_000_000_000, "5"),
        (10_000_000_000, "10"),
    ]

    private struct State {
        /// One per bound, then the values above the last one.
        var counts = [UInt64](repeating: 0, count: DurationBuckets.bounds.count + 1)
        var sumNanoseconds: UInt64 = 0
    }

    let name: String
    let help: String
    /// The bounds alone, for `record`'s search.
    private let limits = DurationBuckets.bounds.map(\.nanoseconds)
    private let state = Mutex(State())

    init(name: String, help: String) {
        self.name = name
        self.help = help
    }

    func record(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        var bucket = 0
        while bucket < limits.count && limits[bucket] < value { bucket += 1 }
        state.withLock { state in
            state.counts[bucket] &+= 1
            state.sumNanoseconds &+= UInt64(value)
        }
    }

    func emit(into text: inout [UInt8]) {
        let (counts, sum) = state.withLock { ($0.counts, $0.sumNanoseconds) }
        var lines = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in Self.bounds.enumerated() {
            cumulative += counts[index]
            lines += "\(name)_bucket{le=\"\(bound.text)\"} \(cumulative)\n"
        }
        cumulative += counts[Self.bounds.count]
        lines += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        lines += "\(name)_sum \(Double(sum) / 1e9)\n\(name)_count \(cumulative)\n"
        text += lines.utf8
    }
}
