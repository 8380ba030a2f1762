import Foundation
import Testing
import TestSupport

/// `ocsp-responder serve` end to end: real HTTP clients (curl, openssl ocsp -url, Python urllib) against
/// the server on loopback with an SQLite store; every signed response verified by openssl and Python.
@Suite("Serve", .serialized)
struct ServeTests {
    @Test("POST and GET (padded, unpadded, percent-encoded) answer as respond does, verified by both peers")
    func postAndGet() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        let posted = try server.post(request)
        #expect(posted.status == 200)
        #expect(posted.headers["content-type"] == "application/ocsp-response")
        #expect(try server.verify(posted.body).first?.certStatus == "GOOD")

        let padded = request.base64EncodedString()
        let unpadded = padded.replacingOccurrences(of: "=", with: "")
        let encoded = padded.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "=", with: "%3D")
        for path in ["/" + padded, "/" + unpadded, "/" + encoded, "/ocsp/" + encoded] {
            let answer = try server.get(path)
            #expect(answer.status == 200, "GET \(path)")
            #expect(try server.verify(answer.body).first?.certStatus == "GOOD", "GET \(path)")
        }

        // A revoked certificate, and two CertIDs in one request.
        let both = try server.post(try server.request(["good.pem", "revoked.pem"]))
        let singles = try server.verify(both.body)
        #expect(singles.map { $0.certStatus } == ["GOOD", "REVOKED"])
        #expect(singles.last?.revocationReason == "key_compromise")
        #expect(server.stop() == 0)
    }

    /// Issue 15, items 5–6: serve loads its signer once, so the period is checked per request. A signer
    /// with seconds left caps nextUpdate at its notAfter (and says so in the log); once it has ended, the
    /// answer is tryLater, the log says why and /health is 503.
    @Test("A signer that expires while serve runs: nextUpdate capped, then tryLater, a log line, /health 503")
    func aSignerThatExpiresWhileServing() throws {
        let server = try ServeHarness(cache: false, launch: .none)
        let cert = server.directory.appendingPathComponent("ca.pem").path
        let key = server.directory.appendingPathComponent("ca.key").path
        try FileManager.default.removeItem(atPath: cert)
        try FileManager.default.removeItem(atPath: key)
        // About 20 s left: long enough to start and answer once, short enough to wait for.
        try Peers.make(["cert", "--days-from", "-1", "--days-to", "0.00024", "--out-cert", cert, "--out-key", key])
        try TestAccounts.chown(server.directory.path, to: server.service, recursive: true)
        try server.start(.serviceUser)

        let requestPath = server.directory.appendingPathComponent("self.der").path
        try run("openssl", ["ocsp", "-issuer", cert, "-serial", "0x1001", "-no_nonce", "-reqout", requestPath])
        let request = try Data(contentsOf: URL(fileURLWithPath: requestPath))
        let first = try server.post(request)
        let json = try Peers.verifySuccessful(response: first.body, issuer: cert, chain: cert)
        let single = try #require(json.responses.first)
        let nextUpdate = try #require((single.nextUpdate).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(nextUpdate.timeIntervalSinceNow < 60, "nextUpdate \(nextUpdate) passes the signer's notAfter")
        #expect(server.accessLog(containing: "nextUpdate capped").contains("nextUpdate capped"))

        while Date() < nextUpdate.addingTimeInterval(1) { usleep(200_000) }
        let after = try server.post(request)
        #expect(after.status == 200)
        #expect(after.body == Data([0x30, 0x03, 0x0A, 0x01, 0x03]))
        let health = try server.get("/health")
        #expect(health.status == 503)
        #expect(String(decoding: health.body, as: UTF8.self).contains("expired at"))
        let log = server.accessLog(containing: "answered tryLater")
        #expect(log.contains("expired at") && log.contains("answered tryLater"), "\(log)")
        #expect(server.stop() == 0)
    }

    @Test("--event-loops: three event loops answer as one does, verified by openssl")
    func eventLoopsOption() throws {
        let server = try ServeHarness(extraArguments: ["--event-loops", "3"])
        for _ in 0..<6 {   // new connections, spread over the loops
            let openssl = try server.opensslClient(["revoked.pem"])
            #expect(openssl.status == 0)
            #expect(openssl.text.contains("Response verify OK") && openssl.text.contains("revoked.pem: revoked"), "\(openssl.text)")
        }
        #expect(server.stop() == 0)
    }

    @Test("An IPv4 and an IPv6 wildcard on one port both listen (IPV6_V6ONLY), and [::1] answers")
    func ipv4AndIPv6OnOnePort() throws {
        let port = try freePort()
        // The harness listens on 127.0.0.1:port; a dual-stack [::]:port would already hold it.
        let server = try ServeHarness(extraArguments: ["--listen", "[::]:\(port)"], port: port)
        let request = try server.request(["good.pem"])
        let answer = try server.exchange(["-g", "-X", "POST", "-H", "Content-Type: application/ocsp-request", "--data-binary", "@-",
                                          "http://[::1]:\(port)/"], stdin: request)
        #expect(answer.status == 200)
        #expect(try server.verify(answer.body, request: request).first?.certStatus == "GOOD")
        #expect(server.stop() == 0)
    }

    @Test("openssl ocsp -url and Python urllib as clients")
    func otherClients() throws {
        let server = try ServeHarness()
        let (status, text) = try server.opensslClient(["good.pem", "revoked.pem"])
        #expect(status == 0)
        #expect(text.contains("Response verify OK"))
        #expect(text.contains("good.pem: good"))
        #expect(text.contains("revoked.pem: revoked"))

        let request = try server.request(["revoked.pem"])
        let requestPath = server.directory.appendingPathComponent("python-req.der")
        try request.write(to: requestPath)
        let script = """
            import sys, urllib.request
            from cryptography.x509 import ocsp
            data = open(sys.argv[2], 'rb').read()
            req = urllib.request.Request(sys.argv[1], data=data, headers={'Content-Type': 'application/ocsp-request'})
            with urllib.request.urlopen(req, timeout=10) as answer:
                body = answer.read()
                assert answer.headers['Content-Type'] == 'application/ocsp-response'
            response = ocsp.load_der_ocsp_response(body)
            open(sys.argv[3], 'wb').write(body)
            print(response.response_status.name, response.certificate_status.name)
            """
        let responsePath = server.directory.appendingPathComponent("python-resp.der")
        let python = try run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3",
                             ["-c", script, server.base + "/", requestPath.path, responsePath.path])
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "SUCCESSFUL REVOKED")
        _ = try server.verify(try Data(contentsOf: responsePath))
    }

    @Test("Caching headers, ETag and 304 without a nonce; none with a nonce")
    func cachingHeaders() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        let first = try server.post(request)
        _ = try server.verify(first.body)
        let cacheControl = try #require(first.headers["cache-control"])
        #expect(cacheControl.hasSuffix(", public, no-transform, must-revalidate"))
        let maxAge = Int(cacheControl.dropFirst("max-age=".count).prefix(while: \.isNumber)) ?? -1
        #expect((86_300...86_400).contains(maxAge))
        #expect(first.headers["last-modified"]?.hasSuffix(" GMT") == true)
        #expect(first.headers["expires"]?.hasSuffix(" GMT") == true)
        let sha = try run("openssl", ["dgst", "-sha256", "-r"], stdin: first.body).stdoutText.prefix(64)
        #expect(first.headers["etag"] == "\"\(sha)\"")

        // The cache answers the GET with the same bytes; a matching If-None-Match gets 304 and no body.
        let get = try server.get("/" + request.base64EncodedString())
        #expect(get.body == first.body)
        let etag = try #require(first.headers["etag"])
        let notModified = try server.get("/" + request.base64EncodedString(), extra: ["-H", "If-None-Match: \(etag)"])
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(notModified.headers["etag"] == etag)
        let otherTag = try server.post(request, extra: ["-H", "If-None-Match: \"abc\""])
        #expect(otherTag.status == 200)

        // With a nonce: signed fresh, nonce echoed (openssl checks it against the request), no caching headers.
        let nonceRequest = try server.request(["good.pem"], nonce: true)
        let withNonce = try server.post(nonceRequest)
        _ = try server.verify(withNonce.body, request: nonceRequest)
        #expect(withNonce.headers["etag"] == nil)
        #expect(withNonce.headers["expires"] == nil)
        #expect(withNonce.headers["cache-control"] == "no-store")
    }

    @Test("A cached answer is repeated from memory, and a revocation reaches it within the 1 s revalidation interval")
    func recentAnswersAreRevalidated() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        // Signed and kept in the file cache; then answered from it by a worker; then from memory.
        var bodies: [Data] = []
        for _ in 0..<3 { bodies.append(try server.post(request).body) }
        #expect(bodies[1] == bodies[0] && bodies[2] == bodies[0])
        #expect(try server.verify(bodies[2]).first?.certStatus == "GOOD")
        let get = try server.get("/" + request.base64EncodedString())
        #expect(get.body == bodies[0])
        #expect(get.headers["etag"] != nil)
        // The GET is the last request, so its line is the last to be written.
        let log = server.accessLog(containing: "\"GET /<ocsp-request> HTTP/1.1\" 200 \(bodies[0].count) \"-\" \"curl/")
        #expect(log.contains("\"GET /<ocsp-request> HTTP/1.1\" 200 \(bodies[0].count) \"-\" \"curl/"))
        #expect(log.contains("cache=miss certs=0x1001:good:database"))
        #expect(log.contains("cache=hit certs=0x1001:good:cache"))
        #expect(log.contains("ocsp=successful cache=memory certs=0x1001:good:cache"))

        // `db revoke` removes the cache file; once the interval has passed, the memory answer is not used.
        let revoke = try ResponderBinary.run(["db", "revoke", "--cert", server.pki.path(.rsa, "good.pem"), "--reason", "superseded",
                                              "--config", server.configPath])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        usleep(1_200_000)
        let revoked = try server.post(request)
        let singles = try server.verify(revoked.body)
        #expect(singles.first?.certStatus == "REVOKED")
        #expect(singles.first?.revocationReason == "superseded")
        // From then on the revoked answer is kept and repeated (from the file cache, then from memory).
        for _ in 0..<3 {
            #expect(try server.post(request).body == revoked.body)
        }
    }

    @Test("Nonce answers are each signed for their request, and a revocation reaches them within the 1 s status window")
    func nonceAnswersFollowRevocations() throws {
        let server = try ServeHarness()
        // Two requests with nonces in the same second: the second's status may come from memory, its answer not.
        let first = try server.request(["good.pem"], nonce: true)
        let second = try server.request(["good.pem"], nonce: true)
        let answers = [try server.post(first), try server.post(second)]
        #expect(answers[0].body != answers[1].body)
        #expect(try server.verify(answers[0].body, request: first).first?.certStatus == "GOOD")
        #expect(try server.verify(answers[1].body, request: second).first?.certStatus == "GOOD")
        #expect(answers.allSatisfy { $0.headers["cache-control"] == "no-store" })

        let revoke = try ResponderBinary.run(["db", "revoke", "--cert", server.pki.path(.rsa, "good.pem"), "--reason", "superseded",
                                              "--config", server.configPath])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        // At once, within the window the nonce requests filled: a request without a nonce never uses it (its
        // answer is kept in the file cache, where a stale good must not land).
        let plain = try server.verify(try server.post(try server.request(["good.pem"])).body)
        #expect(plain.first?.certStatus == "REVOKED")
        usleep(1_200_000)
        let third = try server.request(["good.pem"], nonce: true)
        let singles = try server.verify(try server.post(third).body, request: third)
        #expect(singles.first?.certStatus == "REVOKED")
        #expect(singles.first?.revocationReason == "superseded")
        #expect(server.stop() == 0)
    }

    @Test("405, 413, 415, 400, and malformed DER as HTTP 200 with malformedRequest")
    func badInput() throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        #expect(try server.exchange(["-X", "PUT", "--data-binary", "@-", server.base + "/"], stdin: request).status == 405)
        #expect(try server.exchange(["-X", "DELETE", server.base + "/"]).status == 405)
        #expect(try server.post(Data(count: 70_000)).status == 413)
        #expect(try server.post(request, contentType: "application/octet-stream").status == 415)
        #expect(try server.exchange(["-X", "POST", "--data-binary", "@-", "-H", "Content-Type:", server.base + "/"], stdin: request).status == 415)
        #expect(try server.get("/%zz").status == 400)
        #expect(try server.get("/").status == 400)
        #expect(try server.get("/not*base64").status == 400)
        for body in [Data("hello".utf8), Data([0x30, 0x03, 0x02, 0x01, 0x00])] {
            let answer = try server.post(body)
            #expect(answer.status == 200)
            #expect(answer.body == Data([0x30, 0x03, 0x0a, 0x01, 0x01]))
            #expect(answer.headers["etag"] == nil)
        }
        let getMalformed = try server.get("/" + Data("hello".utf8).base64EncodedString())
        #expect(getMalformed.status == 200)
        #expect(getMalformed.body == Data([0x30, 0x03, 0x0a, 0x01, 0x01]))
        // Still answering after all of that.
        _ = try server.verify(try server.post(request).body)
        let log = server.accessLog(containing: "ocsp=malformedRequest")
        #expect(log.contains("\"POST / HTTP/1.1\" 413"))
        #expect(log.contains("ocsp=malformedRequest"))
    }

    @Test("GET /health and /health/ready: 200, then 503 once the SQLite file is gone; /health/live stays 200")
    func health() throws {
        let server = try ServeHarness()
        for path in ["/health", "/health/ready", "/health/live", "/health/ready?probe=1"] {
            let healthy = try server.get(path)
            #expect(healthy.status == 200, "\(path)")
            #expect(String(decoding: healthy.body, as: UTF8.self) == "ok\n", "\(path)")
            #expect(healthy.headers["cache-control"] == "no-store", "\(path)")
        }
        try FileManager.default.removeItem(atPath: server.databasePath)
        for path in ["/health", "/health/ready"] {
            let sick = try server.get(path)
            #expect(sick.status == 503, "\(path)")
            #expect(String(decoding: sick.body, as: UTF8.self).contains("database"), "\(path)")
        }
        // The process answers: a load balancer's liveness check must not restart it for a database outage.
        #expect(try server.get("/health/live").status == 200)
        // Another path under /health is not a probe: it is read as a base64 request, not answered "ok".
        #expect(String(decoding: try server.get("/health/other").body, as: UTF8.self) != "ok\n")
    }

    @Test("A slow client is cut off with a 408, lingering, and does not stop others")
    func slowClient() throws {
        let server = try ServeHarness(extraArguments: ["--request-timeout", "1"])
        // After the 408 and the end of the stream, the server still reads (and drops) for a while: bytes the
        // client sends then are not answered with a reset, so a second send still succeeds.
        let script = """
            import socket, sys, time
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
            s.sendall(b'POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/ocsp-request\\r\\nContent-Length: 100\\r\\n\\r\\nab')
            start = time.time()
            data = b''
            while True:
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            print(data.split(b'\\r\\n')[0].decode(), round(time.time() - start))
            try:
                s.sendall(bytes(1000))
                time.sleep(0.2)
                s.sendall(bytes(1000))
                print('lingering')
            except OSError as error:
                print('reset:', type(error).__name__)
            """
        let python = Thread.detachNewThreadResult {
            try? run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3", ["-c", script, "\(server.port)"])
        }
        // Meanwhile another client is answered at once.
        _ = try server.verify(try server.post(try server.request(["good.pem"])).body)
        let result = try #require(python.wait() ?? nil)
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.first?.hasPrefix("HTTP/1.1 408 Request Timeout") == true && lines.dropFirst() == ["lingering"],
                "\(result.stdoutText) \(result.stderr)")
    }

    @Test("A client still sending a refused body reads its 413 (lingering close); a request that does not parse is logged")
    func refusedUploadAndUnparsedRequest() throws {
        let server = try ServeHarness()
        // 4 MB announced and sent in one go: far past the socket buffers, so the client is still in sendall when
        // the 413 is written. Closed at once, the server's kernel resets the connection and the send fails.
        let script = """
            import socket, sys
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
            body = bytes(4_000_000)
            try:
                s.sendall(b'POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/ocsp-request\\r\\nContent-Length: %d\\r\\n\\r\\n' % len(body))
                s.sendall(body)
                data = b''
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
                print(data.split(b'\\r\\n')[0].decode())
            except OSError as error:
                print('failed:', type(error).__name__)
            g = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
            g.sendall(b'NOT HTTP AT ALL\\r\\n\\r\\n')
            print(g.recv(4096).split(b'\\r\\n')[0].decode())
            """
        let python = try run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3", ["-c", script, "\(server.port)"])
        #expect(python.stdoutText.split(separator: "\n") == ["HTTP/1.1 413 Payload Too Large", "HTTP/1.1 400 Bad Request"],
                "\(python.stdoutText) \(python.stderr)")
        let log = server.accessLog(containing: "\"-\" 400 0")
        #expect(log.contains("\"POST / HTTP/1.1\" 413 "))
        #expect(log.contains("\"-\" 400 0 \"-\" \"-\" reason="), "\(log)")
        // Still answering.
        _ = try server.verify(try server.post(try server.request(["good.pem"])).body)
        #expect(server.stop() == 0)
    }

    @Test("Concurrent clients all get verified answers")
    func concurrentClients() throws {
        let server = try ServeHarness()
        let requests = try [server.request(["good.pem"]), server.request(["revoked.pem"]), server.request(["good.pem"], nonce: true)]
        let count = 24
        let answers = ResultBox(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            answers.set(index, try? server.post(requests[index % 3]).body)
        }
        let bodies = try answers.values.map { try #require($0) }
        let parsed = try Peers.python(responses: bodies, issuer: server.pki.path(.rsa, "ca.pem"))
        for (index, json) in parsed.enumerated() {
            #expect(json.signatureValid == true)
            #expect((json.responses.first?.certStatus) == (index % 3 == 1 ? "REVOKED" : "GOOD"))
        }
        for index in 0..<3 { try Peers.opensslVerify(response: bodies[index], chain: server.pki.path(.rsa, "chain.pem"), request: requests[index]) }
    }

    /// SIGINT too (a terminal's ^C). SIGHUP reloads instead (ServeReloadTests).
    @Test("SIGTERM or SIGINT with a request in flight: it is answered, the stop is logged, then the server exits 0",
          arguments: [SIGTERM, SIGINT])
    func gracefulShutdown(signal: Int32) throws {
        let server = try ServeHarness()
        let request = try server.request(["good.pem"])
        let requestPath = server.directory.appendingPathComponent("inflight.der")
        try request.write(to: requestPath)
        let responsePath = server.directory.appendingPathComponent("inflight-resp.der")
        // Half the body, then SIGTERM, then the rest: the request is in flight when the signal arrives.
        let script = """
            import os, signal, socket, sys, time
            port, pid, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], 'rb').read()
            s = socket.create_connection(('127.0.0.1', port), timeout=10)
            s.sendall(b'POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/ocsp-request\\r\\nContent-Length: %d\\r\\n\\r\\n' % len(body) + body[:10])
            time.sleep(0.3)
            os.kill(pid, int(sys.argv[5]))
            time.sleep(0.5)
            s.sendall(body[10:])
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            head, _, payload = data.partition(b'\\r\\n\\r\\n')
            open(sys.argv[4], 'wb').write(payload)
            print(head.split(b'\\r\\n')[0].decode())
            try:
                socket.create_connection(('127.0.0.1', port), timeout=2)
                print('still accepting')
            except OSError:
                print('refused')
            """
        let python = try run(ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3",
                             ["-c", script, "\(server.port)", "\(server.process.processIdentifier)", requestPath.path, responsePath.path, "\(signal)"])
        #expect(python.stdoutText.split(separator: "\n") == ["HTTP/1.1 200 OK", "refused"], "\(python.stdoutText) \(python.stderr)")
        _ = try server.verify(try Data(contentsOf: responsePath))
        // The server is on its way out already: wait for it, not for another signal.
        for _ in 0..<150 where server.process.isRunning { usleep(100_000) }
        try #require(!server.process.isRunning, "serve still runs after signal \(signal)")
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        let log = server.accessLog(containing: "stopped")
        #expect(log.contains("signal \(signal): stopping; finishing the requests in flight"), "\(log)")
        #expect(log.contains("stopped"), "\(log)")
    }
}

extension ServeTests {
    /// `nohup ocsp-responder serve &`: whoever ignored SIGHUP wants the server to outlive the hangup. A
    /// hangup is a reload, which stops nothing, so the server outlives it and still reloads on `kill -HUP`.
    @Test("Started with SIGHUP ignored (nohup), SIGHUP reloads and the server answers on; SIGTERM still stops it")
    func ignoredHangupReloads() throws {
        let server = try ServeHarness(launcher: ["/usr/bin/env", "--ignore-signal=HUP"])
        kill(server.process.processIdentifier, SIGHUP)
        #expect(server.accessLog(containing: "reloaded").contains("reloaded \(server.configPath)"))
        #expect(server.process.isRunning)
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0)
        #expect(!server.accessLog(containing: "stopped").contains("signal \(SIGHUP): stopping"))
    }
}

/// Results written by concurrent iterations, each to its own slot, under a lock.
final class ResultBox: @unchecked Sendable {
    // @unchecked Sendable: every access goes through the lock.
    private let lock = NSLock()
    private var slots: [Data?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Data?) { lock.withLock { slots[index] = value } }
    var values: [Data?] { lock.withLock { slots } }
}

extension Thread {
    /// Runs `body` on a new thread; `wait()` returns its result.
    static func detachNewThreadResult<T>(_ body: @escaping @Sendable () -> T) -> ThreadResult<T> {
        let result = ThreadResult<T>()
        Thread { result.finish(body()) }.start()
        return result
    }
}

final class ThreadResult<T>: @unchecked Sendable {
    // @unchecked Sendable: the semaphore orders the write before the read.
    private let done = DispatchSemaphore(value: 0)
    private var value: T?
    func finish(_ value: T) { self.value = value; done.signal() }
    func wait() -> T? { _ = done.wait(timeout: .now() + 30); return value }
}
