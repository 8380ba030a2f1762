import Foundation
import Synchronization
import Testing
import TestSupport

/// SIGHUP on `serve` (issue 18): the log files reopened, the config, certificates and keys read again,
/// without a failed or lost answer; a config or key that does not load keeps the running one. `serve`
/// runs as the service user; every signed answer is verified by openssl and Python's cryptography.
@Suite(.serialized, .enabled(if: TestAccounts.service != nil, "needs the service user that scripts/test.sh creates as root"))
struct ServeReloadTests {
    @Test("logrotate's way (rename, then SIGHUP) under load: every answer successful, none lost, the lines go on in the new file")
    func logRotationUnderLoad() throws {
        let server = try ServeHarness(cache: false, extraArguments: ["--workers", "2"])
        defer { server.stop() }
        let request = try server.request(["good.pem"])
        let rotated = server.logPath + ".1"

        let load = try GaleraSetup.load(server, request, seconds: 3, after: 1) {
            try FileManager.default.moveItem(atPath: server.logPath, toPath: rotated)
            kill(server.process.processIdentifier, SIGHUP)
        }
        #expect(load.total > 0 && load.successful == load.total, "\(load.summary)")
        for body in load.distinctSuccessful.prefix(5) {
            #expect(try server.verify(body).map(\.certStatus) == ["GOOD"])
        }
        #expect(try server.post(request).status == 200)

        usleep(700_000)  // the access log writes at least every 0.5 s
        let fresh = server.accessLog(containing: "reloaded")
        let old = (try? String(contentsOfFile: rotated, encoding: .utf8)) ?? ""
        #expect(fresh.contains("reloading \(server.configPath) (log files reopened)"), "\(fresh)")
        #expect(!old.contains("reloaded"), "the reload's lines belong in the new file")
        // Every answer of the load has its line, in the old file or the new one: nothing was lost.
        let posts = Self.count(#""POST / HTTP/1.1" 200"#, in: old) + Self.count(#""POST / HTTP/1.1" 200"#, in: fresh)
        #expect(posts == load.total + 1, "\(posts) access lines for \(load.total + 1) answers")
        #expect(Self.count(#""POST / HTTP/1.1" 200"#, in: fresh) > 0, "no access line went to the new file")
        #expect(server.process.isRunning)
        #expect(server.stop() == 0)
    }

    @Test("The signer replaced (the CA's key → a delegated responder) and SIGHUP: answers are signed by the new one; the cache does not repeat old ones")
    func newSignerAfterReload() throws {
        let server = try ServeHarness(cache: true)
        defer { server.stop() }
        let request = try server.request(["good.pem"])
        let before = try Self.report(server, try server.post(request).body)
        #expect(before.signer == "issuer")
        #expect(try server.post(request).status == 200)  // cached now

        for file in ["responder.pem", "responder.key"] {
            let target = server.directory.appendingPathComponent(file).path
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: server.pki.path(.rsa, file), toPath: target)
            try TestAccounts.chown(target, to: server.service)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: server.directory.appendingPathComponent("responder.key").path)
        try rewriteConfig(server) { text in
            text.replacingOccurrences(of: "pkey = \(server.directory.appendingPathComponent("ca.key").path)",
                                      with: "pkey = \(server.directory.appendingPathComponent("responder.key").path)")
                .replacingOccurrences(of: "cert = \(server.directory.appendingPathComponent("ca.pem").path)",
                                      with: "cert = \(server.directory.appendingPathComponent("responder.pem").path)\nissuer = \(server.directory.appendingPathComponent("ca.pem").path)")
        }
        kill(server.process.processIdentifier, SIGHUP)
        let log = server.accessLog(containing: "reloaded")
        #expect(log.contains("reloaded \(server.configPath)"), "\(log.suffix(2000))")

        for _ in 0..<3 {
            let after = try Self.report(server, try server.post(request).body)
            #expect(after.signer == "delegate", "signed by \(after.signer ?? "?") after the reload")
            #expect(after.delegateHasOcspSigning == true)
        }
        #expect(server.stop() == 0)
    }

    @Test("A config or a key that does not load on SIGHUP: logged with the reason, and serve answers on with the old one")
    func brokenReloadKeepsTheOld() throws {
        let server = try ServeHarness(cache: false)
        defer { server.stop() }
        let request = try server.request(["good.pem"])
        let original = try String(contentsOfFile: server.configPath, encoding: .utf8)

        // An unknown key in the config.
        try rewriteConfig(server) { $0.replacingOccurrences(of: "producetime = 1d", with: "producetime = 1d\nproduce_time = 2d") }
        kill(server.process.processIdentifier, SIGHUP)
        let first = server.accessLog(containing: "reload failed")
        #expect(first.contains("reload failed, still serving with the configuration loaded before"), "\(first.suffix(2000))")
        #expect(first.contains("produce_time"), "the message names the key: \(first.suffix(2000))")
        #expect(try Self.report(server, try server.post(request).body).signer == "issuer")

        // A key that is not the certificate's.
        try original.write(toFile: server.configPath, atomically: false, encoding: .utf8)
        let key = server.directory.appendingPathComponent("ca.key").path
        let saved = try Data(contentsOf: URL(fileURLWithPath: key))
        try Data(contentsOf: URL(fileURLWithPath: server.pki.path(.rsa, "responder.key"))).write(to: URL(fileURLWithPath: key))
        let mark = (try? String(contentsOfFile: server.logPath, encoding: .utf8))?.utf8.count ?? 0
        kill(server.process.processIdentifier, SIGHUP)
        var second = ""
        for _ in 0..<30 {
            second = String(decoding: ((try? Data(contentsOf: URL(fileURLWithPath: server.logPath))) ?? Data()).dropFirst(mark), as: UTF8.self)
            if second.contains("reload failed") { break }
            usleep(100_000)
        }
        #expect(second.contains("reload failed, still serving with the configuration loaded before"), "\(second.suffix(2000))")
        let answer = try server.post(request)
        #expect(answer.status == 200)
        #expect(try Self.report(server, answer.body).signer == "issuer", "still signed with the key loaded at start")

        // Put right, the next SIGHUP takes it.
        try saved.write(to: URL(fileURLWithPath: key))
        kill(server.process.processIdentifier, SIGHUP)
        #expect(server.accessLog(containing: "reloaded").contains("reloaded \(server.configPath)"))
        #expect(try server.post(request).status == 200)
        #expect(server.process.isRunning)
        #expect(server.stop() == 0)
        #expect(!server.accessLog(containing: "stopped").contains("ocsp=internalError"))
    }

    /// The config rewritten in place, as an operator's editor would leave it (owned by the service user).
    private func rewriteConfig(_ server: ServeHarness, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: server.configPath, encoding: .utf8)
        try change(text).write(toFile: server.configPath, atomically: false, encoding: .utf8)
    }

    static func report(_ server: ServeHarness, _ body: Data) throws -> PeerReport {
        try Peers.verifySuccessful(response: body, issuer: server.pki.path(.rsa, "ca.pem"), chain: server.pki.path(.rsa, "chain.pem"))
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
