import Foundation
import Testing
import TestSupport

/// The database infrastructure of `scripts/test.sh` that tests of replicas and outages stand on: the
/// primary's delayed, read-only replica; a private MariaDB a test may stop and start; sockets that the
/// service user reaches. Real `mariadbd` processes throughout.
@Suite(.enabled(if: MariaDBTestServer.isReplicaAvailable, "needs the MariaDB primary and replica that scripts/test.sh starts"))
struct MariaDBReplicaTests {
    /// Rows with `cert_num` in the replica's copy of `table`; nil while the replica has no such table yet
    /// (the CREATE TABLE is delayed as much as the rows are).
    static func count(_ certNum: String, in table: String, on server: MariaDBTestServer) throws -> Int? {
        do {
            let answer = try server.execute("SELECT COUNT(*) FROM \(table) WHERE cert_num = '\(certNum)'")
            return Int(answer.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch let error as TestFailure where error.description.contains("ERROR 1146") {
            return nil
        }
    }

    /// A row written on the primary is not on the replica right after, nor before `delay - 1` seconds
    /// (MASTER_DELAY counts from the event's whole-second timestamp), and is there shortly after the
    /// delay, readable by the test user; the test user cannot write to the replica.
    @Test func aRowReachesTheReplicaAfterTheDelay() throws {
        let primary = try #require(MariaDBTestServer.shared)
        let replica = try #require(primary.replica)
        let delay = Double(primary.replicaDelay)
        let written = Date()
        // The table and the row together, so the test waits out the delay once.
        let table = try primary.createStatusTable("replica")
        try primary.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1001', 'x', 'Valid')")
        if delay >= 2 {
            #expect(try Self.count("0x1001", in: table, on: replica) ?? 0 == 0, "on the replica at once, despite MASTER_DELAY=\(Int(delay))")
        }
        try primary.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1002', 'x', 'Valid')")

        var seenAfter: Double?
        while seenAfter == nil, Date().timeIntervalSince(written) < delay + 30 {
            if try Self.count("0x1001", in: table, on: replica) == 1 {
                seenAfter = Date().timeIntervalSince(written)
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let elapsed = try #require(seenAfter, "the row never reached the replica (\(Int(delay)) s delay, 30 s more allowed)")
        #expect(elapsed >= delay - 1, "on the replica after \(elapsed) s, before MASTER_DELAY=\(Int(delay)) s (less one for the timestamp's rounding)")
        // waitForReplica: everything the primary committed is on the replica when it returns.
        try primary.waitForReplica()
        #expect(try Self.count("0x1002", in: table, on: replica) == 1)

        #expect(try replica.execute("SELECT @@read_only, @@server_id").split(separator: "\t").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } == ["1", "2"])
        let refused = #expect(throws: TestFailure.self) {
            try replica.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1003', 'x', 'Valid')")
        }
        #expect(refused?.description.contains("--read-only") == true, "\(refused?.description ?? "")")
        // Over TCP as well, the way a [db] host/port section reaches it.
        #expect(try replica.execute("SELECT COUNT(*) FROM \(table)", tcp: true) == "2\n")
    }

    /// A private server can be stopped (connections fail, the socket is gone) and started again with
    /// its data, on the same socket and port.
    @Test func aPrivateServerStopsAndStartsWithItsData() throws {
        let db = try PrivateMariaDB.start()
        defer { db.remove() }
        try db.server.execute("INSERT INTO \(db.table) (cert_num, cert, status) VALUES ('0x1001', 'x', 'Revoked')")
        #expect(db.socket.utf8.count < 108 && db.socket.hasPrefix("/tmp/"))

        try db.stop()
        #expect(!FileManager.default.fileExists(atPath: db.socket))
        #expect(throws: TestFailure.self) { try db.server.execute("SELECT 1") }
        #expect(throws: TestFailure.self) { try db.server.execute("SELECT 1", tcp: true) }

        try db.start()
        #expect(try db.server.execute("SELECT cert_num, status FROM \(db.table)") == "0x1001\tRevoked\n")
        #expect(try db.server.execute("SELECT COUNT(*) FROM \(db.table)", tcp: true) == "1\n")

        if let service = TestAccounts.service {
            let reached = try runAs(service, "/usr/bin/mariadb", Self.clientArguments(db.server, "SELECT COUNT(*) FROM \(db.table)"))
            #expect(reached.status == 0 && reached.stdoutText == "1\n", "\(reached.stderr)")
        }
    }

    /// The service user, as `respond`, `serve` and `db` run, reaches the primary's and the replica's
    /// sockets, and cannot list the servers' directories nor read their data.
    @Test(.enabled(if: TestAccounts.service != nil, "needs the service user that scripts/test.sh creates as root"))
    func theServiceUserReachesTheSockets() throws {
        let service = try #require(TestAccounts.service)
        let primary = try #require(MariaDBTestServer.shared)
        let replica = try #require(primary.replica)
        for server in [primary, replica] {
            let selected = try runAs(service, "/usr/bin/mariadb", Self.clientArguments(server, "SELECT 1"))
            #expect(selected.status == 0 && selected.stdoutText == "1\n", "\(server.socket): \(selected.stderr)")
            let directory = (server.socket as NSString).deletingLastPathComponent
            #expect(try runAs(service, "/bin/ls", [directory]).status != 0, "\(directory) is listable by \(service)")
            #expect(try runAs(service, "/bin/ls", ["\(directory)/data"]).status != 0, "\(directory)/data is readable by \(service)")
        }

        // The responder itself, become the service user by `[ocsp] user`, reads a row through the socket.
        let table = try primary.createStatusTable("svc")
        try primary.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1001', 'x', 'Valid')")
        let directory = try makeTemporaryDirectory("ocsp-replica")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.ini").path
        let pki = TestPKI.shared
        try """
            \(primary.configSection(table: table))

            [ocsp]
            cert = \(pki.path(.rsa, "ca.pem"))
            pkey = \(pki.path(.rsa, "ca.key"))
            user = \(service)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        // The config holds the password: the service's own, as AdminCommandTests' are.
        try TestAccounts.chown(directory.path, to: service, recursive: true)
        let listed = try ResponderBinary.run(["db", "list", "--format", "csv", "--config", config])
        #expect(listed.status == 0 && listed.stdoutText.contains("0x1001"), "\(listed.stdoutText)\(listed.stderr)")
    }

    /// `mariadb` client arguments for `sql` on `server`'s socket, with no option files.
    static func clientArguments(_ server: MariaDBTestServer, _ sql: String) -> [String] {
        ["--no-defaults", "--socket=\(server.socket)", "--user=\(server.user)", "--password=\(server.password)",
         "--batch", "--skip-column-names", server.database, "--execute=\(sql)"]
    }
}
