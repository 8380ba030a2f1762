import OCSPCore
import OCSPRuntime
import NIOConcurrencyHelpers
import NIOCore

/// What a reload (SIGHUP) replaces as one: everything `serve` made from the config, the certificates
/// and the keys. Requests that started on a generation finish on it.
package struct ServeGeneration: Sendable {
    /// The workers, with the authorities and the database connections of this config.
    package var pool: any ServeWorkers
    package var health: HealthCheck
    /// Answers the file cache gave a moment ago, repeated by the event loops; nil without `[ocsp] cache`.
    /// A new one with each generation: an answer signed with the key before a reload is not repeated.
    package var recentAnswers: RecentAnswers?
    /// How many responses memory holds in front of the file cache (`MemoryFrontedCache`), for `ocsp_cache_entries`.
    package var memoryResponseCount: @Sendable () -> Int

    package init(pool: any ServeWorkers, health: HealthCheck, recentAnswers: RecentAnswers?,
                 memoryResponseCount: @escaping @Sendable () -> Int = { 0 }) {
        self.pool = pool
        self.health = health
        self.recentAnswers = recentAnswers
        self.memoryResponseCount = memoryResponseCount
    }
}

/// What every connection of a running `serve` shares: the current generation (workers, health check,
/// recent answers), the access log, the limits, and the open connections (for a graceful shutdown).
package final class ServerContext: Sendable {
    let accessLog: AccessLog
    /// How long a client has to send a whole request (head and body) once the connection is idle: slow
    /// clients and idle keep-alive connections are closed after it.
    let requestTimeout: TimeAmount
    /// The largest request body accepted: OCSPResponder.maximumRequestSize.
    let maximumBodySize: Int
    /// What `/metrics` reports; kept across reloads, as Prometheus expects of a counter.
    let metrics: ServeMetrics
    /// False with `--metrics-listen`: `/metrics` is then served there alone, and is 404 on the OCSP listeners.
    let metricsOnOCSPListener: Bool
    /// `--rate-limit`: the buckets of the answers signed now; nil: none is limited.
    let rateLimiter: RateLimiter?

    /// Swapped by `replace`; a job is handed to the pool under the same lock, so that no job reaches a
    /// pool after it was replaced (the old pool then only has to finish what it holds).
    private let current: NIOLockedValueBox<ServeGeneration>
    private let connections = NIOLockedValueBox<(open: [ObjectIdentifier: any Channel], draining: Bool)>(([:], false))

    package init(generation: ServeGeneration, accessLog: AccessLog, requestTimeout: TimeAmount, maximumBodySize: Int,
                 metrics: ServeMetrics = ServeMetrics(), metricsOnOCSPListener: Bool = true, rateLimit: RateLimit? = nil) {
        current = NIOLockedValueBox(generation)
        rateLimiter = rateLimit.map { RateLimiter($0, refusals: metrics.rateLimited) }
        self.metrics = metrics
        self.metricsOnOCSPListener = metricsOnOCSPListener
        self.accessLog = accessLog
        self.requestTimeout = requestTimeout
        self.maximumBodySize = maximumBodySize
    }

    /// The current generation, as one: what a reader takes from it belongs to the same config.
    var generation: ServeGeneration { current.withLockedValue { $0 } }

    /// The health check of the current generation.
    var health: HealthCheck { current.withLockedValue { $0.health } }

    /// Runs `body` on a worker of the current generation; nil when its backlog is full.
    func run<Result: Sendable>(on eventLoop: any EventLoop, _ body: @escaping @Sendable (ServeWorker) -> Result) -> EventLoopFuture<Result>? {
        current.withLockedValue { $0.pool.run(on: eventLoop, body) }
    }

    /// Puts `generation` in place for every request from now on.
    package func replace(with generation: ServeGeneration) {
        current.withLockedValue { $0 = generation }
    }

    /// The answer to `der` from `recentAnswers`, with its headers as of now; nil when a worker must answer.
    func recentAnswer(to der: [UInt8], ifNoneMatch: String?) -> ServedAnswer? {
        guard let recentAnswers = current.withLockedValue({ $0.recentAnswers }) else { return nil }
        let started = ContinuousClock.now
        let now = RunClock.currentTime()
        guard let entry = recentAnswers.entry(for: der, monotonicNow: started, now: now) else { return nil }
        return ServedAnswer.ocspResponse(entry.body, caching: entry.caching, ifNoneMatch: ifNoneMatch, at: now, decision: entry.decision,
                                         milliseconds: RunClock.milliseconds(since: started))
    }

    var isDraining: Bool { connections.withLockedValue { $0.draining } }

    /// Tracks `channel` until it closes; a connection accepted during the drain is closed at once.
    func register(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let accepted = connections.withLockedValue { state in
            guard !state.draining else { return false }
            state.open[key] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [connections] _ in
            _ = connections.withLockedValue { $0.open.removeValue(forKey: key) }
        }
    }

    /// Asks every connection to finish: idle ones close now, busy ones after their response
    /// (NIOHTTP1's pipeline handler does both on ChannelShouldQuiesceEvent).
    func startDraining() {
        let channels = connections.withLockedValue { state in
            state.draining = true
            return Array(state.open.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    var openConnections: Int { connections.withLockedValue { $0.open.count } }

    /// Closes whatever is still open after the drain's deadline.
    func closeAll() {
        let channels = connections.withLockedValue { Array($0.open.values) }
        for channel in channels { channel.close(promise: nil) }
    }
}
