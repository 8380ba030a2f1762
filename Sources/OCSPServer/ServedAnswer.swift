import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire
import NIOHTTP1

/// What a worker thread decided for one HTTP request, ready for the event loop to write: built off the
/// loop (signing, hashing, dates), handed back as plain values.
package struct ServedAnswer: Sendable {
    package var status: HTTPResponseStatus
    package var contentType: String?
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// The OCSP part of the access log line (`ocsp=successful cache=hit certs=…`); empty for plain HTTP errors.
    package var logDetail: String

    package init(status: HTTPResponseStatus, contentType: String?, headers: [(String, String)] = [], body: [UInt8], logDetail: String = "") {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.logDetail = logDetail
    }

    /// An OCSP response: with the caching headers when `caching` is given, and `304 Not Modified` without a
    /// body when `ifNoneMatch` names it; with `Cache-Control: no-store` when it is not (an error status or
    /// a nonce answer is for this request alone).
    static func ocspResponse(_ der: [UInt8], caching: ResponseCaching?, ifNoneMatch: String?, at now: UnixTime, logDetail: String) -> ServedAnswer {
        guard let caching else {
            return ServedAnswer(status: .ok, contentType: "application/ocsp-response", headers: [("Cache-Control", "no-store")],
                                body: der, logDetail: logDetail)
        }
        if let ifNoneMatch, caching.isMatched(byIfNoneMatch: ifNoneMatch) {
            return ServedAnswer(status: .notModified, contentType: nil, headers: caching.headers(at: now), body: [], logDetail: logDetail)
        }
        return ServedAnswer(status: .ok, contentType: "application/ocsp-response", headers: caching.headers(at: now), body: der, logDetail: logDetail)
    }

    func withLogDetail(_ detail: String) -> ServedAnswer {
        var answer = self
        answer.logDetail = detail
        return answer
    }

    /// A plain-text HTTP error (400, 405, 413, 415, …): the request never reached the responder.
    package static func httpError(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> ServedAnswer {
        ServedAnswer(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array("\(message)\n".utf8))
    }
}
