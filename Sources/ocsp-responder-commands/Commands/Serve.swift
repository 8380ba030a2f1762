import OCSPServer
import ArgumentParser

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer OCSP requests over HTTP (RFC 6960 appendix A, RFC 5019) until SIGTERM, SIGINT or SIGHUP.",
        discussion: """
            POST with Content-Type: application/ocsp-request, or GET with the base64 request as the \
            last path segment; GET /health says whether the database and the signing keys are usable \
            (200 or 503, with a warning line for a signer or CA status file that expires within [ocsp] \
            warn_days); GET /metrics is the Prometheus scrape, on --metrics-listen alone when that is \
            set. The same config, core and cache as `respond`; every CA is loaded once at \
            start-up. One access log line per request goes to [log] file, else stderr.

            With [ocsp] user, it runs only as that user. Started as root, it loads the CAs and binds \
            every --listen address (port 80 too) as root, then becomes that user before it starts a \
            thread or reads a request.

            Exit status: 0 stopped by SIGTERM, SIGINT or SIGHUP after finishing the requests in flight; \
            78 config error, the wrong user or a failed drop to it; 69 an address cannot be listened \
            on; 64 bad arguments.

            Examples:
              ocsp-responder serve --config /etc/ocsp-responder/config.ini
              ocsp-responder serve --listen 0.0.0.0:80 --listen [::]:80 --workers 8
              ocsp-responder serve --listen 0.0.0.0:80 --metrics-listen 127.0.0.1:9180
              ocsp-responder serve --listen 0.0.0.0:80 --rate-limit 20/s --rate-burst 50
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("HOST:PORT to listen on (default 127.0.0.1:8080); repeatable.", valueName: "host:port"))
    var listen: [ListenAddress] = []

    @Option(name: .long, help: ArgumentHelp(
        "HOST:PORT that serves GET /metrics (and /health), which the --listen addresses then do not serve (404).", valueName: "host:port"))
    var metricsListen: ListenAddress?

    @Option(name: .long, help: ArgumentHelp("Worker threads, each with its own database connection (default: twice the number of cores).", valueName: "n"))
    var workers: Int?

    @Option(name: .long, help: ArgumentHelp("Event-loop threads that parse and write HTTP (default: half the number of cores, at least 1).", valueName: "n"))
    var eventLoops: Int?

    @Option(name: .long, help: ArgumentHelp("Seconds a client has to send a whole request.", valueName: "seconds"))
    var requestTimeout: Int = 10

    @Option(name: .long, help: ArgumentHelp("Seconds in-flight requests get after SIGTERM.", valueName: "seconds"))
    var drainTimeout: Int = 10

    @Option(name: .long, help: ArgumentHelp(
        "Answers each client address (an IPv6 one by its /64) may get signed now: requests with a nonce, or without one that no kept response answers; N/s, N/m or N (a second). Over it: tryLater with Retry-After. Cached answers are never limited.",
        valueName: "n/s"))
    var rateLimit: String?

    @Option(name: .long, help: ArgumentHelp("Tokens a client's bucket holds for --rate-limit (default: twice the rate a second, at least 1).", valueName: "n"))
    var rateBurst: Int?

    /// `--rate-limit` with `--rate-burst`; nil without `--rate-limit` (`validate` refuses what does not parse).
    var limit: RateLimit? {
        rateLimit.flatMap { RateLimit(parsing: $0, burst: rateBurst) }
    }

    func validate() throws {
        if let rateLimit, RateLimit(parsing: rateLimit) == nil {
            throw ValidationError("--rate-limit must be N/s, N/m or N (a second), N above 0 and at most 1000000, not '\(rateLimit)'.")
        }
        if let rateBurst {
            guard rateLimit != nil else { throw ValidationError("--rate-burst needs --rate-limit.") }
            guard (1...1_000_000).contains(rateBurst) else { throw ValidationError("--rate-burst must be from 1 to 1000000.") }
        }
        if let workers, !(1...256).contains(workers) {
            throw ValidationError("--workers must be from 1 to 256.")
        }
        if let eventLoops, !(1...64).contains(eventLoops) {
            throw ValidationError("--event-loops must be from 1 to 64.")
        }
        if !(1...3600).contains(requestTimeout) || !(0...3600).contains(drainTimeout) {
            throw ValidationError("--request-timeout must be from 1 to 3600 seconds, --drain-timeout from 0 to 3600.")
        }
        if let metricsListen, listen.contains(metricsListen) || (listen.isEmpty && metricsListen == .default) {
            throw ValidationError("--metrics-listen \(metricsListen) is also a --listen address; give it an address of its own.")
        }
    }

    func run() throws {
        let status = ServeRun.run(.init(
            configPath: options.configPath,
            listen: listen.isEmpty ? [.default] : listen,
            logLevel: options.logLevel, workers: workers, eventLoops: eventLoops, requestTimeout: requestTimeout,
            drainTimeout: drainTimeout, metricsListen: metricsListen, rateLimit: limit
        ))
        if status != 0 { throw ExitCode(status) }
    }
}
