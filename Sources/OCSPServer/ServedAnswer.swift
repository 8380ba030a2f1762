import OCSPCore
import OCSPWire
import NIOHTTP1

/// What a worker thread decided for one HTTP request, ready for the event loop to write: built off the
/// loop (signing, hashing, dates), handed back as plain values.
package struct ServedAnswer: Sendable {
    package var status: HTTPResponseStatus
    package var contentType: String?
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// What the responder decided, for the access log; nil for plain HTTP errors.
    package var decision: LoggedDecision?
    /// How long the answer took, for the access log (`ms=`); nil when it is not measured.
    package var milliseconds: Double?

    package init(status: HTTPResponseStatus, contentType: String?, headers: [(String, String)] = [], body: [UInt8],
                 decision: LoggedDecision? = nil, milliseconds: Double? = nil) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.decision = decision
        self.milliseconds = milliseconds
    }

    /// An OCSP response: with the caching headers when `caching` is given, and `304 Not Modified` without a
    /// body when `ifNoneMatch` names it; with `Cache-Control: no-store` when it is not (an error status or
    /// a nonce answer is for this request alone).
    static func ocspResponse(
        _ der: [UInt8], caching: ResponseCaching?, ifNoneMatch: String?, at now: UnixTime, decision: LoggedDecision?, milliseconds: Double? = nil
    ) -> ServedAnswer {
        guard let caching else {
            return ServedAnswer(status: .ok, contentType: "application/ocsp-response", headers: [("Cache-Control", "no-store")],
                                body: der, decision: decision, milliseconds: milliseconds)
        }
        if let ifNoneMatch, caching.isMatched(byIfNoneMatch: ifNoneMatch) {
            return ServedAnswer(status: .notModified, contentType: nil, headers: caching.headers(at: now), body: [],
                                decision: decision, milliseconds: milliseconds)
        }
        return ServedAnswer(status: .ok, contentType: "application/ocsp-response", headers: caching.headers(at: now), body: der,
                            decision: decision, milliseconds: milliseconds)
    }

    /// The access log's OCSP part: the decision's text (`ocsp=successful cache=hit certs=…`) and `ms=`.
    var logDetail: String {
        var detail = decision?.text ?? ""
        if let milliseconds { detail += detail.isEmpty ? "ms=\(milliseconds)" : " ms=\(milliseconds)" }
        return detail
    }

    /// `tryLater` for a client over `--rate-limit`, with `Retry-After` (RFC 9110 §10.2.3): HTTP 200, as
    /// every OCSP answer, unsigned (RFC 6960 §4.2.1).
    static func rateLimited(retryAfter: Int, limit: RateLimit) -> ServedAnswer {
        ServedAnswer(status: .ok, contentType: "application/ocsp-response",
                     headers: [("Cache-Control", "no-store"), ("Retry-After", String(retryAfter))], body: OCSPResponse.error(.tryLater),
                     decision: LoggedDecision(.refusal(.tryLater, "rate limited (\(limit.text), burst \(limit.burst)), retry after \(retryAfter) s")))
    }

    /// A plain-text HTTP error (400, 405, 413, 415, …): the request never reached the responder.
    package static func httpError(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> ServedAnswer {
        ServedAnswer(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array("\(message)\n".utf8))
    }
}

/// A responder's `Decision` as `serve` carries it to the access log: the value itself, for whatever else
/// wants it, and its text (`Decision.logText`), made once off the event loop (and once for an answer the
/// event loop repeats: `RecentAnswers`).
package struct LoggedDecision: Sendable {
    package let decision: Decision
    package let text: String
    /// Its series of `ocsp_responses_total` (`ServeMetrics.responseIndex`), worked out here too, so that the
    /// event loop only adds to it.
    let responseSeries: Int

    package init(_ decision: Decision) {
        self.decision = decision
        self.text = decision.logText(for: .access)
        self.responseSeries = ServeMetrics.responseIndex(decision)
    }
}
