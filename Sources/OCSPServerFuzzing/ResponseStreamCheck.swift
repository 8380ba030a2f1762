import OCSPWire
import OCSPServer
import NIOHTTP1
import SwiftASN1

/// What the client reads, checked as a strict HTTP/1.1 client would read it: a sequence of whole responses,
/// each a status line, header fields and exactly Content-Length octets of body (none after HEAD or 304);
/// a status `serve` can give; OCSP answers typed and parseable as an OCSPResponse; nothing after a
/// `Connection: close`; nothing left over.
struct ResponseStreamCheck {
    /// Everything `serve` answers: 200 (OCSP, health, metrics), 304, 400, 405, 408, 413, 415, 503 (health, metrics).
    /// (404 is the metrics listener's, which the fuzz target does not run.)
    static let statuses: Set<UInt> = [200, 304, 400, 405, 408, 413, 415, 503]

    private var bytes: [UInt8] = []
    private var parsed = 0
    private var closeAnnounced = false
    /// The status of each final response read, in order.
    private(set) var statuses: [UInt] = []
    /// `100 Continue` responses read.
    private var continues = 0

    mutating func append(_ more: some Sequence<UInt8>) {
        bytes += more
    }

    /// Reads every response received so far. The server writes and flushes each response whole, so
    /// whatever was received must end on a response's last byte.
    mutating func parse(answeredBy exchanges: ExchangeCheck) {
        while parsed < bytes.count {
            readResponse(answeredBy: exchanges)
        }
    }

    /// At the connection's end: every answer OCSPHTTPHandler wrote reached the client, and at most one more
    /// (NIOHTTP1's 400 for a request that did not parse) came from elsewhere.
    func checkComplete(answeredBy exchanges: ExchangeCheck) {
        HTTPFuzzHarness.check(statuses.count >= exchanges.answerCount, "\(exchanges.answerCount) answers written, \(statuses.count) read")
        HTTPFuzzHarness.check(statuses.count <= exchanges.answerCount + 1, "\(statuses.count) responses for \(exchanges.answerCount) answers")
    }

    private mutating func readResponse(answeredBy exchanges: ExchangeCheck) {
        func fail(_ problem: String) -> Never {
            let received = String(decoding: bytes.prefix(2000), as: UTF8.self)
            fatalError("HTTPFuzzHarness: response \(statuses.count + 1): \(problem); received: \(received.debugDescription)")
        }
        guard !closeAnnounced else { fail("a response after `Connection: close`") }
        guard let headerEnd = bytes[parsed...].firstRange(of: [13, 10, 13, 10])?.lowerBound else { fail("a response head cut short") }
        let lines = bytes[parsed..<headerEnd].split(separator: [13, 10], omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let exchange = exchanges.answered(statuses.count)

        // The status line: our version, a three-digit status, a reason phrase.
        let statusLine = lines[0]
        let version = String(statusLine.prefix(9))
        let allowedVersions = exchange?.request.version == .http1_0 ? ["HTTP/1.1 ", "HTTP/1.0 "] : ["HTTP/1.1 "]
        guard allowedVersions.contains(version) else { fail("status line \(statusLine.debugDescription)") }
        let rest = statusLine.dropFirst(9)
        guard rest.count > 4, let status = UInt(rest.prefix(3)), rest.dropFirst(3).first == " ",
              rest.dropFirst(4).utf8.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 < 0x7F) })
        else { fail("status line \(statusLine.debugDescription)") }
        if status == 100 {
            // RFC 9110 §15.2: an interim response is a status line and fields, no body; it comes before the final
            // answer of the request that asked for it, and none follows that answer.
            guard lines.count == 1 else { fail("a 100 Continue with fields \(lines.dropFirst())") }
            guard let asked = exchanges.continued(continues) else { fail("a 100 Continue that was not written") }
            if let next = exchange {
                guard next.request == asked.request else { fail("a 100 Continue for another request than the next answered") }
            }
            continues += 1
            parsed = headerEnd + 4
            return
        }
        guard Self.statuses.contains(status) else { fail("status \(status)") }

        // Header fields: a token, a colon, a value with no control characters.
        var fields: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  line[..<colon].utf8.allSatisfy(Self.isTokenCharacter),
                  line[line.index(after: colon)...].utf8.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) })
            else { fail("header line \(line.debugDescription)") }
            fields.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces))
        }
        func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
        // NIOHTTP1's encoder drops Content-Length from a 304, which has no body (RFC 9110 §8.6 allows either).
        let lengths = status == 304 && values("content-length").isEmpty ? ["0"] : values("content-length")
        guard lengths.count == 1, let length = Int(lengths[0]), lengths[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { fail("Content-Length \(lengths)") }
        guard values("connection").count == 1, ["keep-alive", "close"].contains(values("connection")[0])
        else { fail("Connection \(values("connection"))") }
        guard values("content-type").count <= 1 else { fail("Content-Type \(values("content-type"))") }
        // RFC 9110 §6.6.1: every final response of a server with a clock carries one Date, an IMF-fixdate.
        guard values("date").count == 1, Self.isIMFFixdate(values("date")[0]) else { fail("Date \(values("date"))") }
        let contentType = values("content-type").first

        let bodyless = exchange?.request.method == .HEAD || status == 304
        let bodyStart = headerEnd + 4
        let bodyEnd = bodyStart + (bodyless ? 0 : length)
        guard bodyEnd <= bytes.count else { fail("a body of \(bytes.count - bodyStart) bytes for Content-Length \(length)") }
        let body = Array(bytes[bodyStart..<bodyEnd])

        if let exchange {
            guard exchange.answer?.code == status else { fail("status \(status) read, \(exchange.answer?.code ?? 0) written") }
            let uri = exchange.request.uri
            let isHealth = exchange.request.method != .POST && (uri == "/health" || uri.hasPrefix("/health?"))
            let isScrape = exchange.request.method != .POST && ServeMetrics.isScrape(target: uri)
            switch status {
            case 200 where isHealth:
                guard contentType == "text/plain; charset=utf-8", bodyless || body == Array("ok\n".utf8) else { fail("health \(contentType ?? "-")") }
            case 200 where isScrape:
                guard contentType == ServeMetrics.contentType, bodyless || body.starts(with: Array("# HELP ".utf8)) else { fail("metrics \(contentType ?? "-")") }
            case 200:
                // RFC 6960 appendix A.1: every OCSP answer, error statuses included, is an OCSPResponse.
                guard contentType == "application/ocsp-response" else { fail("a 200 with Content-Type \(contentType ?? "none")") }
                guard values("cache-control").count == 1 else { fail("Cache-Control \(values("cache-control"))") }
                if !bodyless {
                    guard let response = try? OCSPResponse(derEncoded: body[...]) else { fail("a body that is not an OCSPResponse") }
                    if response.responseStatus == .successful {
                        guard (try? response.basicResponse()) != nil else { fail("a successful response without a BasicOCSPResponse") }
                    }
                }
            case 304:
                guard contentType == nil, values("etag").count == 1 else { fail("a 304 with Content-Type \(contentType ?? "none")") }
            case 503:
                guard isHealth || isScrape else { fail("a 503 outside /health and /metrics") }
            default:
                guard contentType == "text/plain; charset=utf-8" else { fail("a \(status) with Content-Type \(contentType ?? "none")") }
            }
        } else {
            // Not OCSPHTTPHandler's: NIOHTTP1's answer to a request that does not parse, the connection's last.
            guard status == 400, length == 0, values("connection") == ["close"] else { fail("status \(status) that no request was answered with") }
        }
        closeAnnounced = values("connection") == ["close"]
        statuses.append(status)
        parsed = bodyEnd
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`: RFC 9110 §5.6.7's preferred form, which a recipient must parse.
    static func isIMFFixdate(_ value: String) -> Bool {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let digits = { (text: Substring, count: Int) in text.count == count && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        let clock = parts.count == 6 ? parts[4].split(separator: ":", omittingEmptySubsequences: false) : []
        return parts.count == 6 && days.contains(String(parts[0])) && digits(parts[1], 2) && months.contains(String(parts[2]))
            && digits(parts[3], 4) && clock.count == 3 && clock.allSatisfy { digits($0, 2) } && parts[5] == "GMT"
    }

    /// RFC 9110 §5.6.2's tchar.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
