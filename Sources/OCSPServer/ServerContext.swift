import OCSPCore
import OCSPRuntime
import NIOConcurrencyHelpers
import NIOCore

/// What every connection of a running `serve` shares: the workers, the health check, the access log,
/// the limits, and the open connections (for a graceful shutdown).
package final class ServerContext: Sendable {
    let pool: any ServeWorkers
    let health: HealthCheck
    let accessLog: AccessLog
    /// How long a client has to send a whole request (head and body) once the connection is idle: slow
    /// clients and idle keep-alive connections are closed after it.
    let requestTimeout: TimeAmount
    /// The largest request body accepted: OCSPResponder.maximumRequestSize.
    let maximumBodySize: Int
    /// Answers the file cache gave a moment ago, repeated by the event loops; nil without `[ocsp] cache`.
    let recentAnswers: RecentAnswers?
    /// How many responses memory holds in front of the file cache (`MemoryFrontedCache`), for `ocsp_cache_entries`.
    let memoryResponseCount: @Sendable () -> Int
    /// What `/metrics` reports.
    let metrics: ServeMetrics
    /// False with `--metrics-listen`: `/metrics` is then served there alone, and is 404 on the OCSP listeners.
    let metricsOnOCSPListener: Bool

    private let connections = NIOLockedValueBox<(open: [ObjectIdentifier: any Channel], draining: Bool)>(([:], false))

    package init(pool: any ServeWorkers, health: HealthCheck, accessLog: AccessLog, requestTimeout: TimeAmount, maximumBodySize: Int,
                 recentAnswers: RecentAnswers?, memoryResponseCount: @escaping @Sendable () -> Int = { 0 }, metrics: ServeMetrics = ServeMetrics(),
                 metricsOnOCSPListener: Bool = true) {
        self.recentAnswers = recentAnswers
        self.memoryResponseCount = memoryResponseCount
        self.metrics = metrics
        self.metricsOnOCSPListener = metricsOnOCSPListener
        self.pool = pool
        self.health = health
        self.accessLog = accessLog
        self.requestTimeout = requestTimeout
        self.maximumBodySize = maximumBodySize
    }

    /// The answer to `der` from `recentAnswers`, with its headers as of now; nil when a worker must answer.
    func recentAnswer(to der: [UInt8], ifNoneMatch: String?) -> ServedAnswer? {
        guard let recentAnswers else { return nil }
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
