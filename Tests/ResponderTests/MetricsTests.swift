import Foundation
import Testing
import TestSupport

/// `GET /metrics` of a running `serve` (as the service user), scraped with curl and parsed by Python's
/// `prometheus_client`: what each kind of answer counts, the gauges read at the scrape, `--metrics-listen`.
@Suite("Metrics", .serialized)
struct MetricsTests {
    /// The samples of one scrape, by name and labels.
    struct Scrape {
        let samples: [Peers.MetricSample]

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }

        /// The sum over the samples of `name` whose labels include `labels`.
        func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
            samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
        }
    }

    static func scrape(_ server: ServeHarness, base: String? = nil) throws -> Scrape {
        let answer = try server.exchange(["\(base ?? server.base)/metrics"])
        guard answer.status == 200 else { throw TestFailure("GET /metrics: \(answer.status) \(String(decoding: answer.body, as: UTF8.self))") }
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(answer.headers["cache-control"] == "no-store")
        return Scrape(samples: try Peers.prometheusSamples(answer.body))
    }

    /// A second CA whose section name needs the exposition's escaping (a quote and a backslash), with its
    /// own key owned by the service user and its own table: `[issuer we"ird\ca]`.
    static func weirdCA(service: String) throws -> String {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory("ocsp-metrics-ca")
        for file in ["ca.pem", "ca.key"] {
            try FileManager.default.copyItem(atPath: pki.path(.p256, file), toPath: directory.appendingPathComponent(file).path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.appendingPathComponent("ca.key").path)
        try TestAccounts.chown(directory.path, to: service, recursive: true)
        return """

            [issuer we"ird\\ca]
            cert = \(directory.appendingPathComponent("ca.pem").path)
            pkey = \(directory.appendingPathComponent("ca.key").path)
            table = list_p256
            """
    }

    @Test("Each kind of answer counts once under its status and cache labels; the histogram, HTTP codes and gauges agree")
    func countsEachKindOfAnswer() throws {
        guard let service = TestAccounts.service else { throw TestFailure("no service user: run scripts/test.sh as root") }
        let server = try ServeHarness(ocspLines: try Self.weirdCA(service: service))
        let before = try Self.scrape(server)
        #expect(before.total("ocsp_responses_total") == 0)
        // Every series of the counters is there from the start, at 0: a rate over them needs no first answer.
        #expect(before.value("ocsp_responses_total", ["status": "tryLater", "cache": "none"]) == 0)

        let good = try server.request(["good.pem"])
        #expect(try server.verify(try server.post(good).body).first?.certStatus == "GOOD")          // signed: miss
        #expect(try server.verify(try server.post(good).body).first?.certStatus == "GOOD")          // the file cache, or memory
        #expect(try server.verify(try server.post(try server.request(["revoked.pem"])).body).first?.certStatus == "REVOKED")
        #expect(try server.verify(try server.post(try server.request(["absent.pem"])).body).first?.certStatus == "UNKNOWN")
        #expect(try server.post(Data("hello".utf8)).body == Data([0x30, 0x03, 0x0a, 0x01, 0x01]))  // malformedRequest
        let foreignPath = server.directory.appendingPathComponent("foreign.der").path
        try run("openssl", ["ocsp", "-issuer", server.pki.path("foreign/ca.pem"), "-cert", server.pki.path("foreign/leaf.pem"),
                            "-no_nonce", "-reqout", foreignPath])
        #expect(try server.post(try Data(contentsOf: URL(fileURLWithPath: foreignPath))).body == Data([0x30, 0x03, 0x0a, 0x01, 0x06]))
        // "/x/metrics" is an OCSP GET whose base64 is "metrics" (5 bytes, no OCSPRequest): malformedRequest, not the scrape.
        let lookalike = try server.get("/x/metrics")
        #expect(lookalike.headers["content-type"] == "application/ocsp-response")
        #expect(lookalike.body == Data([0x30, 0x03, 0x0a, 0x01, 0x01]))
        #expect(try server.get("/").status == 400)
        #expect(try server.exchange(["-X", "PUT", server.base + "/"]).status == 405)

        let after = try Self.scrape(server)
        #expect(after.value("ocsp_responses_total", ["status": "good", "cache": "miss"]) == 1)
        let repeated = ["hit", "memory", "revalidated"].map { after.total("ocsp_responses_total", ["status": "good", "cache": $0]) }
        #expect(repeated.reduce(0, +) == 1, "the second request for good.pem is answered from the cache: \(repeated)")
        #expect(after.total("ocsp_responses_total", ["status": "good"]) == 2)
        #expect(after.total("ocsp_responses_total", ["status": "revoked"]) == 1)
        #expect(after.total("ocsp_responses_total", ["status": "unknown"]) == 1)
        #expect(after.value("ocsp_responses_total", ["status": "malformedRequest", "cache": "none"]) == 2)
        #expect(after.value("ocsp_responses_total", ["status": "unauthorized", "cache": "none"]) == 1)
        #expect(after.total("ocsp_responses_total") == 7)

        // The histogram counts every OCSP answer; its buckets are cumulative and end at the count.
        #expect(after.value("ocsp_request_duration_seconds_count") == 7)
        #expect((after.value("ocsp_request_duration_seconds_sum") ?? 0) > 0)
        let buckets = after.samples.filter { $0.name == "ocsp_request_duration_seconds_bucket" }
        #expect(buckets.count >= 10)
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value })
        #expect(after.value("ocsp_request_duration_seconds_bucket", ["le": "+Inf"]) == 7)

        // HTTP: the first scrape (GET 200) and the ready check, the six POSTs, the lookalike GET, a 400, a 405.
        #expect(after.value("ocsp_http_requests_total", ["method": "POST", "code": "200"]) == 6)
        #expect(after.value("ocsp_http_requests_total", ["method": "GET", "code": "400"]) == 1)
        #expect(after.value("ocsp_http_requests_total", ["method": "other", "code": "405"]) == 1)
        #expect((after.value("ocsp_http_requests_total", ["method": "GET", "code": "200"]) ?? 0) >= 3)

        // The gauges read at the scrape: both CAs' signing period ends (the label escaped and read back),
        // the SQLite file, the memory caches.
        let rsaEnd = try Peers.notAfter(ofCertificate: server.pki.path(.rsa, "ca.pem"))
        let p256End = try Peers.notAfter(ofCertificate: server.pki.path(.p256, "ca.pem"))
        #expect(after.value("ocsp_signer_expiry_timestamp_seconds", ["ca": "ocsp"]) == rsaEnd)
        #expect(after.value("ocsp_signer_expiry_timestamp_seconds", ["ca": "we\"ird\\ca"]) == p256End)
        #expect(after.samples.filter { $0.family == "ocsp_ca_status_next_update_timestamp_seconds" }.isEmpty, "no ocspresponse is configured")
        #expect(after.value("ocsp_database_up", ["host": server.databasePath]) == 1)
        #expect((after.value("ocsp_cache_entries", ["cache": "responses"]) ?? 0) >= 1)
        #expect(after.value("ocsp_cache_entries", ["cache": "answers"]) != nil)
        for family in ["ocsp_responses", "ocsp_http_requests"] {
            #expect(after.samples.first { $0.family == family }?.type == "counter", "\(family)")
        }
        #expect(after.samples.first { $0.family == "ocsp_request_duration_seconds" }?.type == "histogram")
        #expect(after.samples.first { $0.family == "ocsp_database_up" }?.type == "gauge")

        try FileManager.default.removeItem(atPath: server.databasePath)
        #expect(try Self.scrape(server).value("ocsp_database_up", ["host": server.databasePath]) == 0)
        #expect(server.stop() == 0)
    }

    @Test("--metrics-listen: /metrics and health there alone; /metrics is 404 on the OCSP port, OCSP is refused on the metrics port")
    func metricsListen() throws {
        let metricsPort = try freePort()
        let server = try ServeHarness(extraArguments: ["--metrics-listen", "127.0.0.1:\(metricsPort)"])
        let metricsBase = "http://127.0.0.1:\(metricsPort)"
        let onOCSPPort = try server.get("/metrics")
        #expect(onOCSPPort.status == 404)
        #expect(try server.get("/metrics?x=1").status == 404)

        let request = try server.request(["good.pem"])
        #expect(try server.verify(try server.post(request).body).first?.certStatus == "GOOD")
        #expect(try server.verify(try server.get("/" + request.base64EncodedString()).body).first?.certStatus == "GOOD")

        let scrape = try Self.scrape(server, base: metricsBase)
        #expect(scrape.total("ocsp_responses_total", ["status": "good"]) == 2)
        #expect(scrape.value("ocsp_http_requests_total", ["method": "GET", "code": "404"]) == 2)
        #expect(scrape.value("ocsp_signer_expiry_timestamp_seconds", ["ca": "ocsp"]) == (try Peers.notAfter(ofCertificate: server.pki.path(.rsa, "ca.pem"))))

        for path in ["/health", "/health/ready", "/health/live"] {
            let health = try server.exchange(["\(metricsBase)\(path)"])
            #expect(health.status == 200, "\(path)")
            #expect(String(decoding: health.body, as: UTF8.self) == "ok\n", "\(path)")
        }
        // The metrics port answers no OCSP request, by POST or GET.
        let posted = try server.exchange(["-X", "POST", "-H", "Content-Type: application/ocsp-request", "--data-binary", "@-", "\(metricsBase)/"], stdin: request)
        #expect(posted.status == 405)
        #expect(posted.headers["allow"] == "GET, HEAD")
        #expect(try server.exchange(["\(metricsBase)/" + request.base64EncodedString()]).status == 404)
        #expect(try Self.scrape(server, base: metricsBase).total("ocsp_responses_total") == 2)
        #expect(server.stop() == 0)
    }

    @Test("MariaDB: ocsp_database_up per host of [db] host, 0 for the one the host board leaves (refused), 1 for the one that serves",
          .enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"))
    func databaseUpPerMariaDBHost() throws {
        let database = try #require(MariaDBTestServer.shared)
        let table = try database.createStatusTable()
        let closed = try freePort()
        let server = try ServeHarness(database: """
            [db]
            host = 127.0.0.1:\(closed), 127.0.0.1:\(database.port)
            failback = 600
            db = \(database.database)
            username = \(database.user)
            password = \(database.password)
            table = \(table)
            connect_timeout = 3
            """)
        // Not in the table: unknown, read from the second host after the first refused.
        #expect(try server.verify(try server.post(try server.request(["good.pem"])).body).first?.certStatus == "UNKNOWN")
        let scrape = try Self.scrape(server)
        #expect(scrape.value("ocsp_database_up", ["host": "127.0.0.1:\(closed)"]) == 0)
        #expect(scrape.value("ocsp_database_up", ["host": "127.0.0.1:\(database.port)"]) == 1)
        #expect(scrape.samples.filter { $0.family == "ocsp_database_up" }.count == 2)
        #expect(server.stop() == 0)
    }

    @Test("--metrics-listen on a --listen address is refused (64)")
    func metricsListenOnTheOCSPAddress() throws {
        let result = try ResponderBinary.run(["serve", "--listen", "127.0.0.1:8999", "--metrics-listen", "127.0.0.1:8999"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--metrics-listen"))
    }
}

/// `/health/ready` on what expires: a signer or a CA status file within `[ocsp] warn_days` is a warning
/// line after `ok` (200), an expired one a 503; the metrics report the same moments.
@Suite("Health expiry", .serialized)
struct HealthExpiryTests {
    /// A harness whose signing certificate (self-signed, EC, Python-made) ends `days` from now.
    static func serverWithSigner(endingIn days: String, ocspLines: String = "") throws -> ServeHarness {
        let server = try ServeHarness(cache: false, launch: .none, ocspLines: ocspLines)
        let cert = server.directory.appendingPathComponent("ca.pem").path
        let key = server.directory.appendingPathComponent("ca.key").path
        try FileManager.default.removeItem(atPath: cert)
        try FileManager.default.removeItem(atPath: key)
        try Peers.make(["cert", "--days-from", "-1", "--days-to", days, "--out-cert", cert, "--out-key", key])
        try TestAccounts.chown(server.directory.path, to: server.service, recursive: true)
        try server.start(.serviceUser)
        return server
    }

    @Test("A signer that expires in 10 days: 200 with a warning line (warn_days 14); none with warn_days = 5")
    func signerExpiringSoon() throws {
        let server = try Self.serverWithSigner(endingIn: "10")
        let ready = try server.get("/health/ready")
        let text = String(decoding: ready.body, as: UTF8.self)
        #expect(ready.status == 200)
        #expect(text.hasPrefix("ok\nwarning: signing key [ocsp]: the signing certificate expires at "), "\(text)")
        #expect(text.contains("in 10 days, within [ocsp] warn_days = 14"), "\(text)")
        #expect(try server.get("/health/live").body == Data("ok\n".utf8))
        let end = try Peers.notAfter(ofCertificate: server.directory.appendingPathComponent("ca.pem").path)
        let scrape = try MetricsTests.scrape(server)
        #expect(scrape.value("ocsp_signer_expiry_timestamp_seconds", ["ca": "ocsp"]) == end)
        #expect(abs(end - Date().addingTimeInterval(10 * 86_400).timeIntervalSince1970) < 120)
        #expect(server.stop() == 0)

        let quiet = try Self.serverWithSigner(endingIn: "10", ocspLines: "warn_days = 5")
        let quietReady = try quiet.get("/health/ready")
        #expect(quietReady.status == 200)
        #expect(String(decoding: quietReady.body, as: UTF8.self) == "ok\n")
        #expect(quiet.stop() == 0)
    }

    @Test("The CA status file: valid 7 days is a warning; expired, 503 and tryLater; unreadable, 503 and the metric 0")
    func caStatusFile() throws {
        let pki = TestPKI.shared
        let server = try ServeHarness(cache: false, launch: .none, ocspLines: "ocspresponse = OCSPRESPONSE")
        let file = server.directory.appendingPathComponent("intermediate-ocsp.der")
        var config = try String(contentsOfFile: server.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "OCSPRESPONSE", with: file.path)
        try config.write(toFile: server.configPath, atomically: true, encoding: .utf8)
        let sign = try ResponderBinary.run([
            "sign", "--issuer", pki.root, "--key", pki.path("root.key"), "--cert", pki.path(.rsa, "ca.pem"),
            "--status", "good", "--valid", "7d", "--out", file.path,
        ])
        #expect(sign.status == 0, "\(sign.stderr)")
        try TestAccounts.chown(server.directory.path, to: server.service, recursive: true)
        try server.start(.serviceUser)

        let ready = try server.get("/health/ready")
        let text = String(decoding: ready.body, as: UTF8.self)
        #expect(ready.status == 200)
        #expect(text.hasPrefix("ok\nwarning: ocspresponse \(file.path) [ocsp]: expires at "), "\(text)")
        #expect(text.contains("in 7 days, within [ocsp] warn_days = 14"), "\(text)")
        let nextUpdate = try #require(try MetricsTests.scrape(server).value("ocsp_ca_status_next_update_timestamp_seconds", ["ca": "ocsp"]))
        #expect(abs(nextUpdate - Date().addingTimeInterval(7 * 86_400).timeIntervalSince1970) < 120)

        // Expired yesterday (Python-made): 503 naming the file, and requests about the intermediate get tryLater.
        let request = server.directory.appendingPathComponent("int-req.der")
        try run("openssl", ["ocsp", "-issuer", pki.root, "-cert", pki.path(.rsa, "ca.pem"), "-no_nonce", "-reqout", request.path])
        // While it is current, the file is what answers, byte for byte.
        #expect(try server.post(try Data(contentsOf: request)).body == (try Data(contentsOf: file)))
        let stale = server.directory.appendingPathComponent("stale.der")
        try Peers.make(["response", "--issuer", pki.root, "--key", pki.path("root.key"), "--cert", pki.path(.rsa, "ca.pem"),
                        "--from", "-48", "--to", "-24", "--out", stale.path])
        try FileManager.default.removeItem(at: file)
        try FileManager.default.copyItem(at: stale, to: file)
        let expired = try server.get("/health/ready")
        let expiredText = String(decoding: expired.body, as: UTF8.self)
        #expect(expired.status == 503)
        #expect(expiredText.contains("ocspresponse \(file.path) [ocsp]: expired at") && expiredText.contains("tryLater"), "\(expiredText)")
        #expect(try server.post(try Data(contentsOf: request)).body == Data([0x30, 0x03, 0x0a, 0x01, 0x03]))
        let afterExpiry = try MetricsTests.scrape(server)
        let staleEnd = try #require(afterExpiry.value("ocsp_ca_status_next_update_timestamp_seconds", ["ca": "ocsp"]))
        #expect(abs(staleEnd - Date().addingTimeInterval(-86_400).timeIntervalSince1970) < 120)
        #expect(afterExpiry.value("ocsp_responses_total", ["status": "tryLater", "cache": "none"]) == 1)

        // Not an OCSP response at all: 503, and the metric 0 so that an expiry alert fires for it too.
        try Data("not a response".utf8).write(to: file)
        let broken = try server.get("/health/ready")
        #expect(broken.status == 503)
        #expect(String(decoding: broken.body, as: UTF8.self).contains("ocspresponse \(file.path) [ocsp]: "))
        #expect(try MetricsTests.scrape(server).value("ocsp_ca_status_next_update_timestamp_seconds", ["ca": "ocsp"]) == 0)
        #expect(server.stop() == 0)
    }
}
