import OCSPCore
import OCSPFuzzing
import OCSPRuntime
import OCSPServer
import OCSPWire
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// What the HTTP fuzzer drives: the bytes a client sends on one connection of `serve`, through the handlers
/// `serve` puts on every connection (`addServeHandlers`), on an EmbeddedChannel with no socket and no threads.
/// Behind it, the answer path of FuzzRespond (two CAs with tables in memory, one whose database fails), with a
/// cache in memory so that a repeated request is a hit, and its repeats answered by the event loop
/// (`RecentAnswers`), as `serve` does with `[ocsp] cache`.
///
/// Each input is sent twice, on two fresh connections: whole, as one read, and in small pieces with the
/// worker's answers coming back between pieces. Then the request timeout passes on each. Beyond not crashing,
/// what the client reads must be well-formed HTTP/1.1 (`ResponseStreamCheck`), one answer per request
/// (`ExchangeCheck`), both connections must give the same statuses, and both must end closed.
/// A broken rule stops the process with a message, so libFuzzer keeps the input.
package enum HTTPFuzzHarness {
    /// `serve`'s limit is 64 KiB; the fuzzer's inputs are at most 4 KiB (scripts/fuzz.sh), so the harness
    /// lowers it to reach the 413 paths. Requests with several CertIDs still fit.
    static let maximumBodySize = 1024

    package static func serve(_ bytes: [UInt8]) {
        let whole = FuzzedConnection()
        whole.receive(bytes[...])
        let wholeStatuses = whole.finish()

        // Pieces of 1 to 61 bytes, fixed by the input's length so that a run is repeatable; at most 16 of them,
        // as each read costs NIO's decoder a pass and the fuzzer its speed.
        let pieceSize = max(1 + bytes.count % 61, bytes.count / 16)
        let pieces = FuzzedConnection()
        var start = 0
        while start < bytes.count {
            pieces.receive(bytes[start..<min(start + pieceSize, bytes.count)])
            start += pieceSize
        }
        let pieceStatuses = pieces.finish()
        check(wholeStatuses == pieceStatuses, "the same bytes in pieces got \(pieceStatuses), whole \(wholeStatuses)")
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("HTTPFuzzHarness: \(message())") }
    }
}

/// One connection of `serve` on an EmbeddedChannel, with a worker of its own that answers when told to.
final class FuzzedConnection {
    let channel = EmbeddedChannel()
    let workers: QueuedWorkers
    let exchanges: ExchangeCheck
    var stream = ResponseStreamCheck()
    let server: ServerContext
    static let requestTimeout = TimeAmount.seconds(10)

    init() {
        let fixtures = FuzzHarness.fixtures
        let responder = OCSPResponder(authorities: fixtures.authorities(notFound: .unknown, intermediateFile: []), cache: MemoryCache())
        // As with `[ocsp] cache`: a request answered from the cache is kept, and the event loop answers its repeats.
        let recentAnswers = RecentAnswers(capacity: 16)
        workers = QueuedWorkers(worker: ServeWorker(responder: responder, recentAnswers: recentAnswers))
        server = ServerContext(
            generation: ServeGeneration(pool: workers, health: Self.health, recentAnswers: recentAnswers),
            accessLog: Self.accessLog, requestTimeout: Self.requestTimeout, maximumBodySize: HTTPFuzzHarness.maximumBodySize
        )
        exchanges = ExchangeCheck(maximumBodySize: HTTPFuzzHarness.maximumBodySize)
        do {
            try channel.pipeline.syncOperations.addServeHandlers(server: server)
            // Watches what reaches OCSPHTTPHandler and what it writes; passes everything on unchanged.
            let handler = try channel.pipeline.syncOperations.handler(type: NIOHTTP1.HTTPServerProtocolErrorHandler.self)
            try channel.pipeline.syncOperations.addHandler(exchanges, position: .after(handler))
            try channel.pipeline.syncOperations.addHandler(ClosedSocketWrites(), position: .first)
            try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 40000)).wait()
        } catch {
            HTTPFuzzHarness.check(false, "cannot set up the connection: \(error.inputReason)")
        }
    }

    /// No tables and no keys: `/health` answers without touching a database.
    static let health = HealthCheck(
        database: .init(backend: .sqlite(path: "/nonexistent"), table: "list_certs", timeoutSeconds: 1), tables: [], signings: []
    )
    /// The access log line is built (its escaping is client-controlled text) and thrown away.
    static let accessLog = AccessLog(destination: (try? LogDestination.file("/dev/null")) ?? .standardError)

    /// Bytes as one read from the socket; then the worker answers whatever was handed to it, and what
    /// the client has been sent so far is read and checked.
    func receive(_ bytes: ArraySlice<UInt8>) {
        if channel.isActive {
            _ = try? channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        }
        workers.runAll()
        readOutbound()
        if channel.isActive {
            // While the connection stays open, no complete request may be left without its answer.
            HTTPFuzzHarness.check(exchanges.unansweredCompleteRequests == 0, "a complete request was left unanswered on an open connection")
        }
    }

    /// Lets the request timeout pass, checks that the connection is closed, and gives the statuses it sent.
    func finish() -> [UInt] {
        channel.embeddedEventLoop.advanceTime(by: Self.requestTimeout + .seconds(1))
        workers.runAll()
        readOutbound()
        HTTPFuzzHarness.check(!channel.isActive, "the connection is still open after the request timeout")
        HTTPFuzzHarness.check(workers.pending == 0, "a worker job is left after the connection closed")
        stream.checkComplete(answeredBy: exchanges)
        _ = try? channel.finish()
        // The EmbeddedChannel takes its handlers out in a task of its loop: run it, or each connection leaks.
        channel.embeddedEventLoop.run()
        return stream.statuses
    }

    private func readOutbound() {
        while let data = try? channel.readOutbound(as: IOData.self) {
            switch data {
            case .byteBuffer(let buffer): stream.append(buffer.readableBytesView)
            case .fileRegion: HTTPFuzzHarness.check(false, "a file region was written")
            }
        }
        stream.parse(answeredBy: exchanges)
    }
}

/// What a socket does and an EmbeddedChannel does not: refuse writes once closed. Without it, what handlers
/// write while the connection is being torn down (NIOHTTP1's 400 for the request cut short by the close)
/// would look sent, when on a socket it never leaves the server.
final class ClosedSocketWrites: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard context.channel.isActive else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }
}

/// The worker hop of `serve` made deterministic: a job waits in a queue until the harness runs it, on its
/// own thread (the EmbeddedChannel's), so each input finishes before the next one starts.
final class QueuedWorkers: ServeWorkers, @unchecked Sendable {
    // @unchecked: used only on the thread of the EmbeddedChannel that owns it.
    private let worker: ServeWorker
    private var queue: [(ServeWorker) -> Void] = []

    init(worker: ServeWorker) {
        self.worker = worker
    }

    var pending: Int { queue.count }

    func run<Result: Sendable>(on eventLoop: any EventLoop, _ body: @escaping @Sendable (ServeWorker) -> Result) -> EventLoopFuture<Result>? {
        // NIOHTTP1's pipelining handler hands over one request at a time: a second job is a second answer in the making.
        HTTPFuzzHarness.check(queue.isEmpty, "a second worker job on one connection while the first is pending")
        let promise = eventLoop.makePromise(of: Result.self)
        queue.append { worker in promise.succeed(body(worker)) }
        return promise.futureResult
    }

    /// Runs the jobs, including those that answering the first ones lets in (the next pipelined request).
    func runAll() {
        while !queue.isEmpty {
            queue.removeFirst()(worker)
        }
    }
}

/// The responses `serve` keeps, in memory, per connection: a repeated request is answered from here.
final class MemoryCache: ResponseCache {
    private var entries: [CertID: KeptResponse] = [:]
    func storedResponse(for certID: CertID) -> KeptResponse? { entries[certID] }
    func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime) { entries[certID] = KeptResponse(der: der, checkedAt: checkedAt) }
    func renew(_ certID: CertID, checkedAt: UnixTime) { entries[certID]?.checkedAt = checkedAt }
    func discard(_ certID: CertID) { entries[certID] = nil }
}
