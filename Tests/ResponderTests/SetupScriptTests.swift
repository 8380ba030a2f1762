import Foundation
import Testing
import TestSupport

/// `scripts/setup.sh` on the real machine, as root: a real service user, real modes, a second run that
/// changes nothing, and the socket app's call `sudo -u USER ocsp-responder respond FILE`.
@Suite(.enabled(if: getuid() == 0, "setup.sh creates users: it needs root"))
struct SetupScriptTests {
    @Test func installsServesAndIsIdempotent() throws {
        let pki = TestPKI.shared
        let user = "ocsp-t-\(UUID().uuidString.prefix(6).lowercased())"
        let base = URL(fileURLWithPath: "/tmp/ocsp-setup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer {
            _ = try? run("userdel", [user])
            try? FileManager.default.removeItem(at: base)
        }
        func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }
        let arguments = [
            repositoryRoot.appendingPathComponent("scripts/setup.sh").path, "--user", user, "--binary", ResponderBinary.path,
            "--prefix", path("usr"), "--config-dir", path("etc"), "--data-dir", path("lib"), "--cache-dir", path("cache"),
            "--log-file", path("log/ocsp.log"), "--ca-cert", pki.path(.rsa, "ca.pem"), "--ca-key", pki.path(.rsa, "ca.key"),
            "--caller-group", "adm", "--sudoers-file", path("sudoers"),
        ]
        let first = try run("/bin/bash", arguments)
        #expect(first.status == 0, "\(first.stdoutText)\(first.stderr)")
        #expect(try run("id", ["-u", user]).status == 0)

        func mode(_ relative: String) throws -> String {
            try run("stat", ["-c", "%a %U", path(relative)]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try mode("usr/bin/ocsp-responder") == "755 root")
        #expect(try mode("etc/config.ini") == "600 \(user)")
        #expect(try mode("etc/ca.key") == "600 \(user)")
        #expect(try mode("lib") == "700 \(user)")
        #expect(try mode("cache") == "700 \(user)")
        #expect(try mode("log/ocsp.log") == "640 \(user)")
        #expect(try mode("lib/status.db").hasSuffix(user))
        #expect(try String(contentsOfFile: path("sudoers"), encoding: .utf8).contains("%adm ALL=(\(user)) NOPASSWD: \(path("usr/bin/ocsp-responder")) respond *"))

        let second = try run("/bin/bash", arguments)
        #expect(second.status == 0)
        #expect(second.stdoutText.contains("nothing to change"), "\(second.stdoutText)")

        // The admin adds a certificate as the service user; the calling app's request is answered through sudo.
        let binary = path("usr/bin/ocsp-responder")
        let config = path("etc/config.ini")
        let add = try run("sudo", ["-u", user, binary, "db", "add", pki.path(.rsa, "good.pem"), "--config", config])
        #expect(add.status == 0, "\(add.stderr)")
        let requests = base.appendingPathComponent("requests")
        try FileManager.default.createDirectory(at: requests, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o1777])
        let request = requests.appendingPathComponent("req.der")
        try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-cert", pki.path(.rsa, "good.pem"), "-no_nonce", "-reqout", request.path])
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: request.path)
        let answer = try run("sudo", ["-u", user, binary, "respond", "--config", config, request.path])
        #expect(answer.status == 0, "\(answer.stderr)")
        let json = try Peers.verifySuccessful(response: try Data(contentsOf: request), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
        #expect(Peers.singleResponses(json).first?["cert_status"] as? String == "GOOD")
        #expect(try String(contentsOfFile: path("log/ocsp.log"), encoding: .utf8).contains("certs=0x1001:good:database"))

        // Anyone else is refused, as OCSP_MySql refused anyone but pycert.
        let asRoot = try run(binary, ["respond", "--config", config, request.path])
        #expect(asRoot.status == 78 && asRoot.stderr.contains("runs only as '\(user)'"))
    }
}
