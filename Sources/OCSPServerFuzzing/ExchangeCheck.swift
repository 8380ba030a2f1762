import NIOCore
import NIOHTTP1

/// Placed just before OCSPHTTPHandler, passing everything on unchanged: records each request as the handler
/// receives it and each answer it writes, and stops the fuzzer when the handler answers a request twice,
/// answers nothing, or holds a body past the limit without refusing it.
final class ExchangeCheck: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Exchange {
        var request: HTTPRequestHead
        var bodyBytes = 0
        var requestEnded = false
        var answer: HTTPResponseStatus?
        /// `100 Continue` heads written for it: at most one, and only when it asked (`Expect: 100-continue`).
        var continues = 0
    }

    private let maximumBodySize: Int
    private var exchanges: [Exchange] = []
    /// Indices into `exchanges`, in the order they were answered.
    private var answerOrder: [Int] = []

    init(maximumBodySize: Int) {
        self.maximumBodySize = maximumBodySize
    }

    /// The request the handler's `index`th answer went to, and that answer's status.
    func answered(_ index: Int) -> Exchange? {
        index < answerOrder.count ? exchanges[answerOrder[index]] : nil
    }

    var answerCount: Int { answerOrder.count }

    /// Indices into `exchanges` of the requests sent a `100 Continue`, in the order they were.
    private var continueOrder: [Int] = []

    /// The request the handler's `index`th `100 Continue` went to.
    func continued(_ index: Int) -> Exchange? {
        index < continueOrder.count ? exchanges[continueOrder[index]] : nil
    }

    var unansweredCompleteRequests: Int { exchanges.count(where: { $0.requestEnded && $0.answer == nil }) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            HTTPFuzzHarness.check(exchanges.last.map(\.requestEnded) ?? true, "a request head arrived before the previous request ended")
            exchanges.append(Exchange(request: head))
        case .body(let chunk):
            exchanges[exchanges.count - 1].bodyBytes += chunk.readableBytes
        case .end:
            exchanges[exchanges.count - 1].requestEnded = true
        }
        context.fireChannelRead(data)
        if case .body = part, let current = exchanges.last, current.bodyBytes > maximumBodySize, context.channel.isActive {
            // The body beyond the limit must be refused at once (413 and close), not collected.
            HTTPFuzzHarness.check(current.answer != nil, "a body of \(current.bodyBytes) bytes is held without an answer")
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let response) = unwrapOutboundIn(data), response.status.code < 200 {
            // An interim answer goes to the request waiting for its final one, which must have asked for it.
            guard let index = exchanges.firstIndex(where: { $0.answer == nil }) else {
                HTTPFuzzHarness.check(false, "a \(response.status.code) with no request waiting for an answer")
                return
            }
            let request = exchanges[index].request
            HTTPFuzzHarness.check(response.status == .continue, "an interim \(response.status.code)")
            HTTPFuzzHarness.check(request.version == .http1_1, "a 100 Continue to an \(request.version) request")
            HTTPFuzzHarness.check(
                request.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }, "a 100 Continue no request asked for")
            HTTPFuzzHarness.check(exchanges[index].continues == 0, "a second 100 Continue for one request")
            exchanges[index].continues += 1
            continueOrder.append(index)
        } else if case .head(let response) = unwrapOutboundIn(data) {
            // Answers go to requests in the order they came; none is answered twice.
            guard let index = exchanges.firstIndex(where: { $0.answer == nil }) else {
                HTTPFuzzHarness.check(false, "an answer (\(response.status.code)) with no request waiting for one")
                return
            }
            exchanges[index].answer = response.status
            answerOrder.append(index)
        }
        context.write(data, promise: promise)
    }
}
