import Foundation
import Testing
import TestSupport

/// `scripts/setup.sh` on the real machine, as root: a real service user, real modes, a second run that
/// changes nothing, and the socket app's call `sudo -u USER ocsp-responder respond FILE`.
@Suite(.enabled(if: getuid() == 0, "setup.sh creates users: it needs root"))
struct SetupScriptTests {
    @Test func installsServesAndIsIdempotent() throws {
        // The sudoers rule goes where sudo reads it, for the caller account's group, and is removed after.
        let install = try SetupInstall()
        let (pki, user, base, accounts, sudoers) = (install.pki, install.user, install.base, install.accounts, install.sudoers)
        func path(_ relative: String) -> String { install.path(relative) }
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

/// One install of `scripts/setup.sh` into a directory of its own, with a user of its own, removed after.
final class SetupInstall {
    let pki = TestPKI.shared
    let user = "ocsp-t-\(UUID().uuidString.prefix(6).lowercased())"
    let base = URL(fileURLWithPath: "/tmp/ocsp-setup-\(UUID().uuidString.prefix(8))")
    let accounts: (service: String, caller: String, binary: String)
    let sudoers = "/etc/sudoers.d/ocsp-setup-test-\(UUID().uuidString.prefix(6).lowercased())"

    init() throws {
        accounts = try TestAccounts.required()
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    deinit {
        unlink(sudoers)
        _ = try? run("userdel", [user])
        try? FileManager.default.removeItem(at: base)
    }

    func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }
    var binary: String { path("usr/bin/ocsp-responder") }
    var config: String { path("etc/config.ini") }

    /// `setup.sh` with this install's places and `extra`.
    func setup(_ extra: [String]) throws -> ProcessResult {
        try run("/bin/bash", [
            repositoryRoot.appendingPathComponent("scripts/setup.sh").path, "--user", user, "--binary", ResponderBinary.path,
            "--prefix", path("usr"), "--config-dir", path("etc"), "--data-dir", path("lib"), "--cache-dir", path("cache"),
            "--log-file", path("log/ocsp.log"), "--caller-group", try TestAccounts.group(of: accounts.caller), "--sudoers-file", sudoers,
            // Nothing outside the install's directory: no cron line, no logrotate file in /etc.
            "--init", "none", "--logrotate-file", path("logrotate.d/ocsp-responder"),
        ] + extra)
    }

    func mode(_ path: String) throws -> String {
        try run("stat", ["-c", "%a %U:%G", path]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The calling app's request about `leaf` through sudo as the installed rule allows; the answer, verified.
    func askThroughSudo(_ leaf: String) throws -> PeerReport {
        let requests = base.appendingPathComponent("requests")
        try FileManager.default.createDirectory(at: requests, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o1777])
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: requests.path)
        let request = requests.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der")
        try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-cert", pki.path(.rsa, leaf), "-no_nonce", "-reqout", request.path])
        try TestAccounts.chown(request.path, to: accounts.caller)
        // The installed user is not in the caller's group: the caller's file must be writable by it.
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: request.path)
        let answer = try runAs(accounts.caller, "/usr/bin/sudo", ["-n", "-u", user, binary, "--config", config, request.path])
        guard answer.status == 0 else { throw TestFailure("respond through sudo: \(answer.status) \(answer.stderr)") }
        return try Peers.verifySuccessful(response: try Data(contentsOf: request), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
    }

    /// A password file of root's, mode 0600.
    func passwordFile(_ name: String, _ password: String) throws -> String {
        let file = path(name)
        try (password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        return file
    }
}

extension SetupScriptTests {
    @Test("--help prints the usage and exits 0")
    func helpExitsZero() throws {
        let help = try run("/bin/bash", [repositoryRoot.appendingPathComponent("scripts/setup.sh").path, "--help"])
        #expect(help.status == 0)
        for option in ["--backend mariadb", "--delegate", "--delegate-days", "--from FILE", "--db-password-file"] {
            #expect(help.stdoutText.contains(option), "\(option) missing from:\n\(help.stdoutText)")
        }
    }

    @Test("--delegate: a delegated responder issued with the CA key, which is not installed; answers signed by the delegate; a second run keeps it")
    func delegatedSigner() throws {
        let install = try SetupInstall()
        let options = ["--ca-cert", install.pki.path(.rsa, "ca.pem"), "--ca-key", install.pki.path(.rsa, "ca.key"), "--delegate", "--delegate-days", "9"]
        let first = try install.setup(options)
        #expect(first.status == 0, "\(first.stdoutText)\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: install.path("etc/ca.key")), "the CA key must not be installed with --delegate")
        let group = try TestAccounts.group(of: install.user)
        #expect(try install.mode(install.path("etc/responder.key")) == "640 root:\(group)")
        let text = try run("openssl", ["x509", "-in", install.path("etc/responder.pem"), "-noout", "-text"]).stdoutText
        #expect(text.contains("OCSP Signing") && text.contains("OCSP No Check"), "\(text)")
        let days = try run("openssl", ["x509", "-in", install.path("etc/responder.pem"), "-noout", "-checkend", "\(8 * 86400)"])
        #expect(days.status == 0, "valid for 9 days")
        #expect(try run("openssl", ["x509", "-in", install.path("etc/responder.pem"), "-noout", "-checkend", "\(10 * 86400)"]).status != 0)

        let add = try runAs(install.user, install.binary, ["db", "add", install.pki.path(.rsa, "good.pem"), "--config", install.config])
        #expect(add.status == 0, "\(add.stderr)")
        let report = try install.askThroughSudo("good.pem")
        #expect(report.signer == "delegate" && report.delegateValid == true && report.delegateHasOcspSigning == true, "\(report)")
        #expect(report.responses.first?.certStatus == "GOOD")

        let before = try Data(contentsOf: URL(fileURLWithPath: install.path("etc/responder.pem")))
        let second = try install.setup(options)
        #expect(second.status == 0 && second.stdoutText.contains("nothing to change"), "\(second.stdoutText)\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: install.path("etc/responder.pem"))) == before)
        // With a third of a longer validity already gone, the next run issues a new one, with a new key.
        let renewed = try install.setup(["--ca-cert", install.pki.path(.rsa, "ca.pem"), "--ca-key", install.pki.path(.rsa, "ca.key"),
                                         "--delegate", "--delegate-days", "30"])
        #expect(renewed.status == 0 && renewed.stdoutText.contains("issued"), "\(renewed.stdoutText)\(renewed.stderr)")
        #expect(try install.askThroughSudo("good.pem").signer == "delegate")
    }

    @Test("--backend mariadb: the responder reads with a read-only account; db writes with the admin account's root-only admin.ini")
    func mariadbBackend() throws {
        let server = try #require(MariaDBTestServer.shared, "needs the MariaDB of scripts/test.sh")
        let install = try SetupInstall()
        let table = "setup_\(UUID().uuidString.prefix(8).lowercased())"
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let reader = "rd_\(suffix)", admin = "ad_\(suffix)"
        var sql = ""
        for from in ["localhost", "127.0.0.1"] {
            sql += "CREATE USER '\(reader)'@'\(from)' IDENTIFIED BY 'reader%pw'; GRANT SELECT ON \(server.database).* TO '\(reader)'@'\(from)';"
            sql += "CREATE USER '\(admin)'@'\(from)' IDENTIFIED BY 'admin-pw'; GRANT SELECT, INSERT, UPDATE, CREATE ON \(server.database).* TO '\(admin)'@'\(from)';"
        }
        let created = try run("mariadb", ["--no-defaults", "--socket=\(server.socket)", "-uroot", "--execute=\(sql)"])
        try #require(created.status == 0, "\(created.stderr)")
        defer {
            _ = try? run("mariadb", ["--no-defaults", "--socket=\(server.socket)", "-uroot", "--execute=DROP USER IF EXISTS '\(reader)'@'localhost', '\(reader)'@'127.0.0.1', '\(admin)'@'localhost', '\(admin)'@'127.0.0.1'"])
        }
        let result = try install.setup([
            "--ca-cert", install.pki.path(.rsa, "ca.pem"), "--ca-key", install.pki.path(.rsa, "ca.key"),
            "--backend", "mariadb", "--db-host", "127.0.0.1:\(server.port)", "--db-name", server.database, "--db-table", table,
            "--db-user", reader, "--db-password-file", try install.passwordFile("reader.pw", "reader%pw"),
            "--admin-user", admin, "--admin-password-file", try install.passwordFile("admin.pw", "admin-pw"),
        ])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains("created the status table \(server.database).\(table)"), "\(result.stdoutText)")
        let admin_config = install.path("etc/admin.ini")
        #expect(try install.mode(admin_config) == "600 root:root")
        let config = try String(contentsOfFile: install.config, encoding: .utf8)
        #expect(config.contains("username = \(reader)") && !config.contains(admin) && !config.contains("admin-pw"), "\(config)")
        #expect(try String(contentsOfFile: admin_config, encoding: .utf8).contains("[db_admin]\nhost = 127.0.0.1:\(server.port)\nusername = \(admin)"))

        // db writes with the admin config; the responder's own config cannot write.
        let add = try run(install.binary, ["db", "add", install.pki.path(.rsa, "good.pem"), install.pki.path(.rsa, "revoked.pem"), "--config", admin_config])
        #expect(add.status == 0, "\(add.stderr)")
        let revoke = try run(install.binary, ["db", "revoke", "--cert", install.pki.path(.rsa, "revoked.pem"), "--reason", "keyCompromise", "--config", install.config])
        #expect(revoke.status != 0, "the read-only account wrote: \(revoke.stdoutText)")
        #expect(try install.askThroughSudo("revoked.pem").responses.first?.certStatus == "GOOD")
        let revokeAsAdmin = try run(install.binary, ["db", "revoke", "--cert", install.pki.path(.rsa, "revoked.pem"), "--reason", "keyCompromise", "--config", admin_config])
        #expect(revokeAsAdmin.status == 0, "\(revokeAsAdmin.stderr)")
        #expect(try install.askThroughSudo("revoked.pem").responses.first?.certStatus == "REVOKED")
        #expect(try install.askThroughSudo("good.pem").responses.first?.certStatus == "GOOD")

        let again = try install.setup([
            "--ca-cert", install.pki.path(.rsa, "ca.pem"), "--ca-key", install.pki.path(.rsa, "ca.key"),
            "--backend", "mariadb", "--db-host", "127.0.0.1:\(server.port)", "--db-name", server.database, "--db-table", table,
            "--db-user", reader, "--db-password-file", install.path("reader.pw"),
            "--admin-user", admin, "--admin-password-file", install.path("admin.pw"),
        ])
        #expect(again.status == 0 && again.stdoutText.contains("nothing to change"), "\(again.stdoutText)\(again.stderr)")
    }

    @Test("--from: an OCSP_MySql install taken over; its config copied with [ocsp] user and [log] added, its key left where it is, the changes listed")
    func takesOverOCSPMySql() throws {
        let server = try #require(MariaDBTestServer.shared, "needs the MariaDB of scripts/test.sh")
        let install = try SetupInstall()
        let table = try server.createStatusTable("frompy")
        try server.execute("INSERT INTO \(table) (cert_num, revocation_time, revocation_reason, cert, status) VALUES ('0x1001', NULL, NULL, '', 'Valid')")
        // OCSP_MySql's layout: /etc/ocsp_py with its config, the intermediate's certificate and key.
        let old = install.path("ocsp_py")
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for file in ["ca.pem", "ca.key"] { try FileManager.default.copyItem(atPath: install.pki.path(.rsa, file), toPath: "\(old)/\(file)") }
        try """
            [db]
            host = 127.0.0.1
            port = \(server.port)
            db = \(server.database)
            username = \(server.user)
            password = \(server.password)
            table = \(table)
            log = INFO

            [ocsp]
            producetime = 1d
            cert = \(old)/ca.pem
            pkey = \(old)/ca.key
            """.write(toFile: "\(old)/config.ini", atomically: true, encoding: .utf8)
        // pycert, as OCSP_MySql's creation.sh left it: its own user, owning its config and key (mode 600).
        try #require(try run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", install.user]).status == 0)
        try TestAccounts.chown(old, to: install.user, recursive: true)
        for file in ["config.ini", "ca.key"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(old)/\(file)")
        }
        let result = try install.setup(["--from", "\(old)/config.ini"])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains("wrote \(install.config) from \(old)/config.ini"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("[ocsp] user = \(install.user) added"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("[log] file = \(install.path("log/ocsp.log")) added"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("replace 'sudo -u \(install.user) ocsp.py FILE'"), "\(result.stdoutText)")
        let config = try String(contentsOfFile: install.config, encoding: .utf8)
        #expect(config.contains("[ocsp]\nuser = \(install.user)\nproducetime = 1d"), "\(config)")
        #expect(config.contains("pkey = \(old)/ca.key"))
        #expect(!FileManager.default.fileExists(atPath: install.path("etc/ca.key")))
        #expect(try install.askThroughSudo("good.pem").responses.first?.certStatus == "GOOD")
    }
}
