import OCSPRuntime
import OCSPWire
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `check`'s HTTP/1.1 client, on NIO's `ClientBootstrap` and NIOHTTP1: one request per connection
/// (`Connection: close`), plain `http://` as OCSP responders and CA Issuers URLs use (RFC 5019 §5,
/// RFC 5280 §4.2.2.1), a bounded answer.
package enum HTTPFetch {
    /// An `http://host[:port]/path` URL.
    package struct URL: Hashable, Sendable, CustomStringConvertible {
        package var host: String
        package var port: Int
        /// The path and query, starting with `/`.
        package var target: String

        package init?(parsing text: String) {
            guard text.lowercased().hasPrefix("http://") else { return nil }
            let rest = text.dropFirst("http://".count)
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let authority = rest[..<slash]
            var target = String(rest[slash...])
            if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
            guard let hostPort = HostPort(parsing: authority) else { return nil }
            self.host = hostPort.host
            self.port = hostPort.port ?? 80
            self.target = target
        }

        package var description: String {
            "http://\(hostHeader)\(target)"
        }

        /// The Host header's value: the port left out when it is HTTP's own.
        var hostHeader: String {
            HostPort(host: host, port: port == 80 ? nil : port).text
        }
    }

    package struct Response: Sendable {
        package var status: Int
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]

        package func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Answers larger than this are refused: an OCSP response or a CA certificate is a few KiB.
    package static let maximumAnswer = 1 << 20

    package static func get(_ url: URL, accept: String, timeout: Int) throws(CommandFailure) -> Response {
        try exchange(url, method: .GET, headers: [("Accept", accept)], body: [], timeout: timeout)
    }

    package static func post(_ url: URL, body: [UInt8], contentType: String, accept: String, timeout: Int) throws(CommandFailure) -> Response {
        try exchange(
            url, method: .POST, headers: [("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Accept", accept)],
            body: body, timeout: timeout
        )
    }

    /// One request on a connection of its own, on NIO's shared event loops; the caller's thread waits.
    /// Connecting is bounded by `timeout`, and so is the rest of the exchange, as a whole.
    static func exchange(
        _ url: URL, method: HTTPMethod, headers: [(String, String)], body: [UInt8], timeout: Int
    ) throws(CommandFailure) -> Response {
        let group = MultiThreadedEventLoopGroup.singleton
        let answer = group.next().makePromise(of: Response.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(Int64(timeout)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector(answer: answer, limit: maximumAnswer))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.connect(host: url.host, port: url.port).wait()
        } catch {
            answer.fail(error)
            throw failure(connectionFailure(error, url: url))
        }
        defer { channel.close(promise: nil) }
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeout))) {
            channel.pipeline.fireErrorCaught(FetchError.timedOut)
        }
        defer { deadline.cancel() }

        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.target)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Host", value: url.hostHeader)
        head.headers.add(name: "User-Agent", value: "ocsp-responder-check")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { channel.pipeline.fireErrorCaught($0) }

        do {
            return try answer.futureResult.wait()
        } catch FetchError.timedOut {
            throw failure("cannot read the answer: timed out")
        } catch FetchError.tooLarge {
            throw failure("the answer is larger than \(maximumAnswer) bytes")
        } catch FetchError.closedEarly, HTTPParserError.invalidEOFState {
            throw failure("\(url) closed the connection before a whole HTTP answer")
        } catch let error as HTTPParserError {
            throw failure("\(url) did not answer with HTTP (\(error))")
        } catch {
            throw failure("cannot read the answer: \(reason(error))")
        }
    }

    enum FetchError: Error {
        case timedOut, tooLarge, closedEarly
    }

    static func failure(_ message: String) -> CommandFailure {
        CommandFailure(ExitStatus.Check.error, message)
    }

    /// Why a connection could not be made, as `connect(2)` or the resolver says it.
    static func connectionFailure(_ error: any Error, url: URL) -> String {
        let address = HostPort(host: url.host, port: url.port).text
        if let error = error as? NIOConnectionError {
            if let last = error.connectionErrors.last {
                return "cannot connect to \(address): \(reason(last.error))"
            }
            let resolution = error.dnsAAAAError ?? error.dnsAError
            return "cannot resolve \(url.host)\(resolution.map { ": \(reason($0))" } ?? "")"
        }
        if case ChannelError.connectTimeout = error {
            return "cannot connect to \(address): timed out"
        }
        return "cannot connect to \(address): \(reason(error))"
    }

    /// An error in words: the system's for an errno, without NIO's call-site decoration.
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "timed out" }
        return "\(error)"
    }
}

/// Gathers one HTTP answer and completes `answer` once, with it or with why there is none.
private final class AnswerCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let answer: EventLoopPromise<HTTPFetch.Response>
    private let limit: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(answer: EventLoopPromise<HTTPFetch.Response>, limit: Int) {
        self.answer = answer
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else { return finish(context, .failure(HTTPFetch.FetchError.tooLarge)) }
            body += buffer.readableBytesView
        case .end:
            guard let head else { return finish(context, .failure(HTTPFetch.FetchError.closedEarly)) }
            let headers = head.headers.map { (name: $0.name, value: $0.value) }
            finish(context, .success(HTTPFetch.Response(status: Int(head.status.code), headers: headers, body: body)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(HTTPFetch.FetchError.closedEarly))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<HTTPFetch.Response, any Error>) {
        guard !done else { return }
        done = true
        answer.completeWith(result)
        context.close(promise: nil)
    }
}
