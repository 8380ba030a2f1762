import OCSPCore
import OCSPRuntime
@testable import OCSPServer
import OCSPWire
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The pieces of `serve` that need no server: GET decoding, caching headers and ETags, the content type
/// check, the answers repeated from memory, the access log.
@Suite("Serve units")
struct ServeUnitTests {
    /// One DER element (a SEQUENCE of six octets) whose base64, `MAb7/78+P/8=`, has `/`, `+` and padding.
    static let element: [UInt8] = [0x30, 0x06, 0xFB, 0xFF, 0xBF, 0x3E, 0x3F, 0xFF]

    @Test("GET decoding: padded, unpadded, percent-encoded or not, split over segments, under a prefix")
    func getDecoding() {
        let base64 = Data(Self.element).base64EncodedString()
        #expect(base64 == "MAb7/78+P/8=")
        for target in ["/MAb7/78+P/8=", "/MAb7/78+P/8", "/MAb7%2F78%2BP%2F8%3D", "/MAb7%2f78%2bP%2f8%3d", "/ocsp/MAb7/78+P/8=",
                       "/a/b/MAb7%2F78+P/8", "http://ocsp.example/ocsp/MAb7/78+P/8=", "/MAb7/78+P/8=?x=1"] {
            #expect(GETRequestDecoding.decode(target: target) == Self.element, "\(target)")
        }
        // Not base64, or a broken escape: HTTP 400.
        for target in ["/", "/not*base64", "/%zz", "/MAb7%2"] {
            #expect(GETRequestDecoding.decode(target: target) == nil, "\(target)")
        }
        // Base64 that is not one DER element is still handed on, for a malformedRequest answer.
        #expect(GETRequestDecoding.decode(target: "/aGVsbG8=") == Array("hello".utf8))
    }

    @Test("Percent-decoding and the one-DER-element test")
    func getDecodingParts() {
        #expect(GETRequestDecoding.percentDecode(Array("a%2Bb+c%3d".utf8)[...]) == Array("a+b+c=".utf8))
        #expect(GETRequestDecoding.percentDecode(Array("%4".utf8)[...]) == nil)
        #expect(GETRequestDecoding.isOneDERElement(Self.element))
        #expect(!GETRequestDecoding.isOneDERElement(Self.element + [0x00]))
        #expect(!GETRequestDecoding.isOneDERElement(Array(Self.element.dropLast())))
        #expect(GETRequestDecoding.isOneDERElement([0x30, 0x81, 0x01, 0x05]))
        #expect(!GETRequestDecoding.isOneDERElement([0x1F, 0x00]))
    }

    @Test("ETags match exactly, weakly, in lists and by *; headers count max-age from now")
    func etagsAndHeaders() {
        let caching = ResponseCaching(thisUpdate: UnixTime(seconds: 1_700_000_000), nextUpdate: UnixTime(seconds: 1_700_086_400),
                                      etag: "\"0a1b\"")
        #expect(caching.isMatched(byIfNoneMatch: "\"0a1b\""))
        #expect(caching.isMatched(byIfNoneMatch: "W/\"0a1b\""))
        #expect(caching.isMatched(byIfNoneMatch: "\"ffff\", \t\"0a1b\" "))
        #expect(caching.isMatched(byIfNoneMatch: "*"))
        #expect(!caching.isMatched(byIfNoneMatch: "\"0A1B\""))
        #expect(!caching.isMatched(byIfNoneMatch: "0a1b"))
        #expect(!caching.isMatched(byIfNoneMatch: ""))

        let headers = Dictionary(uniqueKeysWithValues: caching.headers(at: UnixTime(seconds: 1_700_000_100)))
        #expect(headers["Cache-Control"] == "max-age=86300, public, no-transform, must-revalidate")
        #expect(headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(headers["Expires"] == "Wed, 15 Nov 2023 22:13:20 GMT")
        #expect(headers["ETag"] == "\"0a1b\"")
        let late = Dictionary(uniqueKeysWithValues: caching.headers(at: UnixTime(seconds: 1_800_000_000)))
        #expect(late["Cache-Control"] == "max-age=0, public, no-transform, must-revalidate")
        #expect(HTTPDate.commonLog(UnixTime(seconds: 1_700_000_000)) == "14/Nov/2023:22:13:20 +0000")
    }

    @Test("An answer with caching facts gets 304 on a matching If-None-Match; one without gets no-store")
    func ocspResponseAnswers() {
        let caching = ResponseCaching(thisUpdate: UnixTime(seconds: 100), nextUpdate: UnixTime(seconds: 200), etag: "\"ab\"")
        let body: [UInt8] = [1, 2, 3]
        let full = ServedAnswer.ocspResponse(body, caching: caching, ifNoneMatch: "\"cd\"", at: UnixTime(seconds: 150), decision: nil)
        #expect(full.status == .ok && full.body == body && full.contentType == "application/ocsp-response")
        #expect(full.headers.contains { $0 == ("Cache-Control", "max-age=50, public, no-transform, must-revalidate") })
        let notModified = ServedAnswer.ocspResponse(body, caching: caching, ifNoneMatch: "\"ab\"", at: UnixTime(seconds: 150), decision: nil)
        #expect(notModified.status == .notModified && notModified.body.isEmpty && notModified.contentType == nil)
        #expect(notModified.headers.contains { $0 == ("ETag", "\"ab\"") })
        let uncached = ServedAnswer.ocspResponse(body, caching: nil, ifNoneMatch: "*", at: UnixTime(seconds: 150), decision: nil)
        #expect(uncached.status == .ok && uncached.body == body)
        #expect(uncached.headers.map(\.0) == ["Cache-Control"] && uncached.headers.first?.1 == "no-store")
    }

    @Test("The POST content type: any case, spaces, parameters; nothing else")
    func contentType() {
        for good in ["application/ocsp-request", "Application/OCSP-Request", " application/ocsp-request ", "application/ocsp-request; charset=x",
                     "\tapplication/ocsp-request\t;q"] {
            #expect(OCSPHTTPHandler.isOCSPRequestType(good), "\(good)")
        }
        for bad in ["", "application/ocsp-response", "application/ocsp-requests", "application/ocsp_request", "text/plain",
                    "application/ocsp-request-x", "application\u{2F}ocsp-reque", "APPLICATION\u{0F}OCSP-REQUEST"] {
            #expect(!OCSPHTTPHandler.isOCSPRequestType(bad), "\(bad)")
        }
    }

    @Test("The access log's client address and HTTP version, formatted without NIO's descriptions")
    func accessLogFields() throws {
        for address in ["127.0.0.1", "192.0.2.255", "0.0.0.0", "255.255.255.255", "10.20.30.40"] {
            #expect(try SocketAddress(ipAddress: address, port: 80).logText == address)
        }
        #expect(try SocketAddress(ipAddress: "2001:db8::1", port: 80).logText == "2001:db8::1")
        #expect(OCSPHTTPHandler.versionText(.http1_1) == "HTTP/1.1")
        #expect(OCSPHTTPHandler.versionText(.http1_0) == "HTTP/1.0")
        #expect(OCSPHTTPHandler.versionText(HTTPVersion(major: 2, minor: 0)) == "HTTP/2.0")
    }

    @Test("Answers repeated from memory: within the revalidation interval and the response's validity only; bounded")
    func recentAnswers() {
        let answers = RecentAnswers(capacity: 2, revalidationInterval: .nanoseconds(1_000))
        let origin = ContinuousClock.now
        func at(_ nanoseconds: Int) -> ContinuousClock.Instant { origin + .nanoseconds(nanoseconds) }
        let caching = ResponseCaching(thisUpdate: UnixTime(seconds: 100), nextUpdate: UnixTime(seconds: 200), etag: "\"ab\"")
        let request: [UInt8] = [0x30, 0x00]
        answers.keep(body: [9], caching: caching, decision: LoggedDecision(Decision(status: .successful, cache: .memory)), for: request, monotonicNow: at(5_000), untilRevalidation: .nanoseconds(5_000))
        #expect(answers.entry(for: request, monotonicNow: at(5_000), now: UnixTime(seconds: 150))?.body == [9])
        #expect(answers.entry(for: request, monotonicNow: at(5_999), now: UnixTime(seconds: 150)) != nil)
        // The interval is over: a worker must look at the file cache again.
        #expect(answers.entry(for: request, monotonicNow: at(6_000), now: UnixTime(seconds: 150)) == nil)
        // Outside the response's own validity.
        #expect(answers.entry(for: request, monotonicNow: at(5_500), now: UnixTime(seconds: 200)) == nil)
        #expect(answers.entry(for: request, monotonicNow: at(5_500), now: UnixTime(seconds: 99)) == nil)
        // Another request's bytes are another entry.
        #expect(answers.entry(for: [0x30, 0x01, 0x00], monotonicNow: at(5_500), now: UnixTime(seconds: 150)) == nil)

        answers.forget(request)
        #expect(answers.entry(for: request, monotonicNow: at(5_500), now: UnixTime(seconds: 150)) == nil)
        for index in 0..<5 {
            answers.keep(body: [UInt8(index)], caching: caching, decision: LoggedDecision(Decision(status: .successful, cache: .memory)), for: [0x30, UInt8(index)], monotonicNow: at(5_000), untilRevalidation: .nanoseconds(5_000))
        }
        #expect(answers.count == 2)
        #expect(answers.entry(for: [0x30, 4], monotonicNow: at(5_500), now: UnixTime(seconds: 150))?.body == [4])
        // Never past the response's revalidation: kept for what is left of it, or not at all.
        answers.keep(body: [7], caching: caching, decision: LoggedDecision(Decision(status: .successful, cache: .memory)), for: request, monotonicNow: at(5_000), untilRevalidation: .nanoseconds(300))
        #expect(answers.entry(for: request, monotonicNow: at(5_299), now: UnixTime(seconds: 150))?.body == [7])
        #expect(answers.entry(for: request, monotonicNow: at(5_300), now: UnixTime(seconds: 150)) == nil)
        answers.keep(body: [8], caching: caching, decision: LoggedDecision(Decision(status: .successful, cache: .memory)), for: request, monotonicNow: at(5_000), untilRevalidation: .nanoseconds(0))
        #expect(answers.entry(for: request, monotonicNow: at(5_000), now: UnixTime(seconds: 150)) == nil)
    }

    @Test("Statuses for nonce requests: used again within the window, read again after it; not-found and failures never kept")
    func recentStatuses() throws {
        final class CountingTable: CertificateStatusSource {
            var rows: [CertificateSerialNumber: RecordedStatus] = [:]
            var failure: StatusSourceError?
            var reads = 0
            func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
                reads += 1
                if let failure { throw failure }
                return rows[serial]
            }
        }
        let good = CertificateSerialNumber(magnitude: [0x10, 0x01]), missing = CertificateSerialNumber(magnitude: [0x10, 0x02])
        let table = CountingTable()
        table.rows[good] = .good
        let source = RecentStatuses(capacity: 8, window: .seconds(60)).remembering(table)
        #expect(try source.status(of: good) == .good)
        table.rows[good] = .revoked(at: UnixTime(seconds: 5), reason: nil)
        #expect(try source.status(of: good) == .good)   // within the window: the table is not asked
        #expect(table.reads == 1)
        #expect(try source.status(of: missing) == nil)
        #expect(try source.status(of: missing) == nil)
        #expect(table.reads == 3)                         // not-found is asked every time

        let expired = RecentStatuses(capacity: 8, window: .zero).remembering(table)
        #expect(try expired.status(of: good) == .revoked(at: UnixTime(seconds: 5), reason: nil))
        table.failure = StatusSourceError(.unavailable, "down")
        #expect(throws: StatusSourceError.self) { try expired.status(of: good) }
        #expect(table.reads == 5)
    }

    @Test("The access log cleans what clients send and writes in batches")
    func accessLog() throws {
        #expect(AccessLog.clean("curl/7.88.1") == "curl/7.88.1")
        #expect(AccessLog.clean("a\"b\u{01}c\u{7F}é") == "a_b_c_é")
        #expect(AccessLog.clean(String(repeating: "x", count: 300)).count == 200)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = AccessLog(destination: try LogDestination.file(path))
        log.record(client: "127.0.0.1", method: "POST", target: "/", version: "HTTP/1.1", status: 200, bytes: 457,
                   referer: nil, userAgent: "ua \"x\"", detail: "ocsp=successful")
        // Gathered, not yet written.
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
        log.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("127.0.0.1 - - ["))
        #expect(text.hasSuffix("] \"POST / HTTP/1.1\" 200 457 \"-\" \"ua _x_\" ocsp=successful\n"))
        // A full batch is written without a flush.
        let line = String(repeating: "y", count: 150)
        for _ in 0..<(AccessLog.batchBytes / 200 + 1) {
            log.record(client: "::1", method: "GET", target: "/<ocsp-request>", version: "HTTP/1.1", status: 200, bytes: 1,
                       referer: nil, userAgent: line, detail: "")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).utf8.count > AccessLog.batchBytes)
    }
}
