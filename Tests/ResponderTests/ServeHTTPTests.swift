import Foundation
import Testing
import TestSupport

/// What HTTP itself requires of `serve` (issue 15, items 10–12), checked with real clients: `Host`
/// (RFC 9112 §3.2), `Expect: 100-continue` (RFC 9110 §10.1.1) and `Date` (RFC 9110 §6.6.1).
@Suite("Serve HTTP rules", .serialized)
struct ServeHTTPTests {
    /// Sends each raw request on a connection of its own (Python, so that nothing adds or fixes a field) and
    /// gives each status line; a request is a Python bytes literal's content.
    static func rawStatusLines(_ server: ServeHarness, _ requests: [String]) throws -> [String] {
        let script = """
            import socket, sys
            port = int(sys.argv[1])
            for raw in sys.argv[2:]:
                s = socket.create_connection(('127.0.0.1', port), timeout=10)
                s.sendall(raw.encode('latin-1').decode('unicode_escape').encode('latin-1'))
                data = b''
                while b'\\r\\n' not in data:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
                print(data.split(b'\\r\\n')[0].decode())
                s.close()
            """
        let python = try run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3",
                             ["-c", script, "\(server.port)"] + requests)
        guard python.status == 0 else { throw TestFailure("python: \(python.stderr)") }
        return python.stdoutText.split(separator: "\n").map(String.init)
    }

    @Test("HTTP/1.1 without Host, with two Host lines or a malformed one gets 400; HTTP/1.0 without Host is answered")
    func hostIsRequired() throws {
        let server = try ServeHarness()
        let path = "/" + (try server.request(["good.pem"])).base64EncodedString()
        let lines = try Self.rawStatusLines(server, [
            "GET \(path) HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n",
            "GET \(path) HTTP/1.1\\r\\nHost: ocsp.example\\r\\nHost: other.example\\r\\nConnection: close\\r\\n\\r\\n",
            "GET \(path) HTTP/1.0\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n",
            "GET \(path) HTTP/1.1\\r\\nHost: ocsp.example/x\\r\\nConnection: close\\r\\n\\r\\n",
            "GET /health HTTP/1.1\\r\\nHost: ocsp.example:80:81\\r\\nConnection: close\\r\\n\\r\\n",
            // What must still be answered: HTTP/1.0 without Host, a name with a port, an IPv6 literal, empty.
            "GET \(path) HTTP/1.0\\r\\n\\r\\n",
            "GET \(path) HTTP/1.1\\r\\nHost: ocsp.example:8080\\r\\nConnection: close\\r\\n\\r\\n",
            "GET /health HTTP/1.1\\r\\nHost: [::1]:8080\\r\\nConnection: close\\r\\n\\r\\n",
            "GET /health HTTP/1.1\\r\\nHost:\\r\\nConnection: close\\r\\n\\r\\n",
        ])
        #expect(lines == ["HTTP/1.1 400 Bad Request", "HTTP/1.1 400 Bad Request", "HTTP/1.0 400 Bad Request", "HTTP/1.1 400 Bad Request",
                          "HTTP/1.1 400 Bad Request", "HTTP/1.0 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        // curl (which always sends Host) is unaffected.
        #expect(try server.get(path).status == 200)
    }

    @Test("Expect: 100-continue gets 100 Continue at once, or the refusal at once; curl does not wait for its timeout")
    func expectContinue() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        // curl waits up to --expect100-timeout for the 100 before it sends the body: a missing 100 is a 10 s delay.
        let expecting = ["-H", "Expect: 100-continue", "--expect100-timeout", "10", "--max-time", "30", "-w", "\n%{time_total}"]
        func timed(_ answer: (status: Int, headers: [String: String], body: Data)) -> (Int, Data, Double) {
            // The time is the last line curl wrote, after the body.
            let split = answer.body.lastIndex(of: UInt8(ascii: "\n")) ?? answer.body.endIndex
            let seconds = Double(String(decoding: answer.body[answer.body.index(after: split)...], as: UTF8.self)) ?? 99
            return (answer.status, Data(answer.body[..<split]), seconds)
        }
        let (status, body, seconds) = timed(try server.post(request, extra: expecting))
        #expect(status == 200)
        #expect(seconds < 3, "curl took \(seconds) s")
        #expect(try server.verify(body).first?.certStatus == "GOOD")

        // Refused from the head: 415 without the body being asked for; a 413 likewise.
        let (refused, _, refusedSeconds) = timed(try server.post(request, contentType: "text/plain", extra: expecting))
        #expect(refused == 415)
        #expect(refusedSeconds < 3, "curl took \(refusedSeconds) s")
        let (tooLarge, _, tooLargeSeconds) = timed(try server.post(Data(count: 70_000), extra: expecting))
        #expect(tooLarge == 413)
        #expect(tooLargeSeconds < 3, "curl took \(tooLargeSeconds) s")

        // On the wire: the 100 comes before the body is sent; never to an HTTP/1.0 client (RFC 9110 §15.2).
        let lines = try Self.rawStatusLines(server, [
            "POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/ocsp-request\\r\\nContent-Length: 5\\r\\nExpect: 100-continue\\r\\n\\r\\n",
            "PUT / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nExpect: 100-continue\\r\\n\\r\\n",
            "POST / HTTP/1.0\\r\\nContent-Type: application/ocsp-request\\r\\nContent-Length: 5\\r\\nExpect: 100-continue\\r\\n\\r\\nhello",
        ])
        #expect(lines == ["HTTP/1.1 100 Continue", "HTTP/1.1 405 Method Not Allowed", "HTTP/1.0 200 OK"])
    }

    @Test("Every response carries Date, the current time as an IMF-fixdate: answers, 304, HTTP errors, NIOHTTP1's 400, /health")
    func everyResponseHasDate() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        let path = "/" + request.base64EncodedString()
        let etag = try #require(try server.post(request).headers["etag"])
        let answers = [
            try server.post(request), try server.get(path), try server.get(path, extra: ["-H", "If-None-Match: \(etag)"]),
            try server.get("/health"), try server.get("/not-base64!"), try server.exchange(["-X", "DELETE", "\(server.base)/"]),
            try server.post(request, contentType: "text/plain"), try server.post(try server.request(["good.pem"], nonce: true)),
        ]
        #expect(answers.map(\.status) == [200, 200, 304, 200, 400, 405, 415, 200])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for answer in answers {
            let date = answer.headers["date"].flatMap(formatter.date(from:))
            #expect(date.map { abs($0.timeIntervalSinceNow) < 5 } == true, "\(answer.status): Date \(answer.headers["date"] ?? "none")")
        }
        // A request that does not parse is answered by NIOHTTP1's error handler, with a Date all the same.
        let script = """
            import socket, sys
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
            s.sendall(b'\\x16\\x03\\x01 not http\\r\\n\\r\\n')
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            print('\\n'.join(l.decode() for l in data.split(b'\\r\\n\\r\\n')[0].split(b'\\r\\n')))
            """
        let python = try run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3", ["-c", script, "\(server.port)"])
        let head = python.stdoutText.split(separator: "\n").map(String.init)
        #expect(head.first == "HTTP/1.1 400 Bad Request", "\(python.stdoutText) \(python.stderr)")
        let date = head.first { $0.lowercased().hasPrefix("date: ") }.flatMap { formatter.date(from: String($0.dropFirst(6))) }
        #expect(date.map { abs($0.timeIntervalSinceNow) < 5 } == true, "\(head)")
    }
}
