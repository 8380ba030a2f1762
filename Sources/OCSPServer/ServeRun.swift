import OCSPCore
import OCSPCrypto
import OCSPRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `ocsp-responder serve`: the respond pipeline over HTTP/1.1 until SIGTERM, SIGINT or SIGHUP.
///
/// Start-up is `respond`'s (the config, the user check, every CA loaded and checked once); started as
/// root with `[ocsp] user`, it binds its sockets and opens its logs as root, then becomes that user before
/// the first thread or request (`ServiceAccount`). Then each request gets what a one-shot `respond` would
/// answer at that moment: the same core, cache and `ocspresponse`. Event loops only parse HTTP and write; look-ups and signatures run on worker threads
/// that each own their database connections.
package enum ServeRun {
    package struct Options: Sendable {
        package var configPath: String
        package var listen: [ListenAddress]
        package var logLevel: Logger.Level?
        /// Worker threads, each with its own database connections; nil: twice the cores (`defaultWorkers`).
        package var workers: Int?
        /// Event-loop threads (HTTP parsing and writing, repeated answers); nil: half the cores, at least one
        /// (`defaultEventLoops`).
        package var eventLoops: Int?
        /// Seconds a client has to send a whole request.
        package var requestTimeout: Int
        /// Seconds in-flight requests get to finish after SIGTERM, SIGINT or SIGHUP.
        package var drainTimeout: Int
        /// `--metrics-listen`: where /metrics (and health) is served instead of on `listen`; nil: on `listen`.
        package var metricsListen: ListenAddress?

        package init(configPath: String, listen: [ListenAddress], logLevel: Logger.Level?, workers: Int? = nil,
                    eventLoops: Int? = nil, requestTimeout: Int = 10, drainTimeout: Int = 10, metricsListen: ListenAddress? = nil) {
            self.configPath = configPath
            self.listen = listen
            self.logLevel = logLevel
            self.workers = workers
            self.eventLoops = eventLoops
            self.requestTimeout = requestTimeout
            self.drainTimeout = drainTimeout
            self.metricsListen = metricsListen
        }
    }

    /// Twice the cores: a worker waits for each status look-up's round trip to the database, and another
    /// one signs meanwhile; with only as many workers as cores, a core would idle during every look-up.
    static var defaultWorkers: Int { 2 * System.coreCount }

    /// Half the cores, at least one: the event loops only parse, write and repeat recent answers, while
    /// signing and look-ups run on the workers, and a responder usually shares its machine with the
    /// database. On 2 cores, one event loop answered 14,100–14,300 connections a second without keep-alive
    /// where two answered 11,600–12,600 (ab on the same machine, `scripts/bench.sh`), and 35,000 a second
    /// with keep-alive where two answered 45,000; `--event-loops` sets another count.
    static var defaultEventLoops: Int { max(1, System.coreCount / 2) }

    /// Responses kept in memory in front of the file cache (a few KiB each); also the bound of each status
    /// table's `RecentStatuses`.
    static let memoryCacheEntries = 50_000

    package static func run(_ options: Options) -> Int32 {
        // Blocked here, before any other thread exists, so every thread inherits the mask and only the
        // sigwait below receives these signals: the shutdown then runs as ordinary code, not in a handler.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        // SIGHUP is what an operator sends for a reload (`systemctl reload`, `kill -HUP`, logrotate's
        // postrotate): the config, certificates, keys and `ocspresponse` read again, the log files
        // reopened. Taken even when it was ignored at start (`nohup`): a reload costs a hangup nothing.
        sigaddset(&stopSignals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let start: RunStart
        let authorities: [Authority]
        do throws(StartUpError) {
            // Root binds first and drops after (port 80); the log is opened before, so it says why it refused.
            start = try RunStart.begin(.init(configPath: options.configPath, logLevel: options.logLevel, dropRootLater: true))
            if start.pendingDrop == nil, geteuid() == 0 {
                // Once, at start-up: it still runs, as it did before `user` existed, but should not stay so.
                start.logger.warning("running as root: set [ocsp] user = NAME in \(start.config.path), and serve binds its ports as root, then answers as NAME")
            }
            authorities = try start.loadAuthorities(at: RunClock.currentTime())
        } catch {
            Console.printError(error.description)
            return error.exitStatus
        }
        let (config, logger, toStandardError, pendingDrop) = (start.config, start.logger, start.logsToStandardError, start.pendingDrop)
        // systemd's `Type=notify` (etc/systemd/ocsp-responder.service): READY=1 once every socket listens,
        // STOPPING=1 when a signal starts the shutdown; nil when not started by systemd.
        let notifier = ServiceNotifier.fromEnvironment()
        func fail(_ message: String, _ status: Int32) -> Int32 {
            start.report(message)
            return status
        }

        // Everything that needs root happens before the drop: the listening sockets and the log files.
        var sockets: [ListeningSocket] = []
        for address in options.listen + (options.metricsListen.map { [$0] } ?? []) {
            do {
                sockets.append(try ListeningSocket(address, backlog: 512))
            } catch {
                return fail("cannot listen on \(address): \(error.inputReason)", ExitStatus.unavailable)
            }
        }
        var accessDestination = LogDestination.standardError
        if let path = config.log.file, let file = try? LogDestination.file(path) {
            accessDestination = file
        }
        if let pendingDrop {
            do {
                try pendingDrop.drop()
            } catch {
                return fail("\(error.inputReason)", ExitStatus.config)
            }
            logger.info("bound as root, now running as \(pendingDrop.name)", metadata: ["uid": "\(pendingDrop.uid)", "gid": "\(pendingDrop.gid)"])
        }

        // From here on the process is the service user (when one is set), and threads may start.
        let workerCount = options.workers ?? defaultWorkers
        let (firstPool, generation) = makeGeneration(config: config, authorities: authorities, logger: logger, workers: workerCount)
        var pool = firstPool

        let accessLog = AccessLog(destination: accessDestination)
        let server = ServerContext(
            generation: generation, accessLog: accessLog,
            requestTimeout: .seconds(Int64(options.requestTimeout)), maximumBodySize: OCSPResponder.maximumRequestSize,
            metricsOnOCSPListener: options.metricsListen == nil
        )

        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.eventLoops ?? defaultEventLoops)
        let logFlush = group.next().scheduleRepeatedTask(
            initialDelay: .milliseconds(Int64(AccessLog.flushInterval)), delay: .milliseconds(Int64(AccessLog.flushInterval))
        ) { _ in accessLog.flush() }
        func bootstrap(_ listener: ServeListener) -> ServerBootstrap {
            ServerBootstrap(group: group)
                // SO_REUSEADDR and the backlog are ListeningSocket's. A TCP option, not a socket option: as
                // `.socketOption(.tcp_nodelay)` it was SOL_SOCKET's option 1, SO_DEBUG, which needs CAP_NET_ADMIN,
                // so every connection to a server not run as root was closed at once.
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    server.register(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addServeHandlers(server: server, listener: listener)
                    }
                }
        }

        var listeners: [any Channel] = []
        var served: [String] = []
        for (index, socket) in sockets.enumerated() {
            // The last socket is --metrics-listen's, when it is set.
            let listener: ServeListener = index < options.listen.count ? .ocsp : .metrics
            do {
                let channel = try socket.handOver(to: bootstrap(listener))
                listeners.append(channel)
                let address = socket.address
                let bound = channel.localAddress.map { "\($0.ipAddress ?? address.host):\($0.port ?? address.port)" } ?? "\(address)"
                if listener == .metrics {
                    logger.notice("serving /metrics on http://\(bound)/metrics")
                    if !toStandardError || logger.logLevel > .notice { Console.printError("serving /metrics on http://\(bound)/metrics") }
                    continue
                }
                logger.notice("serving on http://\(bound)/", metadata: ["workers": "\(workerCount)"])
                served.append("http://\(bound)/")
                if !toStandardError || logger.logLevel > .notice {
                    Console.printError("serving on http://\(bound)/ with \(workerCount) workers")
                }
            } catch {
                for listener in listeners { try? listener.close().wait() }
                logFlush.cancel()
                pool.shutdown()
                try? group.syncShutdownGracefully()
                return fail("cannot listen on \(socket.address): \(error.inputReason)", ExitStatus.unavailable)
            }
        }
        sockets.removeAll()
        // A notification systemd could not take is logged, never a reason to stop serving.
        func notify(_ send: (ServiceNotifier) throws -> Void) {
            guard let notifier else { return }
            do {
                try send(notifier)
            } catch {
                logger.warning("\(error)")
            }
        }
        let readyStatus = "serving on \(served.joined(separator: " ")) with \(workerCount) workers"
        notify { try $0.ready(status: readyStatus) }

        var received: Int32 = 0
        // With signer pairs (`[ocsp] cert` naming a directory or a list), the signers are loaded again when
        // the choice among them changes or the directory does: at the moment a pair starts or ends, and
        // at least once a minute (a pair a cron job added). The same as a SIGHUP reload.
        var loaded = (config: config, authorities: authorities)
        while true {
            let rotation = AuthorityLoader.nextRotation(loaded.authorities, after: RunClock.currentTime())
            received = SignalWait.next(&stopSignals, rotationAt: rotation, orWithin: rotation == nil ? nil : 60)
            var reason = "signal \(SIGHUP): reloading \(options.configPath) (log files reopened)"
            if received == 0 {
                guard let due = AuthorityLoader.rotationDue(loaded.config, loaded.authorities, at: RunClock.currentTime()) else { continue }
                reason = "signer rotation: \(due); loading the signers again"
            } else {
                guard received == SIGHUP else { break }
            }
            notify { try $0.reloading() }
            // READY=1 again once the reload ended, whether it took or kept the old generation.
            defer { notify { try $0.ready(status: readyStatus) } }
            if let reloaded = reload(options, logger: logger, workers: workerCount, reason: reason, reopenLogs: received != 0) {
                loaded = (reloaded.config, reloaded.authorities)
                server.replace(with: reloaded.generation)
                let retired = pool
                pool = reloaded.pool
                // The old workers finish the requests they hold, then close their connections.
                let drain = Duration.seconds(options.drainTimeout)
                DispatchQueue.global().async { retired.retire(within: drain) }
                logger.notice("reloaded \(options.configPath): serving with its configuration, certificates and keys")
            }
        }
        logger.notice("signal \(received): stopping; finishing the requests in flight")
        notify { try $0.stopping() }

        // Stop accepting, let busy connections finish their response, then close the database connections.
        for listener in listeners { try? listener.close().wait() }
        server.startDraining()
        let deadline = ContinuousClock.now + .seconds(options.drainTimeout)
        while server.openConnections > 0 && ContinuousClock.now < deadline {
            usleep(20_000)
        }
        let cut = server.openConnections
        if cut > 0 {
            logger.warning("closing \(cut) connection(s) still open after \(options.drainTimeout) s")
            server.closeAll()
        }
        pool.shutdown()
        logFlush.cancel()
        accessLog.flush()
        try? group.syncShutdownGracefully()
        logger.notice("stopped")
        return 0
    }

    /// Everything `serve` makes from one reading of the config: the workers (each with status stores of
    /// its own, the file cache behind a shared memory, the recent answers and statuses they share) and
    /// the health check of the same authorities; the pool also on its own, for its shutdown.
    static func makeGeneration(config: ResponderConfiguration, authorities: [Authority], logger: Logger,
                               workers workerCount: Int) -> (pool: WorkerPool, generation: ServeGeneration) {
        let memory = config.run.cachePath.map { _ in MemoryFrontedCache.Memory(capacity: memoryCacheEntries) }
        // Memory never holds an answer or a status longer than `[ocsp] revalidate` allows the cache to.
        let memoryWindow = min(RecentAnswers.defaultRevalidationInterval, .seconds(config.run.revalidation.interval))
        let recentAnswers = config.run.cachePath.map { _ in RecentAnswers(capacity: memoryCacheEntries, revalidationInterval: memoryWindow) }
        let recentStatuses = authorities.map { _ in RecentStatuses(capacity: memoryCacheEntries, window: memoryWindow) }
        let signerNotices = SignerNotices(logger: logger)
        let workers = (0..<workerCount).map { _ in
            ServeWorker(authorities: authorities, config: config, cache: config.run.cachePath.flatMap { path in memory.map { memory in
                MemoryFrontedCache(files: FileResponseCache(directory: path, digester: OpenSSLDigester(), logger: logger), memory: memory)
            } }, recentAnswers: recentAnswers, recentStatuses: recentStatuses, signerNotices: signerNotices)
        }
        let pool = WorkerPool(workers: workers, maximumBacklog: workerCount * 256)

        var signings: [HealthCheck.Signing] = []
        for (authority, signing) in zip(authorities, config.authorities) {
            guard let signer = authority.signer as? OpenSSLSigner else { continue }
            signings.append(.init(name: signing.section, ca: signing.name, signer: signer, statusFiles: authority.intermediate.map(CAStatusFiles.init),
                                  lastPairEnd: authority.rotation.flatMap(\.lastPair)))
        }
        let health = HealthCheck(database: config.database, tables: config.authorities.map(\.table), signings: signings,
                                 warnDays: config.run.warnDays)
        return (pool, ServeGeneration(pool: pool, health: health, recentAnswers: recentAnswers,
                                      memoryResponseCount: { memory?.count ?? 0 }))
    }

    /// SIGHUP: reopens the log files, then reads the config, certificates, keys and `ocspresponse` again
    /// and makes a new generation of them. Anything that fails to load keeps the running generation,
    /// with the reason logged; a log file that cannot be reopened is written where it was.
    static func reload(_ options: Options, logger: Logger, workers: Int, reason: String, reopenLogs: Bool = true)
        -> (pool: WorkerPool, generation: ServeGeneration, config: ResponderConfiguration, authorities: [Authority])? {
        if reopenLogs {
            for failure in LogDestination.reopenAll() {
                logger.error("cannot reopen a log file, still writing to the old one: \(failure)")
            }
        }
        logger.notice("\(reason)")
        do throws(StartUpError) {
            let config = try RunStart.rereadConfig(options.configPath)
            let authorities: [Authority]
            do {
                authorities = try AuthorityLoader.loadAll(config, at: RunClock.currentTime(), logger: logger)
            } catch {
                throw StartUpError("config error: \(error.inputReason)")
            }
            let made = makeGeneration(config: config, authorities: authorities, logger: logger, workers: workers)
            return (made.pool, made.generation, config, authorities)
        } catch {
            logger.error("reload failed, still serving with the configuration loaded before: \(error.description)")
            return nil
        }
    }

}
