import Foundation
import Testing
import TestSupport

/// What running in production needs: the cache under concurrent processes, the intermediate's own
/// response, timeouts and signals, and refusing unsafe or expired set-ups. Real processes, a real MariaDB,
/// every signed response checked by openssl and Python cryptography.
@Suite(.enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"))
struct ProductionTests {
    static let tryLater = Data([0x30, 0x03, 0x0A, 0x01, 0x03])

    /// A scenario whose config has a cache directory (not yet created) and a log file.
    func cachedScenario(_ kind: TestPKI.Kind = .rsa) throws -> (Scenario, cache: URL, log: URL) {
        var scenario = try Scenario(kind)
        let cache = scenario.directory.appendingPathComponent("cache/responses")
        let log = scenario.directory.appendingPathComponent("responder.log")
        try scenario.appendToOCSPSection("cache = \(cache.path)\n[log]\nfile = \(log.path)\nlevel = info")
        scenario.logPath = log.path
        return (scenario, cache, log)
    }

    func cacheFiles(_ cache: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil)
    }

    @Test func secondRequestIsServedFromTheCacheByteForByte() throws {
        let (scenario, cache, log) = try cachedScenario()
        try scenario.insert("0x1002", status: "Revoked", time: "2026-02-03 04:05:06", reason: "key_compromise")
        let request = try scenario.opensslRequest(["revoked.pem"])
        let requestBytes = try Data(contentsOf: request)

        let (first, response1, _) = try scenario.respond(request)
        #expect(first.status == 0, "\(first.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: cache.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(try cacheFiles(cache).count == 1)

        // The table no longer holds the row: only the cache can answer revoked now.
        try scenario.server.execute("DELETE FROM \(scenario.table)")
        try requestBytes.write(to: request)
        let (second, response2, _) = try scenario.respond(request)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(response2 == response1)
        let single = try #require(try scenario.verify(response2).first)
        #expect(single.certStatus == "REVOKED")
        #expect(single.nextUpdate != nil)

        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("cache=miss") && lines[0].contains("certs=0x1002:revoked:database"))
        #expect(lines[1].contains("cache=hit") && lines[1].contains("certs=0x1002:revoked:cache"))
        #expect(lines.allSatisfy { $0.contains(" INFO in process ") && $0.contains("duration_ms=") })
    }

    @Test func aNonceRequestIsSignedFreshAndNotKept() throws {
        let (scenario, cache, _) = try cachedScenario(.p256)
        try scenario.insert("0x1001")
        for _ in 0..<2 {
            let (result, response, request) = try scenario.respond(try scenario.opensslRequest(["good.pem"], nonce: true))
            #expect(result.status == 0, "\(result.stderr)")
            _ = try scenario.verify(response, request: request)
        }
        #expect(try cacheFiles(cache).isEmpty)
    }

    @Test func garbageOrAnExpiredResponseInTheCacheIsReplaced() throws {
        let (scenario, cache, log) = try cachedScenario()
        try scenario.insert("0x1001")
        let request = try scenario.opensslRequest(["good.pem"])
        let requestBytes = try Data(contentsOf: request)
        _ = try scenario.respond(request)
        let entry = try #require(try cacheFiles(cache).first)

        // An expired response for the same certificate, made and signed by Python cryptography.
        let expired = scenario.directory.appendingPathComponent("expired.der")
        try Peers.make(["response", "--issuer", scenario.pki.path(.rsa, "ca.pem"), "--key", scenario.pki.path(.rsa, "ca.key"),
                        "--cert", scenario.pki.path(.rsa, "good.pem"), "--from", "-48", "--to", "-24", "--out", expired.path])
        for planted in [Data("not a response".utf8), Data([0x30, 0x82]), try Data(contentsOf: expired)] {
            try planted.write(to: entry)
            try requestBytes.write(to: request)
            let (result, response, _) = try scenario.respond(request)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(response != planted)
            #expect(try Data(contentsOf: entry) == response)
            #expect(try scenario.verify(response).first?.certStatus == "GOOD")
        }
        #expect(try String(contentsOf: log, encoding: .utf8).components(separatedBy: "cache=miss").count == 5)
    }

    @Test func anUnwritableCacheWarnsOnceAndStillAnswers() throws {
        var scenario = try Scenario()
        try scenario.insert("0x1001")
        let blocker = scenario.directory.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        try scenario.appendToOCSPSection("cache = \(blocker.path)/cache")
        scenario.logPath = nil
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]), extraArguments: ["--log-level", "warning"])
        #expect(result.status == 0)
        #expect(result.stderr.components(separatedBy: "WARNING").count == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cache"))
        _ = try scenario.verify(response)
    }

    /// 50 processes at once on one CertID, then on 50 CertIDs: every answer verifies, and every cache
    /// entry left behind is a whole, verifiable response for its own CertID.
    @Test(arguments: [true, false])
    func fiftyConcurrentProcesses(sameCertID: Bool) throws {
        let (scenario, cache, _) = try cachedScenario()
        let serials = (0..<50).map { 0x3000 + $0 }
        try scenario.server.execute("INSERT INTO \(scenario.table) (cert_num, cert, status) VALUES "
            + serials.map { "('0x\(String($0, radix: 16))', 'x', 'Valid')" }.joined(separator: ","))
        var requests: [URL] = []
        for (index, serial) in serials.enumerated() {
            let url = scenario.directory.appendingPathComponent("c\(index).der")
            let which = sameCertID ? serials[0] : serial
            try run("openssl", ["ocsp", "-issuer", scenario.pki.path(.rsa, "ca.pem"), "-serial", "0x\(String(which, radix: 16))",
                                "-no_nonce", "-reqout", url.path])
            requests.append(url)
        }
        let script = requests.map { "( \"$0\" respond --config \"$1\" \($0.path); echo $? > \($0.path).status ) &" }.joined(separator: "\n")
        let result = try run("/bin/bash", ["-c", script + "\nwait", ResponderBinary.path, scenario.configPath])
        #expect(result.status == 0)

        var responses: [Data] = []
        for url in requests {
            let status = try String(contentsOf: URL(fileURLWithPath: url.path + ".status"), encoding: .utf8)
            #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            responses.append(try Data(contentsOf: url))
        }
        let distinct = Array(Set(responses))
        let entries = try cacheFiles(cache).map { try Data(contentsOf: $0) }
        #expect(entries.count == (sameCertID ? 1 : 50))
        for response in Set(distinct + entries) {
            try Peers.opensslVerify(response: response, chain: scenario.pki.path(.rsa, "chain.pem"))
        }
        let checked = try Peers.python(responses: distinct + entries, issuer: scenario.pki.path(.rsa, "ca.pem"))
        #expect(checked.allSatisfy { $0.signatureValid == true })
        #expect(checked.allSatisfy { $0.responses.first?.certStatus == "GOOD" })
        // Each answer is about the serial its request asked for.
        for (index, response) in responses.enumerated() {
            let single = checked[distinct.firstIndex(of: response)!].responses.first
            #expect(single?.serialHex == String(sameCertID ? serials[0] : serials[index], radix: 16))
        }
    }

    @Test func theIntermediatesOwnStatusComesFromTheRootSignedFile() throws {
        var scenario = try Scenario()
        let signed = scenario.directory.appendingPathComponent("intermediate-ocsp.der")
        let sign = try ResponderBinary.run([
            "sign", "--issuer", scenario.pki.root, "--key", scenario.pki.path("root.key"), "--cert", scenario.pki.path(.rsa, "ca.pem"),
            "--status", "good", "--valid", "7d", "--out", signed.path,
        ])
        #expect(sign.status == 0, "\(sign.stderr)")
        try scenario.appendToOCSPSection("ocspresponse = \(signed.path)")
        let request = scenario.directory.appendingPathComponent("int-req.der")
        try run("openssl", ["ocsp", "-issuer", scenario.pki.root, "-cert", scenario.pki.path(.rsa, "ca.pem"), "-no_nonce", "-reqout", request.path])
        let again = try copyOf(request, in: scenario)
        let (result, response, _) = try scenario.respond(request)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(response == (try Data(contentsOf: signed)))
        let text = try Peers.opensslVerify(response: response, chain: scenario.pki.root)
        #expect(text.contains("Cert Status: good"))
        let json = try Peers.python(response: response, issuer: scenario.pki.root)
        #expect(json.signatureValid == true)

        // A stale file (Python-made, expired yesterday) is never served: tryLater, and the log names the file.
        let stale = scenario.directory.appendingPathComponent("stale.der")
        try Peers.make(["response", "--issuer", scenario.pki.root, "--key", scenario.pki.path("root.key"),
                        "--cert", scenario.pki.path(.rsa, "ca.pem"), "--from", "-48", "--to", "-24", "--out", stale.path])
        try FileManager.default.removeItem(at: signed)
        try FileManager.default.copyItem(at: stale, to: signed)
        let (staleResult, staleResponse, _) = try scenario.respond(again)
        #expect(staleResult.status == 3)
        #expect(staleResponse == Self.tryLater)
        #expect(staleResult.stderr.contains(signed.path) && staleResult.stderr.contains("expired"), "\(staleResult.stderr)")
    }

    func copyOf(_ url: URL, in scenario: Scenario) throws -> URL {
        let copy = scenario.directory.appendingPathComponent("copy-\(UUID().uuidString.prefix(6)).der")
        try FileManager.default.copyItem(at: url, to: copy)
        return copy
    }

    /// A TCP listener that accepts connections and never says a word: a database that hangs.
    final class StalledListener {
        let process = Process()
        let port: Int

        init() throws {
            let python = ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3"
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", """
                import socket, sys, time
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
                print(s.getsockname()[1], flush=True)
                held = []
                deadline = time.time() + 60
                s.settimeout(1)
                while time.time() < deadline:
                    try: held.append(s.accept())
                    except socket.timeout: pass
                """]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            var line = Data()
            while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                line.append(byte)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw TestFailure("no port from the listener") }
            self.port = port
        }

        deinit { process.terminate() }
    }

    func stalledScenario(_ listener: StalledListener) throws -> Scenario {
        try Scenario(dbSection: """
            [db]
            host = 127.0.0.1
            port = \(listener.port)
            db = ocsp
            username = nobody
            connect_timeout = 60
            """)
    }

    @Test func aDatabaseThatNeverAnswersIsCutOffByTheTimeout() throws {
        let listener = try StalledListener()
        let scenario = try stalledScenario(listener)
        let started = Date()
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]), extraArguments: ["--timeout", "1"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 3)
        #expect(response == Self.tryLater)
        #expect(result.stderr.contains("timed out after 1 s"))
        #expect(elapsed < 2, "took \(elapsed) s")
    }

    @Test func sigtermDuringAStalledDatabaseCallWritesTryLater() throws {
        let listener = try StalledListener()
        let scenario = try stalledScenario(listener)
        let request = try scenario.opensslRequest(["good.pem"])
        let result = try run("/bin/bash", ["-c", """
            "$0" respond --config "$1" --timeout 30 "$2" & pid=$!
            sleep 0.7; kill -TERM $pid; wait $pid; echo "status=$?"
            """, ResponderBinary.path, scenario.configPath, request.path])
        #expect(result.stdoutText.contains("status=3"), "\(result.stdoutText) \(result.stderr)")
        #expect(try Data(contentsOf: request) == Self.tryLater)
        #expect(result.stderr.contains("stopped by signal 15"))
    }

    @Test func aTimeoutBeforeTheRequestArrivesWritesNothing() throws {
        let scenario = try Scenario()
        // stdin stays open and empty: the request never arrives.
        let result = try run("/bin/bash", ["-c", "sleep 5 | \"$0\" respond --config \"$1\" --timeout 1 -", ResponderBinary.path, scenario.configPath])
        #expect(result.status == 75)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("before the request was read"))
    }

    @Test func aConfigWithAPasswordReadableByOthersIsRefused() throws {
        let scenario = try Scenario()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: scenario.configPath)
        let (result, response, original) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 78)
        #expect(result.stderr.contains("chmod 600 \(scenario.configPath)"))
        #expect(!result.stderr.contains(scenario.server.password))
        #expect(response == original)
    }

    @Test func aConfiguredUserThatDoesNotExistIsRefused() throws {
        var scenario = try Scenario()
        try scenario.appendToOCSPSection("user = pycert-not-me")
        let (result, response, original) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        // Root would become that user; there is none, so nothing runs (never on as root).
        #expect(result.status == 78)
        #expect(result.stderr.contains("no user 'pycert-not-me'"), "\(result.stderr)")
        #expect(response == original)
    }

    /// Outside its period a signer signs nothing: `tryLater` (exit 3) with the reason, as `serve` answers
    /// once a certificate ends while it runs; the client gets an answer, not an untouched file.
    @Test func anExpiredSigningCertificateGetsTryLaterAndOneNearItsEndWarns() throws {
        let scenario = try Scenario()
        for (days, expected) in [((-10.0, -1.0), Int32(3)), ((1.0, 9.0), 3), ((-10.0, 10.0), 0)] {
            let cert = scenario.directory.appendingPathComponent("signer-\(days.1).pem")
            let key = scenario.directory.appendingPathComponent("signer-\(days.1).key")
            try Peers.make(["cert", "--days-from", "\(days.0)", "--days-to", "\(days.1)", "--out-cert", cert.path, "--out-key", key.path])
            try scenario.writeConfig("""
                \(scenario.server.configSection(table: scenario.table))
                [ocsp]
                cert = \(cert.path)
                pkey = \(key.path)
                """)
            // The peer-made CA answers for itself: a request about serial 0x1001 of that CA.
            let request = scenario.directory.appendingPathComponent("self-\(days.1).der")
            try run("openssl", ["ocsp", "-issuer", cert.path, "-serial", "0x1001", "-no_nonce", "-reqout", request.path])
            let (result, response, original) = try scenario.respond(request)
            #expect(result.status == expected, "\(result.stderr)")
            if expected == 3 {
                #expect(result.stderr.contains(days.0 < 0 ? "expired at" : "not valid before"), "\(result.stderr)")
                #expect(response == Data([0x30, 0x03, 0x0A, 0x01, 0x03]))
                #expect(response != original)
            } else {
                #expect(result.stderr.contains("WARNING") && result.stderr.contains("expires"))
                let json = try Peers.python(response: response, issuer: cert.path)
                #expect(json.signatureValid == true)
                try Peers.opensslVerify(response: response, chain: cert.path)
            }
        }
    }

    /// Issue 15, item 8: `include_signer = yes` puts the CA's own certificate in `certs`, so a verifier that
    /// knows only the trust anchor (Apache's `SSLOCSPEnable`, openssl without -verify_other) finds the signer.
    @Test func includeSignerPutsTheCAsCertificateInTheResponse() throws {
        for include in [false, true] {
            var scenario = try Scenario()
            try scenario.insert("0x1001")
            if include { try scenario.appendToOCSPSection("include_signer = yes") }
            let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
            #expect(result.status == 0, "\(result.stderr)")
            let json = try Peers.python(response: response, issuer: scenario.pki.path(.rsa, "ca.pem"))
            #expect(json.signatureValid == true)
            #expect(json.certificatesCount == (include ? 1 : 0))
            if include {
                try Peers.opensslVerify(response: response, chain: scenario.pki.path(.rsa, "chain.pem"), embeddedSignerOnly: true)
            } else {
                #expect(throws: TestFailure.self) {
                    try Peers.opensslVerify(response: response, chain: scenario.pki.path(.rsa, "chain.pem"), embeddedSignerOnly: true)
                }
            }
        }
        var scenario = try Scenario()
        try scenario.appendToOCSPSection("include_signer = maybe")
        let (result, _, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 78 && result.stderr.contains("include_signer"), "\(result.stderr)")
    }

    @Test func aKeyThatDoesNotMatchTheCertificateIsRefused() throws {
        let scenario = try Scenario()
        try scenario.writeConfig("""
            \(scenario.server.configSection(table: scenario.table))
            [ocsp]
            cert = \(scenario.pki.path(.rsa, "ca.pem"))
            pkey = \(scenario.pki.path(.p256, "ca.key"))
            """)
        let (result, response, original) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 78)
        #expect(result.stderr.contains("key 'pkey'"), "\(result.stderr)")
        #expect(response == original)
    }
}
