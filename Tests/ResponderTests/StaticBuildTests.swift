import Foundation
import Testing
import TestSupport

/// The fully static `ocsp-responder` (`scripts/build-static.sh`) on the paths where static linking
/// changes what runs: users and groups through glibc's NSS (`[ocsp] user`), host names through
/// `getaddrinfo` (MariaDB over TCP), Connector/C's authentication plugins (dlopened by a dynamic build,
/// refused by the static one), SQLite and OpenSSL linked in. Every answer is verified by both peers.
///
/// `scripts/test.sh` builds the binary and sets `OCSP_TEST_STATIC_BIN` under CI (`CI=true`) or with
/// `OCSP_TEST_STATIC=1`; elsewhere the suite is skipped (a static release build takes minutes).
@Suite(.enabled(if: StaticBinary.path != nil, "needs OCSP_TEST_STATIC_BIN (scripts/test.sh under CI=true or OCSP_TEST_STATIC=1)"))
struct StaticBuildTests {
    @Test("it is statically linked: no program interpreter, no dynamic section")
    func isStatic() throws {
        let headers = try run("readelf", ["-lW", try StaticBinary.required()])
        #expect(headers.status == 0, "\(headers.stderr)")
        #expect(headers.stdoutText.contains("LOAD"), "\(headers.stdoutText)")
        #expect(!headers.stdoutText.contains("INTERP") && !headers.stdoutText.contains("DYNAMIC"), "\(headers.stdoutText)")
    }

    /// Over the socket; over TCP to an address; over TCP to `localhost`, which Connector/C resolves with
    /// `getaddrinfo` (glibc's `files` source, /etc/hosts) since the protocol is TCP.
    @Test("a miss over MariaDB: unix socket, TCP to 127.0.0.1, TCP to localhost (getaddrinfo)", .enabled(if: MariaDBTestServer.isAvailable),
          arguments: ["socket", "127.0.0.1", "localhost"])
    func missOverMariaDB(connection: String) throws {
        let server = try #require(MariaDBTestServer.shared)
        let table = try server.createStatusTable("static")
        var section = server.configSection(table: table, tcp: connection != "socket")
        if connection == "localhost" { section = section.replacingOccurrences(of: "host = \(server.host)", with: "host = localhost") }
        let scenario = try Scenario(dbSection: section)
        try server.execute("INSERT INTO \(table) (cert_num, cert, status, revocation_time, revocation_reason) VALUES ('0x1001', 'x', 'Valid', NULL, NULL), ('0x1002', 'x', 'Revoked', '2026-03-04 05:06:07', 'superseded')")
        let request = try scenario.opensslRequest(["good.pem", "revoked.pem"], nonce: true)
        let sent = try Data(contentsOf: request)
        let result = try StaticBinary.respond(["--config", scenario.configPath, request.path])
        #expect(result.status == 0, "\(result.stderr)")
        let singles = try scenario.verify(try Data(contentsOf: request), request: sent)
        #expect(singles.map(\.certStatus) == ["GOOD", "REVOKED"])
    }

    /// `[ocsp] user` started as root: `getpwnam_r` and `initgroups` read /etc/passwd and /etc/group. The
    /// request is the caller's, in a directory only the caller's group reaches: it is read only if the
    /// service user's supplementary groups were set. The store is SQLite, linked in.
    @Test("started as root with [ocsp] user, SQLite store: runs as the service user with its groups", .enabled(if: getuid() == 0 && TestAccounts.service != nil))
    func rootBecomesServiceUser() throws {
        let deployment = try Deployment()
        let request = try deployment.callerRequest("revoked.pem")
        // The answer goes where the service user may create files (the caller's directory is not writable by its group).
        let out = deployment.sharedDirectory + "/out-\(UUID().uuidString.prefix(6)).der"
        let result = try StaticBinary.respond(["--config", deployment.configPath, request, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try deployment.verifiedAnswer(in: out).first?.certStatus == "REVOKED")
        // What it kept in the cache, it made as the service user.
        let kept = try FileManager.default.contentsOfDirectory(atPath: deployment.cachePath).filter { $0.hasSuffix(".der") }
        #expect(kept.count == 1)
        for name in kept {
            #expect(try deployment.ownerAndMode(deployment.cachePath + "/" + name).hasPrefix(deployment.service + " "))
        }
        // The same again, answered from the cache: the same bytes.
        let again = try StaticBinary.respond(["--config", deployment.configPath, request, "--out", out + ".2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + ".2")) == (try Data(contentsOf: URL(fileURLWithPath: out))))
    }

    /// An account that authenticates with ed25519: a dynamic build loads Connector/C's client_ed25519.so;
    /// the static one must not dlopen it (it would bring the system's libc and libcrypto beside its own)
    /// and says what to do instead. The account is made without the binary log, so the replica never sees it.
    @Test("an ed25519 account: the dynamic build answers, the static build refuses at once, naming the fix",
          .enabled(if: getuid() == 0 && MariaDBTestServer.isAvailable, "needs root, for MariaDB's root account"))
    func authenticationPluginsAreNotLoaded() throws {
        let server = try #require(MariaDBTestServer.shared)
        let table = try server.createStatusTable("static")
        try server.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1001', 'x', 'Valid')")
        let user = "ocsp_ed_\(UUID().uuidString.prefix(6).lowercased())"
        func asRoot(_ sql: String) throws {
            let result = try run("mariadb", ["--no-defaults", "--socket=\(server.socket)", "-uroot", "--execute=SET sql_log_bin = 0; \(sql)"])
            guard result.status == 0 else { throw TestFailure("mariadb as root: \(result.stderr)\nSQL: \(sql)") }
        }
        let installed = try run("mariadb", ["--no-defaults", "--socket=\(server.socket)", "-uroot", "--batch", "--skip-column-names",
                                            "--execute=SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'"])
        if installed.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0" { try asRoot("INSTALL SONAME 'auth_ed25519'") }
        try asRoot("CREATE USER '\(user)'@'localhost' IDENTIFIED VIA ed25519 USING PASSWORD('ed-pw'); GRANT SELECT ON \(server.database).\(table) TO '\(user)'@'localhost'")
        defer { try? asRoot("DROP USER '\(user)'@'localhost'") }
        let section = server.configSection(table: table)
            .replacingOccurrences(of: "username = \(server.user)", with: "username = \(user)")
            .replacingOccurrences(of: "password = \(server.password)", with: "password = ed-pw")
        let scenario = try Scenario(dbSection: section)

        let dynamicRequest = try scenario.opensslRequest(["good.pem"])
        let dynamic = try ResponderBinary.run(["respond", "--config", scenario.configPath, dynamicRequest.path])
        #expect(dynamic.status == 0, "\(dynamic.stderr)")
        #expect(try scenario.verify(try Data(contentsOf: dynamicRequest)).first?.certStatus == "GOOD")

        let request = try scenario.opensslRequest(["good.pem"])
        let started = Date()
        let refused = try StaticBinary.respond(["--config", scenario.configPath, request.path])
        #expect(Date().timeIntervalSince(started) < 3, "not at once: the connect timeout is 3 s")
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("restricted_auth"), "\(refused.stderr)")
        #expect(refused.stderr.contains("this statically linked build authenticates with mysql_native_password only"), "\(refused.stderr)")
        // An unsigned internalError answer, as for any store that fails.
        #expect(try Data(contentsOf: request) == Data([0x30, 0x03, 0x0A, 0x01, 0x02]))
    }
}

/// The static binary the suite runs: `$OCSP_TEST_STATIC_BIN`.
enum StaticBinary {
    static let path: String? = ProcessInfo.processInfo.environment["OCSP_TEST_STATIC_BIN"]

    static func required() throws -> String {
        guard let path else { throw TestFailure("OCSP_TEST_STATIC_BIN is not set") }
        return path
    }

    static func respond(_ arguments: [String]) throws -> ProcessResult {
        try run(try required(), ["respond"] + arguments)
    }
}
