import NIOHTTP1

/// What a worker thread decided for one HTTP request, ready for the event loop to write: built off the
/// loop (signing, hashing, dates), handed back as plain values.
public struct ServedAnswer: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String?
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The OCSP part of the access log line (`ocsp=successful cache=hit certs=…`); empty for plain HTTP errors.
    public var logDetail: String

    public init(status: HTTPResponseStatus, contentType: String?, headers: [(String, String)] = [], body: [UInt8], logDetail: String = "") {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.logDetail = logDetail
    }

    /// A plain-text HTTP error (400, 405, 413, 415, …): the request never reached the responder.
    public static func httpError(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> ServedAnswer {
        ServedAnswer(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array("\(message)\n".utf8))
    }
}
