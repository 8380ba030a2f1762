import OCSPCore
import OCSPStoreMariaDB
import OCSPWire
import Foundation
import Testing
import TestSupport

/// A kept MariaDB connection that the server dropped while it was idle (issue 15 item 9): MariaDB closes
/// connections idle past `wait_timeout` (8 h by default, so after a quiet night); the next look-up must
/// reconnect and answer, not give `tryLater`. On a private server with `wait_timeout` of 1 s, so that the
/// shared one's connections (other test runs') are never touched.
@Suite(.serialized, .enabled(if: MariaDBTestServer.isAvailable))
struct LostConnectionTests {
    static let serial = CertificateSerialNumber(hex: "1001")!

    static func database() throws -> PrivateMariaDB {
        let database = try PrivateMariaDB.start(serverOptions: ["--wait-timeout=1"])
        try database.server.execute("INSERT INTO \(database.table) (cert_num, cert, status) VALUES ('0x1001', '', 'Valid')")
        return database
    }

    @Test("A kept store whose connection the server closed (wait_timeout) reconnects once and answers")
    func keptStoreReconnects() throws {
        let database = try Self.database()
        let options = MariaDBOptions(socket: database.socket, database: database.database, user: database.user, password: database.password)
        let store = MariaDBStatusStore(options: options, table: database.table)
        #expect(try store.status(of: Self.serial) == .good)
        usleep(2_500_000)   // past wait_timeout: the server has closed the connection the store keeps
        #expect(try store.status(of: Self.serial) == .good)

        // Killed by an operator (`KILL <id>`): the same, at once. Every other connection of this private
        // server's user is the store's.
        let killed = try database.server.execute(
            "SELECT GROUP_CONCAT(id) FROM information_schema.PROCESSLIST WHERE id <> CONNECTION_ID() AND user = '\(database.user)'"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!killed.isEmpty && killed != "NULL")
        for id in killed.split(separator: ",") { _ = try database.server.execute("KILL \(id)") }
        #expect(try store.status(of: Self.serial) == .good)
    }

    @Test("In a write transaction a lost connection is not reconnected: what the transaction held is gone, so it fails")
    func noRetryInsideATransaction() throws {
        let database = try Self.database()
        let options = MariaDBOptions(socket: database.socket, database: database.database, user: database.user, password: database.password)
        let store = MariaDBStatusStore(options: options, table: database.table)
        #expect(throws: StatusSourceError.self) {
            try store.inWriteTransaction {
                _ = try store.records(for: Self.serial)
                usleep(2_500_000)
                return try store.status(of: Self.serial)
            }
        }
        // Outside it, the next look-up connects again.
        #expect(try store.status(of: Self.serial) == .good)
    }

    @Test("serve: after its connection was dropped while idle, the next request is answered good, not tryLater",
          .enabled(if: TestAccounts.service != nil))
    func serveReconnects() throws {
        let database = try Self.database()
        // One worker, so the second request uses the connection the first one opened; no cache, so it asks the table.
        let server = try ServeHarness(cache: false, extraArguments: ["--workers", "1"],
                                      database: RevalidationTests.mariadbSection(database.server, table: database.table))
        let request = try server.request(["good.pem"])
        for pause in [0, 2_500_000, 2_500_000] {
            usleep(UInt32(pause))
            let answer = try server.post(request)
            #expect(answer.status == 200)
            #expect(answer.body != Data([0x30, 0x03, 0x0A, 0x01, 0x03]), "tryLater after \(pause / 1000) ms idle")
            #expect(try RevalidationTests.status(answer.body) == "good")
        }
        #expect(!server.accessLog(containing: "ocsp=").contains("ocsp=tryLater"))
        #expect(server.stop() == 0)
    }
}
