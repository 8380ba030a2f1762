import OCSPCore
import OCSPRuntime
import OCSPWire
import NIOCore
import NIOHTTP1

extension ChannelPipeline.SynchronousOperations {
    /// One `serve` connection's handlers: NIOHTTP1's server pipeline, with pipelining assistance (one request
    /// at a time reaches `OCSPHTTPHandler`, the next waits for its answer) and error handling (a request that
    /// does not parse gets 400, behind `ParserErrorFilter`), then `OCSPHTTPHandler`. `serve` and the HTTP
    /// fuzz target both set up their connections here, so that what is fuzzed is what serves.
    ///
    /// Set up once per connection, so it costs what it costs per request without keep-alive: the handlers
    /// are added in one call (looking up the error handler's position cast every handler to find it), and
    /// without NIOHTTP1's outbound header validator, which checked on every answer the headers that
    /// `finish` builds from fixed names and values that are never the client's.
    ///
    /// `listener`: what the connection's socket serves: OCSP (and health, and /metrics unless
    /// `--metrics-listen` is set), or `--metrics-listen`'s /metrics and health alone.
    package func addServeHandlers(server: ServerContext, listener: ServeListener = .ocsp) throws {
        try configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: false)
        try addHandlers([
            ParserErrorFilter(accessLog: server.accessLog, metrics: server.metrics), HTTPServerProtocolErrorHandler(),
            OCSPHTTPHandler(server: server, listener: listener),
        ])
    }
}

/// Stands before NIOHTTP1's error handler, which answers an HTTP parser error with a 400, and lets through
/// only the parser error that deserves one: the connection's first, and only while no answer has said
/// `Connection: close`. Found by FuzzHTTPServer (Tests/FuzzCorpus/FuzzHTTPServer/crash-*): NIOHTTP1's
/// pipelining handler holds a parser error while an answer is pending and hands it over as that answer
/// ends, so a request after a `Connection: close` answer got a 400 behind it; and its decoder reports a
/// request line of another HTTP version (`HTTP/0.9`, `HTTP/2.0`) twice, which got two 400s.
///
/// The 400 it lets through gets its access-log line here, as no request ever reaches `OCSPHTTPHandler`:
/// the request is `"-"` (nothing of it parsed), and the parser's error is the line's reason.
///
/// It also stamps every response with its `Date` (see `write`).
final class ParserErrorFilter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let accessLog: AccessLog
    private let metrics: ServeMetrics
    private var reported = false
    private var closeAnnounced = false

    init(accessLog: AccessLog, metrics: ServeMetrics) {
        self.accessLog = accessLog
        self.metrics = metrics
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            guard !reported, !closeAnnounced else { return }
            reported = true
            accessLog.recordUnparsed(client: context.channel.remoteAddress?.logText ?? "-", reason: "\(parserError)")
            metrics.countRequest(method: nil, status: .badRequest)
        }
        context.fireErrorCaught(error)
    }

    /// Every final response passes here, `OCSPHTTPHandler`'s and NIOHTTP1's 400, so this is where each gets
    /// its `Date` (RFC 9110 §6.6.1: caches in front compute an answer's age from it). `100 Continue` has none.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200 else {
            context.write(data, promise: promise)
            return
        }
        if !head.isKeepAlive {
            closeAnnounced = true
        }
        head.headers.add(name: "Date", value: HTTPDate.current())
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

/// One HTTP/1.1 connection of `serve`: collects a request, checks what HTTP says about it (method, content
/// type, size), hands the DER to a worker thread, and writes the answer. NIOHTTP1's pipeline handler in
/// front of it delivers one request at a time, so at most one request per connection is in flight.
///
/// RFC 6960 appendix A and RFC 5019 §5: POST with `Content-Type: application/ocsp-request` and the DER
/// as the body, or GET with the base64 DER as the last path segment. `GET /health/live`, `/health/ready` and `/health` (ready) are `HealthProbe`s;
/// `GET /metrics` is the Prometheus scrape (`ServeMetrics`), on the OCSP listener unless `--metrics-listen` is set.
final class OCSPHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ServerContext
    private let listener: ServeListener
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodySize = 0
    /// An HTTP-level refusal decided from the head, sent once the request has been read.
    private var rejection: ServedAnswer?
    /// True from a request's end until its answer is written: the timer must not cut a worker's answer.
    private var answering = false
    /// True once the connection is being closed: anything still arriving is ignored.
    private var closing = false
    private var deadline: Scheduled<Void>?
    /// When the request's last byte arrived (`RunClock.monotonicNanoseconds`), for `ocsp_request_duration_seconds`.
    private var requestEnded: Int64 = 0
    /// The peer's `RateLimitClient`, worked out at its first request that `--rate-limit` asks about.
    private var client: RateLimitClient?

    init(server: ServerContext, listener: ServeListener = .ocsp) {
        self.server = server
        self.listener = listener
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armDeadline(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodySize = 0
            rejection = Self.rejection(for: head)
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > server.maximumBodySize {
                // Refused unread: answering now and closing costs less than reading what will be thrown away.
                finish(context: context, head: head, answer: Self.tooLarge(server.maximumBodySize), refusedMidRequest: true)
            } else if Self.expectsContinue(head) && Self.declaresBody(head) {
                // RFC 9110 §10.1.1: the client holds its body back until told to send it (curl for 1 s), so it
                // gets either `100 Continue` now or, when the head is already refused, the final status now,
                // and the connection closes lingering, as for a 413: the client may send the body or not.
                if let rejection {
                    finish(context: context, head: head, answer: rejection, refusedMidRequest: true)
                } else {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
            }
        case .body(var chunk):
            bodySize += chunk.readableBytes
            if bodySize > server.maximumBodySize, let head {
                finish(context: context, head: head, answer: Self.tooLarge(server.maximumBodySize), refusedMidRequest: true)
            } else if rejection == nil {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let head else { return }
            deadline?.cancel()
            deadline = nil
            answering = true
            requestEnded = RunClock.monotonicNanoseconds()
            dispatch(context: context, head: head)
        }
    }

    /// What HTTP refuses before the responder sees anything: a missing (HTTP/1.1), repeated or malformed
    /// `Host` (400, RFC 9112 §3.2), another method (405), a POST without the OCSP content type (415).
    static func rejection(for head: HTTPRequestHead) -> ServedAnswer? {
        let hosts = head.headers["host"]
        if hosts.count > 1 {
            return .httpError(.badRequest, "a request has one Host field (RFC 9112 §3.2)")
        } else if let host = hosts.first {
            guard isValidHost(host) else { return .httpError(.badRequest, "the Host field is not host[:port] (RFC 9112 §3.2)") }
        } else if head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1) {
            // HTTP/1.0 had no Host, and such clients are still answered.
            return .httpError(.badRequest, "an HTTP/1.1 request has a Host field (RFC 9112 §3.2)")
        }
        switch head.method {
        case .GET, .HEAD:
            return nil
        case .POST:
            guard let type = head.headers.first(name: "content-type"), isOCSPRequestType(type) else {
                return .httpError(.unsupportedMediaType, "an OCSP request is POSTed with Content-Type: application/ocsp-request (RFC 6960 appendix A.1)")
            }
            return nil
        default:
            return .httpError(.methodNotAllowed, "only GET and POST are answered", headers: [("Allow", "GET, HEAD, POST")])
        }
    }

    /// RFC 9110 §7.2's `uri-host [ ":" port ]`, the host a reg-name (letters, digits, `-._~`, `%`-escapes,
    /// sub-delims) or a bracketed IP literal; empty is allowed (a target without an authority).
    static func isValidHost(_ value: String) -> Bool {
        var bytes = value.utf8[...]
        let isRegName = { (byte: UInt8) in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: Array("-._~%!$&'()*+,;=".utf8).contains(byte)
            }
        }
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            guard bytes[bytes.index(after: bytes.startIndex)..<close].allSatisfy({ isRegName($0) || $0 == UInt8(ascii: ":") }) else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            let name = bytes.prefix { $0 != UInt8(ascii: ":") }
            guard name.allSatisfy(isRegName) else { return false }
            bytes = bytes[name.endIndex...]
        }
        // What is left is empty or the port: a colon and digits (RFC 3986 allows none).
        return bytes.isEmpty
            || (bytes.first == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }

    /// True when an HTTP/1.1 client asked for `100 Continue` before its body (RFC 9110 §10.1.1). Never for
    /// HTTP/1.0, which must not be sent a 1xx response (RFC 9110 §15.2). Another expectation is ignored
    /// (a 417 is allowed, not required): the request is answered as if it had none.
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major == 1 && head.version.minor >= 1, head.headers.contains(name: "expect") else { return false }
        return head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
    }

    /// True when the head announces a body: chunked, or a Content-Length above 0.
    static func declaresBody(_ head: HTTPRequestHead) -> Bool {
        head.headers.contains(name: "transfer-encoding")
            || head.headers.first(name: "content-length").map { Int($0).map { $0 > 0 } ?? true } == true
    }

    /// True for `application/ocsp-request`, in any case, with spaces around it and parameters after a `;`.
    /// Compared bytewise: it runs for every POST.
    static func isOCSPRequestType(_ value: String) -> Bool {
        let expected = "application/ocsp-request".utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var type = value.utf8.prefix { $0 != UInt8(ascii: ";") }.drop(while: isSpace)
        while let last = type.last, isSpace(last) { type = type.dropLast() }
        // ASCII letters fold to lower case with 0x20; the other bytes of the expected type stay as they are.
        return type.count == expected.count
            && zip(type, expected).allSatisfy { byte, wanted in byte == wanted || (byte | 0x20 == wanted && wanted >= UInt8(ascii: "a")) }
    }

    static func tooLarge(_ limit: Int) -> ServedAnswer {
        .httpError(.payloadTooLarge, "an OCSP request is at most \(limit) bytes")
    }

    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead) {
        if let rejection {
            finish(context: context, head: head, answer: rejection)
            return
        }
        let der: [UInt8]
        if head.method == .POST {
            guard listener == .ocsp else {
                finish(context: context, head: head, answer: .httpError(.methodNotAllowed, "the metrics listener answers GET /metrics and /health", headers: [("Allow", "GET, HEAD")]))
                return
            }
            der = body
        } else if ServeMetrics.isScrape(target: head.uri) {
            // Before the OCSP GET below: "/metrics" is never read as a base64 request (`isScrape`).
            guard listener == .metrics || server.metricsOnOCSPListener else {
                finish(context: context, head: head, answer: .httpError(.notFound, "not found"))
                return
            }
            let server = server
            run(context: context, head: head, whenRefused: Self.unavailable("the server is overloaded")) { _ in server.scrape(at: RunClock.currentTime()) }
            return
        } else if let probe = HealthProbe(target: head.uri) {
            switch probe {
            case .live:
                // The process answers: nothing else is asked, so a database outage never fails it.
                finish(context: context, head: head, answer: Self.healthAnswer(HealthCheck.Report()))
            case .ready:
                let health = server.health
                run(context: context, head: head, whenRefused: Self.unavailable("the server is overloaded")) { _ in
                    Self.healthAnswer(health.report(at: RunClock.currentTime()))
                }
            }
            return
        } else if listener == .metrics {
            finish(context: context, head: head, answer: .httpError(.notFound, "the metrics listener answers GET /metrics and /health"))
            return
        } else if let decoded = GETRequestDecoding.decode(target: head.uri) {
            der = decoded
        } else {
            finish(context: context, head: head, answer: .httpError(.badRequest, "the path's last segment is not a base64 OCSP request (RFC 6960 appendix A.1)"))
            return
        }
        let ifNoneMatch = head.headers.first(name: "if-none-match")
        // A request the file cache answered a moment ago is answered again here, without a worker.
        if let recent = server.recentAnswer(to: der, ifNoneMatch: ifNoneMatch) {
            finish(context: context, head: head, answer: recent)
            return
        }
        if let limiter = server.rateLimiter {
            let client = self.client ?? RateLimitClient(context.channel.remoteAddress)
            self.client = client
            // A client with no token left is refused here, before the hop, when its request has a nonce
            // (looked for only then): a flood of them never takes a worker from another client. Other requests
            // take their token on the worker, once it knows that no kept response answers.
            if let wait = limiter.wait(for: client), Self.hasNonce(der) {
                limiter.countRefusal()
                finish(context: context, head: head, answer: .rateLimited(retryAfter: wait, limit: limiter.limit))
                return
            }
            run(context: context, head: head) { worker in worker.answer(der, ifNoneMatch: ifNoneMatch, limit: (limiter, client)) }
            return
        }
        run(context: context, head: head) { worker in worker.answer(der, ifNoneMatch: ifNoneMatch) }
    }

    /// The nonce extension's OID as DER writes it (`06 09 2B 06 01 05 05 07 30 01 02`, id-pkix-ocsp-nonce).
    static let nonceOID: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02]

    /// True when the request's bytes hold the nonce extension's OID: a search, not a parse, as it runs on
    /// the event loop for every request of a client over its limit (a parse there cost more than the flood's
    /// refusals saved). A request with a nonce always holds it (DER has one encoding of an OID); one
    /// without a nonce that holds these bytes elsewhere was made so by its client, which is then refused
    /// as if it had one.
    static func hasNonce(_ der: [UInt8]) -> Bool {
        let oid = nonceOID
        guard der.count >= oid.count else { return false }
        return der.withUnsafeBufferPointer { bytes in
            var start = 0
            while start <= bytes.count - oid.count {
                if bytes[start] == 0x06 && bytes[start + 1] == 0x09 && bytes[start + 10] == 0x02 {
                    var index = 2
                    while index < oid.count && bytes[start + index] == oid[index] { index += 1 }
                    if index == oid.count { return true }
                }
                start += 1
            }
            return false
        }
    }

    /// Runs `job` on a worker thread and writes its answer; when the workers are overloaded, `whenRefused`
    /// (nil: `tryLater`, made only then: it is an answer with its log text).
    private func run(context: ChannelHandlerContext, head: HTTPRequestHead, whenRefused: ServedAnswer? = nil,
                     _ job: @escaping @Sendable (ServeWorker) -> ServedAnswer) {
        guard let future = server.run(on: context.eventLoop, job) else {
            finish(context: context, head: head, answer: whenRefused ?? Self.tryLater("the server is overloaded"))
            return
        }
        future.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let answer): self.finish(context: context, head: head, answer: answer)
            case .failure: self.finish(context: context, head: head, answer: Self.tryLater("the server is shutting down"))
            }
        }
    }

    /// 200 `ok`, then a `warning: …` line for each warning; or 503 with one problem a line, then the warnings.
    static func healthAnswer(_ report: HealthCheck.Report) -> ServedAnswer {
        let warnings = report.warnings.map { "warning: \($0)\n" }.joined()
        return report.problems.isEmpty
            ? ServedAnswer(status: .ok, contentType: "text/plain; charset=utf-8", headers: [("Cache-Control", "no-store")], body: Array("ok\n\(warnings)".utf8))
            : ServedAnswer(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8", headers: [("Cache-Control", "no-store")],
                           body: Array((report.problems.map { $0 + "\n" }.joined() + warnings).utf8))
    }

    /// 503 for a health check or a scrape that found no free worker: a load balancer must not read it as healthy.
    static func unavailable(_ reason: String) -> ServedAnswer {
        ServedAnswer(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8", headers: [("Cache-Control", "no-store")], body: Array("\(reason)\n".utf8))
    }

    static func tryLater(_ reason: String) -> ServedAnswer {
        ServedAnswer(status: .ok, contentType: "application/ocsp-response", headers: [("Cache-Control", "no-store")],
                     body: OCSPResponse.error(.tryLater), decision: LoggedDecision(.refusal(.tryLater, reason)))
    }

    /// Writes `answer`, logs the request, and either closes or waits for the next request.
    /// `refusedMidRequest`: the request was refused before all of it was read (413, 408), so the connection
    /// closes whatever the request asked, and lingering (`closeLingering`): the client may still be sending.
    private func finish(context: ChannelHandlerContext, head: HTTPRequestHead, answer: ServedAnswer, refusedMidRequest: Bool = false) {
        guard !closing else { return }
        answering = false
        let keepAlive = head.isKeepAlive && !refusedMidRequest && !server.isDraining
        var headers = HTTPHeaders()
        if let type = answer.contentType { headers.add(name: "Content-Type", value: type) }
        headers.add(name: "Content-Length", value: String(answer.body.count))
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")

        server.metrics.countRequest(method: head.method, status: answer.status)
        if let series = answer.decision?.responseSeries {
            server.metrics.countAnswer(series: series, nanoseconds: RunClock.monotonicNanoseconds() - requestEnded)
        }
        let isOCSPGet = head.method != .POST && answer.contentType == "application/ocsp-response" || (head.method != .POST && answer.status == .notModified)
        server.accessLog.record(
            client: context.channel.remoteAddress?.logText ?? "-", method: head.method.rawValue,
            target: isOCSPGet ? "/<ocsp-request>" : head.uri, version: Self.versionText(head.version), status: Int(answer.status.code),
            bytes: head.method == .HEAD ? 0 : answer.body.count, referer: head.headers.first(name: "referer"),
            userAgent: head.headers.first(name: "user-agent"), detail: answer.logDetail
        )

        // The request is done before its answer is written: writing the answer's end lets NIOHTTP1's pipelining
        // handler hand over the next request at once, from inside the write, and that request must find a clean
        // state. Cleared after the write, a next request whose body was still on its way lost its head and was
        // never answered (found by FuzzHTTPServer: Tests/FuzzCorpus/FuzzHTTPServer/crash-pipelined-*).
        self.head = nil
        body = []
        rejection = nil
        if keepAlive {
            armDeadline(context: context)
        } else {
            closing = true
            deadline?.cancel()
        }

        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.status, headers: headers))), promise: nil)
        if head.method != .HEAD && !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in
                if refusedMidRequest { self.closeLingering(context: context) } else { context.close(promise: nil) }
            }
        }
    }

    /// Closes a connection whose client may still be sending the request that was refused (413, or 408 for a
    /// request begun and not finished in time): the answer has gone, so only our side is shut (the client
    /// reads the answer, then the end of the stream), and whatever still arrives is read and dropped until
    /// the client closes or `lingerTime` has passed. Closed at once, the kernel answers the bytes still
    /// arriving with a reset, which can reach the client before it has read the answer (RFC 9112 §9.6).
    /// A channel that cannot half-close (the fuzz target's) closes at once.
    ///
    /// The callback is attached before the close starts, and arms the timer only while the channel is still
    /// active: a channel that closed whole (EmbeddedChannel ignores the mode) has had its `channelInactive`
    /// already, and a timer armed after it kept the connection alive through its closure (found by
    /// FuzzHTTPServer as a leak: Tests/FuzzCorpus/FuzzHTTPServer/leak-lingering-408.http).
    private func closeLingering(context: ChannelHandlerContext) {
        let outputClosed = context.eventLoop.makePromise(of: Void.self)
        outputClosed.futureResult.assumeIsolated().whenComplete { [self] result in
            guard case .success = result, context.channel.isActive else {
                context.close(promise: nil)
                return
            }
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: min(Self.lingerTime, server.requestTimeout)) {
                context.close(promise: nil)
            }
        }
        context.close(mode: .output, promise: outputClosed)
    }

    /// How long a refused client's remaining bytes are read and dropped before its connection closes (at most the
    /// request timeout).
    static let lingerTime = TimeAmount.seconds(2)

    /// The request line's version as the access log writes it; the usual two without formatting (interpolating
    /// an `HTTPVersion` went through its `description`, a measurable share of a cached answer).
    static func versionText(_ version: HTTPVersion) -> String {
        switch (version.major, version.minor) {
        case (1, 1): "HTTP/1.1"
        case (1, 0): "HTTP/1.0"
        default: "HTTP/\(version.major).\(version.minor)"
        }
    }

    /// A client gets `requestTimeout` to send its next whole request; then the connection is closed,
    /// with a 408 when part of a request had arrived.
    private func armDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: server.requestTimeout) { [self] in
            guard !answering, !closing else { return }
            if let head {
                finish(context: context, head: head, answer: .httpError(.requestTimeout, "the request was not sent in time"), refusedMidRequest: true)
            } else {
                closing = true
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Parser errors were answered (400) by NIOHTTP1's error handler in front; anything else ends the connection.
        closing = true
        context.close(promise: nil)
    }
}
