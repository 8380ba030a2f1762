import OCSPCore
import OCSPWire

/// HTTP caching of a signed response without a nonce (RFC 5019 §6.2, RFC 9919): a cache in front of the
/// responder may keep it until its nextUpdate, and a client that has it may revalidate it by ETag.
package struct ResponseCaching: Sendable, Hashable {
    package let thisUpdate: UnixTime
    package let nextUpdate: UnixTime
    /// The quoted lowercase hex SHA-256 of the response's DER.
    package let etag: String
    /// `Last-Modified` and `Expires`, formatted once: the headers are built for every answer, and an answer
    /// repeated by the event loop (RecentAnswers) is otherwise little more than them.
    private let lastModified: String
    private let expires: String

    package init(thisUpdate: UnixTime, nextUpdate: UnixTime, etag: String) {
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.etag = etag
        self.lastModified = HTTPDate.imfFixdate(thisUpdate)
        self.expires = HTTPDate.imfFixdate(nextUpdate)
    }

    /// The caching facts of `der`, the response `decision` describes (its times come from where it was
    /// signed or read, so it is not parsed again here), or nil when it must not be cached: an error status,
    /// a nonce (the answer is for one request only), or no nextUpdate (nothing bounds how long it holds).
    package static func of(_ decision: Decision, der: [UInt8], digester: some Digester) -> ResponseCaching? {
        guard decision.status == .successful, !decision.carriesNonce,
              let thisUpdate = decision.thisUpdate, let nextUpdate = decision.nextUpdate else { return nil }
        return ResponseCaching(thisUpdate: thisUpdate, nextUpdate: nextUpdate, etag: "\"\(Hex.encode(digester.digest(.sha256, der)))\"")
    }

    /// The headers RFC 5019 §6.2 recommends, with max-age counted from `now`.
    package func headers(at now: UnixTime) -> [(String, String)] {
        let maxAge = max(0, nextUpdate.seconds - now.seconds)
        return [
            ("Cache-Control", "max-age=\(maxAge), public, no-transform, must-revalidate"),
            ("Last-Modified", lastModified),
            ("Expires", expires),
            ("ETag", etag),
        ]
    }

    /// True when an `If-None-Match` header value names this response (`*`, or one of its entity tags,
    /// compared weakly as RFC 9110 §13.1.2 says).
    package func isMatched(byIfNoneMatch value: String) -> Bool {
        for candidate in value.split(separator: ",") {
            var tag = candidate.trimmingSpaces
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == etag { return true }
        }
        return false
    }
}
