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
        // The sudoers rule goes where sudo reads it, for the caller account's group, and is removed after.
        let accounts = try TestAccounts.required()
        let sudoers = "/etc/sudoers.d/ocsp-setup-test-\(UUID().uuidString.prefix(6).lowercased())"
        defer { unlink(sudoers) }
        let arguments = [
            repositoryRoot.appendingPathComponent("scripts/setup.sh").path, "--user", user, "--binary", ResponderBinary.path,
            "--prefix", path("usr"), "--config-dir", path("etc"), "--data-dir", path("lib"), "--cache-dir", path("cache"),
            "--log-file", path("log/ocsp.log"), "--ca-cert", pki.path(.rsa, "ca.pem"), "--ca-key", pki.path(.rsa, "ca.key"),
            "--caller-group", try TestAccounts.group(of: accounts.caller), "--sudoers-file", sudoers,
            // Issue 18's files, kept in the test's directory: cron here (SetupServiceFilesTests does systemd).
            "--init", "cron", "--cron-file", path("cron.d/ocsp-responder"), "--logrotate-file", path("logrotate.d/ocsp-responder"),
            "--systemd-dir", path("systemd"),
        ]
        let first = try run("/bin/bash", arguments)
        #expect(first.status == 0, "\(first.stdoutText)\(first.stderr)")
        #expect(try run("id", ["-u", user]).status == 0)

        func mode(_ relative: String) throws -> String {
            try run("stat", ["-c", "%a %U:%G", path(relative)]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let group = try TestAccounts.group(of: user)
        #expect(try mode("usr/bin/ocsp-responder") == "755 root:root")
        #expect(try mode("etc") == "750 root:\(group)")
        #expect(try mode("etc/config.ini") == "640 root:\(group)")
        #expect(try mode("etc/ca.key") == "640 root:\(group)")
        #expect(try mode("lib") == "700 \(user):\(group)")
        #expect(try mode("cache") == "700 \(user):\(group)")
        #expect(try mode("log/ocsp.log").hasPrefix("640 \(user):"))
        #expect(try mode("lib/status.db").contains(" \(user):"))
        let binary = path("usr/bin/ocsp-responder")
        let config = path("etc/config.ini")
        let rule = try String(contentsOfFile: sudoers, encoding: .utf8)
        #expect(rule.contains("ALL=(\(user)) NOPASSWD: \(binary) ^(respond )?(--config "), "\(rule)")

        let cron = try String(contentsOfFile: path("cron.d/ocsp-responder"), encoding: .utf8)
        #expect(cron.contains("0 * * * * \(user) \(path("usr/bin/ocsp-responder")) resign --config \(path("etc/config.ini"))\n"), "\(cron)")
        #expect(try String(contentsOfFile: path("logrotate.d/ocsp-responder"), encoding: .utf8).contains(path("log/ocsp.log") + " {"))
        #expect(FileManager.default.fileExists(atPath: path("usr/share/man/man1/ocsp-responder.serve.1")))
        #expect(FileManager.default.fileExists(atPath: path("usr/share/bash-completion/completions/ocsp-responder")))
        #expect(!FileManager.default.fileExists(atPath: path("systemd/ocsp-responder.service")))

        let second = try run("/bin/bash", arguments)
        #expect(second.status == 0)
        #expect(second.stdoutText.contains("nothing to change"), "\(second.stdoutText)")

        // The admin adds a certificate as the service user; the calling app's request is answered through
        // the installed rule, in both spellings, and the rule lets nothing else through.
        let add = try runAs(user, binary, ["db", "add", pki.path(.rsa, "good.pem"), "--config", config])
        #expect(add.status == 0, "\(add.stderr)")
        let requests = base.appendingPathComponent("requests")
        try FileManager.default.createDirectory(at: requests, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o1777])
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: requests.path)
        for spelling in [["respond", "--config", config], ["--config", config]] {
            let request = requests.appendingPathComponent("req-\(spelling.count).der")
            try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-cert", pki.path(.rsa, "good.pem"), "-no_nonce", "-reqout", request.path])
            try TestAccounts.chown(request.path, to: accounts.caller)
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: request.path)
            let answer = try runAs(accounts.caller, "/usr/bin/sudo", ["-n", "-u", user, binary] + spelling + [request.path])
            #expect(answer.status == 0, "\(spelling): \(answer.stderr)")
            let json = try Peers.verifySuccessful(response: try Data(contentsOf: request), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
            #expect(json.responses.first?.certStatus == "GOOD")
            #expect(try mode(request.path.replacingOccurrences(of: base.path + "/", with: "")).hasSuffix(" \(accounts.caller):\(try TestAccounts.group(of: accounts.caller))"))
        }
        #expect(try String(contentsOfFile: path("log/ocsp.log"), encoding: .utf8).contains("certs=0x1001:good:database"))
        let request = requests.appendingPathComponent("req-3.der").path
        for refused in [["respond", "--config", "/tmp/other.ini", request], ["db", "list", "--config", config],
                        ["respond", request, "--out", config], ["sign", "--help"]] {
            let result = try runAs(accounts.caller, "/usr/bin/sudo", ["-n", "-u", user, binary] + refused)
            #expect(result.status == 1 && result.stderr.contains("sudo:"), "\(refused) got through sudo: \(result.status) \(result.stderr)")
        }

        // Root's call becomes the service user; anyone else is refused, as OCSP_MySql refused anyone but pycert.
        let rootRequest = requests.appendingPathComponent("req-root.der").path
        try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-cert", pki.path(.rsa, "good.pem"), "-no_nonce", "-reqout", rootRequest])
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: rootRequest)
        let asRoot = try run(binary, ["respond", "--config", config, rootRequest])
        #expect(asRoot.status == 0, "\(asRoot.stderr)")
        _ = try Peers.verifySuccessful(response: try Data(contentsOf: URL(fileURLWithPath: rootRequest)), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
        let asCaller = try runAs(accounts.caller, binary, ["respond", "--config", config, request])
        #expect(asCaller.status == 78, "\(asCaller.stderr)")
    }
}
