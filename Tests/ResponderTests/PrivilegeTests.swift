import OCSPRuntime
import Foundation
import Testing
import TestSupport

/// `[ocsp] user` on `serve`, `resign`, `db` and `sign`, with the real accounts `scripts/test.sh` makes:
/// the service user runs, root becomes the service user (after binding, for `serve`), and anyone else
/// is refused with 78. What a process is, is read from `/proc/PID/status`; what a file is, from `stat`.
@Suite("Privileges", .serialized, .enabled(if: getuid() == 0, "starting commands as root and as other users needs root"))
struct PrivilegeTests {
    @Test("serve as the service user answers (verified by openssl), with its uid and gid")
    func serveAsServiceUser() throws {
        let server = try ServeHarness()
        try expectOpensslVerifies(server)
        let status = try ProcessStatus(pid: server.process.processIdentifier)
        let ids = try TestAccounts.ids(of: server.service)
        #expect(status.uids == Array(repeating: ids.uid, count: 4) && status.gids == Array(repeating: ids.gid, count: 4), "\(status)")
        #expect(server.stop() == 0)
    }

    @Test("serve started as root binds a privileged port, then runs as the service user only")
    func serveStartedAsRootDrops() throws {
        let server = try ServeHarness(launch: .none, port: try freePort(privileged: true))
        // Gone, so that serve itself makes them: the log as root (handed to the user), the cache after the drop.
        try FileManager.default.removeItem(atPath: server.cachePath)
        try FileManager.default.removeItem(atPath: server.logPath)
        try server.start(.root)
        #expect(server.port < 1024)
        try expectOpensslVerifies(server)
        let request = try server.request(["good.pem"])
        #expect(try server.verify(try server.post(request).body).first?.certStatus == "GOOD")
        let status = try ProcessStatus(pid: server.process.processIdentifier)
        let ids = try TestAccounts.ids(of: server.service)
        #expect(status.uids == Array(repeating: ids.uid, count: 4), "\(status)")
        #expect(status.gids == Array(repeating: ids.gid, count: 4), "\(status)")
        #expect(!status.groups.contains(0) && status.groups.contains(ids.gid), "\(status)")
        #expect(status.noNewPrivileges, "\(status)")
        // What it made is the service user's: the log, the cache directory and the response kept in it.
        #expect(try owner(server.logPath) == ids.uid)
        #expect(try owner(server.cachePath) == ids.uid)
        let kept = try FileManager.default.contentsOfDirectory(atPath: server.cachePath).filter { $0.hasSuffix(".der") }
        #expect(kept.count == 1)
        for file in kept { #expect(try owner(server.cachePath + "/" + file) == ids.uid) }
        #expect(server.stop() == 0)
    }

    @Test("serve started as root without [ocsp] user still answers, as root, and warns once naming the key")
    func serveAsRootWithoutUserWarns() throws {
        let server = try ServeHarness(launch: .none)
        let config = try String(contentsOfFile: server.configPath, encoding: .utf8)
        try config.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("user = ") }
            .joined(separator: "\n").write(toFile: server.configPath, atomically: true, encoding: .utf8)
        try server.start(.root)
        try expectOpensslVerifies(server)
        #expect(try ProcessStatus(pid: server.process.processIdentifier).uids == [0, 0, 0, 0])
        let log = server.accessLog(containing: "running as root")
        #expect(log.components(separatedBy: "running as root: set [ocsp] user = NAME in \(server.configPath)").count == 2, "\(log)")
        #expect(server.stop() == 0)
    }

    @Test("enforce, in this (root) process: no rule, root's own name, an unknown user, and a drop left to the caller")
    func decisionsThatDoNotDrop() throws {
        let service = try #require(TestAccounts.service)
        func config(_ user: String?) throws -> ResponderConfiguration {
            try ResponderConfiguration.parse(
                "[db]\nbackend = sqlite\npath = /x.db\n[ocsp]\ncert = c\npkey = k\n\(user.map { "user = \($0)\n" } ?? "")", path: "/etc/x.ini")
        }
        #expect(try ServiceAccount.enforce(config(nil)) == .unrestricted)
        #expect(try ServiceAccount.enforce(config("root")) == .alreadyServiceUser)
        let ids = try TestAccounts.ids(of: service)
        let pending = try ServiceAccount.enforce(config(service), dropLater: true)
        guard case .dropPending(let account) = pending else { throw TestFailure("\(pending)") }
        #expect(account.name == service && account.uid == ids.uid && account.gid == ids.gid)
        let unknown = try config("no-such-user-ocsp")
        let error = #expect(throws: PrivilegeError.self) { try ServiceAccount.enforce(unknown) }
        #expect(error?.code == .unknownUser)
        #expect(error?.configError?.line == 7 && error?.configError?.key == "user")
        #expect(error?.description.hasPrefix("config error: /etc/x.ini:7: key 'user': there is no user 'no-such-user-ocsp'") == true, "\(String(describing: error))")
        #expect(geteuid() == 0)
    }

    @Test("serve as another user than [ocsp] user exits 78 and names the user to run as")
    func serveAsWrongUserIsRefused() throws {
        let accounts = try TestAccounts.required()
        let setup = try ServeHarness(launch: .none)
        let result = try runAs(accounts.caller, ResponderBinary.path, ["serve", "--config", setup.configPath, "--listen", "127.0.0.1:\(setup.port)"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("runs only as '\(accounts.service)', not as '\(accounts.caller)'"), "\(result.stderr)")
    }

    @Test("db init and add as root leave the SQLite file the service user's")
    func dbAsRootDrops() throws {
        // The harness ran db init, add and revoke as root, with user = the service user in the config.
        let setup = try ServeHarness(launch: .none)
        let uid = try TestAccounts.ids(of: setup.service).uid
        for file in [setup.databasePath, setup.databasePath + "-wal", setup.databasePath + "-shm"]
        where FileManager.default.fileExists(atPath: file) {
            #expect(try owner(file) == uid, "\(file)")
        }
        #expect(try owner(setup.cachePath) == uid)
        let show = try ResponderBinary.run(["db", "show", "0x1002", "--json", "--config", setup.configPath])
        #expect(show.status == 0 && show.stdoutText.contains("\"status\":\"Revoked\""), "\(show.stdoutText)\(show.stderr)")
    }

    @Test("resign as root writes cache files the service user owns, and they verify")
    func resignAsRootDrops() throws {
        let setup = try ServeHarness(launch: .none)
        let result = try ResponderBinary.run(["resign", "--config", setup.configPath])
        #expect(result.status == 0, "\(result.stderr)")
        let uid = try TestAccounts.ids(of: setup.service).uid
        let files = try FileManager.default.contentsOfDirectory(atPath: setup.cachePath).filter { $0.hasSuffix(".der") }
        #expect(files.count == 2, "\(files)")
        var statuses: [String] = []
        for file in files {
            let path = setup.cachePath + "/" + file
            #expect(try owner(path) == uid, "\(path)")
            statuses += try setup.verify(try Data(contentsOf: URL(fileURLWithPath: path))).compactMap { $0.certStatus }
        }
        #expect(statuses.sorted() == ["GOOD", "REVOKED"])
    }

    @Test("resign and sign --config as another user than [ocsp] user exit 78")
    func resignAndSignAsWrongUserAreRefused() throws {
        let accounts = try TestAccounts.required()
        let setup = try ServeHarness(launch: .none)
        let resign = try runAs(accounts.caller, ResponderBinary.path, ["resign", "--config", setup.configPath])
        #expect(resign.status == 78)
        #expect(resign.stderr.contains("runs only as '\(accounts.service)'"), "\(resign.stderr)")
        let sign = try runAs(accounts.caller, ResponderBinary.path, signArguments(setup, out: "/dev/null") + ["--config", setup.configPath])
        #expect(sign.status == 78)
        #expect(sign.stderr.contains("runs only as '\(accounts.service)'"), "\(sign.stderr)")
    }

    @Test("sign --config as root runs as the service user: the response is its file, and verifies")
    func signAsRootDrops() throws {
        let setup = try ServeHarness(launch: .none)
        let out = setup.directory.appendingPathComponent("signed.der").path
        let result = try ResponderBinary.run(signArguments(setup, out: out) + ["--config", setup.configPath])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try owner(out) == TestAccounts.ids(of: setup.service).uid)
        let singles = try setup.verify(try Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(singles.first?.certStatus == "REVOKED")
    }

    /// `sign` for revoked.pem with the service user's copy of the CA key (readable only by that user).
    private func signArguments(_ setup: ServeHarness, out: String) -> [String] {
        ["sign", "--issuer", setup.directory.appendingPathComponent("ca.pem").path,
         "--key", setup.directory.appendingPathComponent("ca.key").path, "--cert", setup.pki.path(.rsa, "revoked.pem"),
         "--status", "revoked", "--valid", "1d", "--out", out]
    }

    private func expectOpensslVerifies(_ server: ServeHarness) throws {
        let openssl = try server.opensslClient(["good.pem"])
        #expect(openssl.status == 0)
        #expect(openssl.text.contains("Response verify OK") && openssl.text.contains("good.pem: good"), "\(openssl.text)")
    }
}

/// The owner's uid of `path`.
private func owner(_ path: String) throws -> uid_t {
    var info = stat()
    guard stat(path, &info) == 0 else { throw TestFailure("stat \(path): errno \(errno)") }
    return info.st_uid
}

/// The ids `/proc/PID/status` shows: real, effective, saved and filesystem uid and gid, the groups and NoNewPrivs.
private struct ProcessStatus: CustomStringConvertible {
    var uids: [uid_t] = []
    var gids: [gid_t] = []
    var groups: [gid_t] = []
    var noNewPrivileges = false
    var description = ""

    init(pid: Int32) throws {
        description = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in description.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard let name = fields.first else { continue }
            let numbers = fields.dropFirst().compactMap { UInt32($0) }
            switch name {
            case "Uid:": uids = numbers
            case "Gid:": gids = numbers
            case "Groups:": groups = numbers
            case "NoNewPrivs:": noNewPrivileges = numbers == [1]
            default: break
            }
        }
    }
}
