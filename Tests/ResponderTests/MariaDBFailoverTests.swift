import Foundation
import Synchronization
import Testing
import TestSupport

/// `[db] host = replica, primary` on real servers (issue 17): a private primary (binary log, GTID) and a
/// private read-only replica of it, both `mariadbd` processes on loopback started by
/// `scripts/lib/mariadb.sh` for this suite alone, so the shared servers of `scripts/test.sh` are never
/// stopped, paused or lagged. `respond`, `serve` and `db` run as the service user; every signed answer is
/// verified by openssl and Python's cryptography.
///
/// Which host answered is told by the data: on the primary alone good.pem (0x1001) is revoked (an UPDATE
/// kept out of the binary log), on the replica it is good; and by `--log-level debug`'s
/// "connected to MariaDB at 127.0.0.1:PORT".
@Suite(.serialized, .enabled(if: TestAccounts.service != nil, "needs the service user that scripts/test.sh creates as root"),
       FailoverServers())
struct MariaDBFailoverTests {
    static let connectTimeout = 2.0
    static let failback = 3.0

    // MARK: - 1. reads from the replica listed first

    @Test("host = replica, primary: reads come from the replica; host = primary, replica: from the primary")
    func readsComeFromTheFirstListedHost() throws {
        let pair = try FailoverPair.healthy()
        let replicaFirst = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary]))
        let answer = try replicaFirst.respond("good.pem")
        #expect(answer.exitStatus == 0, "\(answer.stderr)")
        #expect(try answer.host(pair) == .replica, "good.pem must be good: the replica's row")
        #expect(answer.log.contains("connected to MariaDB at 127.0.0.1:\(pair.replica.port)"), "\(answer.log)")
        #expect(!answer.log.contains("connected to MariaDB at 127.0.0.1:\(pair.primary.port)"), "\(answer.log)")

        let primaryFirst = try ResponderHost(db: pair.section(hosts: [pair.primary, pair.replica]))
        let other = try primaryFirst.respond("good.pem")
        #expect(other.exitStatus == 0, "\(other.stderr)")
        #expect(try other.host(pair) == .primary, "good.pem must be revoked: the primary's row")
        #expect(other.log.contains("connected to MariaDB at 127.0.0.1:\(pair.primary.port)"), "\(other.log)")
    }

    // MARK: - 2. respond fails over to the primary

    @Test("respond: the replica stopped, or hung (the first answer within connect_timeout + 0.5 s), is skipped for the primary")
    func respondFailsOverFromAStoppedOrHungReplica() throws {
        let pair = try FailoverPair.healthy()
        let host = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary]))

        try pair.replica.stop()
        let stopped = try host.respond("good.pem")
        #expect(stopped.exitStatus == 0, "\(stopped.stderr)")
        #expect(try stopped.host(pair) == .primary)
        #expect(stopped.log.contains("MariaDB at 127.0.0.1:\(pair.replica.port) cannot serve now"), "\(stopped.log)")
        #expect(stopped.log.contains("connected to MariaDB at 127.0.0.1:\(pair.primary.port)"), "\(stopped.log)")
        try pair.replica.start()

        try pair.replica.pause()
        defer { try? pair.replica.resume() }
        let hung = try host.respond("good.pem")
        FailoverFigures.note("respond, replica hung (SIGSTOP), connect_timeout = 2: answered from the primary in \(FailoverFigures.seconds(hung.seconds))")
        #expect(hung.exitStatus == 0, "\(hung.stderr)")
        #expect(try hung.host(pair) == .primary)
        #expect(hung.seconds <= Self.connectTimeout + 0.5, "the first answer took \(hung.seconds) s with the replica hung")
        #expect(hung.seconds >= Self.connectTimeout - 0.2, "\(hung.seconds) s: was the replica really tried first?")
        #expect(hung.log.contains("MariaDB at 127.0.0.1:\(pair.replica.port) cannot serve now"), "\(hung.log)")
    }

    @Test("respond with max_lag: a replica within it is used; one lagging past it, or whose replication stopped, is not")
    func respondSkipsALaggingReplica() throws {
        let pair = try FailoverPair.healthy()
        let host = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary], extra: "max_lag = 1"))
        let keepingUp = try host.respond("good.pem")
        #expect(keepingUp.exitStatus == 0, "\(keepingUp.stderr)")
        #expect(try keepingUp.host(pair) == .replica, "a replica within max_lag (the reader has SLAVE MONITOR) must be used")

        // Replication stopped: its data may be any age.
        try pair.replica.root("STOP SLAVE SQL_THREAD")
        let stopped = try host.respond("good.pem")
        #expect(stopped.exitStatus == 0, "\(stopped.stderr)")
        #expect(try stopped.host(pair) == .primary)
        #expect(stopped.log.contains("whose data may be stale"), "\(stopped.log)")
        try pair.replica.root("START SLAVE SQL_THREAD")

        // Running, but behind: MASTER_DELAY holds back a write on the primary.
        try pair.replica.root("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE")
        try pair.primary.server.execute("INSERT INTO \(pair.lagTable) (at) VALUES (NOW())")
        let behind = try pair.waitUntilBehind(atLeast: 3)
        let lagging = try host.respond("good.pem")
        #expect(lagging.exitStatus == 0, "\(lagging.stderr)")
        #expect(try lagging.host(pair) == .primary, "a replica \(behind) s behind was used with max_lag = 1")
        #expect(lagging.log.contains("behind its primary, more than max_lag (1 s)"), "\(lagging.log)")
    }

    // MARK: - 2, 3. serve under load, and back on the replica

    @Test("serve (2 workers, failback = 3): the replica hung under load, then back; stopped, then started; replication stopped, then started")
    func serveFailsOverAndBack() throws {
        let pair = try FailoverPair.healthy()
        let host = try ResponderHost(
            db: pair.section(hosts: [pair.replica, pair.primary], extra: "max_lag = 2\nfailback = \(Int(Self.failback))"),
            serve: ["--workers", "2", "--log-level", "debug"])
        let server = host.harness
        defer { server.stop() }
        let request = try server.request(["good.pem"])
        for _ in 0..<4 {
            #expect(try host.served(request, pair) == .replica, "serve must read the replica listed first")
        }

        // Hung: bounded load from 4 clients for 3 s.
        var mark = host.logLength
        try pair.replica.pause()
        let load = try LoadRun.run(server, request, clients: 4, seconds: 3)
        try? pair.replica.resume()
        let resumed = ContinuousClock.now
        FailoverFigures.note("serve, replica hung, 4 clients for 3 s: \(load.summary)")
        #expect(load.internalErrors == 0, "\(load.summary)")
        #expect(load.tryLaters <= 2, "more than one tryLater per worker: \(load.summary)")
        #expect(load.others == 0, "\(load.summary)")
        #expect(load.successful == load.total - load.tryLaters && load.successful > 0, "\(load.summary)")
        for body in load.distinctSuccessful {
            #expect(try FailoverPair.side(of: server.verify(body)) == .primary, "answered from the hung replica?")
        }
        let back = try host.waitUntilServedFrom(.replica, request, pair, since: resumed)
        FailoverFigures.note("serve, replica SIGCONTed: answers from the replica again after \(FailoverFigures.seconds(back))")
        #expect(back <= Self.failback + 1, "back on the replica \(back) s after SIGCONT")
        let hangLog = host.log(since: mark)
        #expect(Self.count("MariaDB at 127.0.0.1:\(pair.replica.port) cannot serve now", in: hangLog) == 1, "\(hangLog)")
        #expect(hangLog.contains("MariaDB at 127.0.0.1:\(pair.replica.port) answers again; it is used again"), "\(hangLog)")
        #expect(hangLog.contains("connected to MariaDB at 127.0.0.1:\(pair.primary.port)"), "\(hangLog)")
        #expect(Self.count("ocsp=internalError", in: host.accessLog()) == 0)

        // Stopped, then started again.
        mark = host.logLength
        try pair.replica.stop()
        #expect(try host.waitUntilServedFrom(.primary, request, pair, since: .now) <= 1)
        try pair.replica.start()
        let started = try host.waitUntilServedFrom(.replica, request, pair, since: .now)
        FailoverFigures.note("serve, replica stopped then started: from the replica again \(FailoverFigures.seconds(started)) after the start returned")
        #expect(started <= Self.failback + 1)
        #expect(host.log(since: mark).contains("MariaDB at 127.0.0.1:\(pair.replica.port) answers again"))

        // Replication stopped (max_lag), then started again.
        try pair.replica.waitForCatchUp(with: pair.primary)
        mark = host.logLength
        try pair.replica.root("STOP SLAVE SQL_THREAD")
        let noticed = try host.waitUntilServedFrom(.primary, request, pair, since: .now)
        FailoverFigures.note("serve, replica's SQL thread stopped (max_lag = 2): from the primary after \(FailoverFigures.seconds(noticed))")
        #expect(noticed <= 2, "a replica whose replication stopped is left within the 1 s lag check")
        try pair.replica.root("START SLAVE SQL_THREAD")
        let restarted = try host.waitUntilServedFrom(.replica, request, pair, since: .now)
        FailoverFigures.note("serve, START SLAVE SQL_THREAD: from the replica again after \(FailoverFigures.seconds(restarted))")
        #expect(restarted <= Self.failback + 1)
        let lagLog = host.log(since: mark)
        #expect(lagLog.contains("whose data may be stale"), "\(lagLog)")
        #expect(lagLog.contains("MariaDB at 127.0.0.1:\(pair.replica.port) answers again"), "\(lagLog)")

        #expect(server.stop() == 0)
        #expect(Self.count("ocsp=internalError", in: host.accessLog()) == 0)
    }

    // MARK: - 4. db commands write to the primary

    @Test("db with [db_admin] host = primary writes there; a read-only replica alone is refused (69) unchanged; replica, primary writes to the primary")
    func adminCommandsWriteToThePrimary() throws {
        let pair = try FailoverPair.healthy()
        let table = try pair.primary.server.createStatusTable("admin")
        try pair.replica.waitForCatchUp(with: pair.primary)
        let writer = "username = \(pair.primary.user)\npassword = \(pair.primary.password)"
        let readers = pair.section(hosts: [pair.replica, pair.primary], table: table)
        let toPrimary = try ResponderHost(db: readers + "\n\n[db_admin]\nhost = 127.0.0.1:\(pair.primary.port)\n\(writer)")
        let pki = TestPKI.shared

        #expect(try toPrimary.db(["add", pki.path(.rsa, "good.pem"), pki.path(.rsa, "revoked.pem")]).status == 0)
        let revoked = try toPrimary.db(["revoke", "--cert", pki.path(.rsa, "revoked.pem"), "--reason", "keyCompromise", "--at", "2026-01-02T03:04:05Z"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try pair.primary.server.execute("SELECT cert_num, status FROM \(table) ORDER BY cert_num") == "0x1001\tValid\n0x1002\tRevoked\n")
        try pair.replica.waitForCatchUp(with: pair.primary)
        #expect(try pair.replica.server.execute("SELECT cert_num, status, revocation_reason FROM \(table) ORDER BY cert_num")
            == "0x1001\tValid\tNULL\n0x1002\tRevoked\tkey_compromise\n")
        // And the responder, reading the replica, says so.
        let answer = try toPrimary.respond("revoked.pem")
        #expect(answer.exitStatus == 0, "\(answer.stderr)")
        #expect(try toPrimary.harness.verify(answer.body).first?.certStatus == "REVOKED")
        #expect(answer.log.contains("connected to MariaDB at 127.0.0.1:\(pair.replica.port)"))

        // The replica alone, by [db_admin] or by [db]: refused before anything is written.
        let replicaOnly = "host = 127.0.0.1:\(pair.replica.port)\n\(writer)"
        let refusers = [
            try ResponderHost(db: readers + "\n\n[db_admin]\n\(replicaOnly)"),
            try ResponderHost(db: pair.section(hosts: [pair.replica], table: table, account: (pair.primary.user, pair.primary.password))),
        ]
        let before = try pair.snapshot(table)
        for refuser in refusers {
            let refused = try refuser.db(["add", pki.path(.rsa, "small.pem")])
            #expect(refused.status == 69, "\(refused.status): \(refused.stderr)")
            #expect(refused.stderr.contains("MariaDB at 127.0.0.1:\(pair.replica.port) is read-only"), "\(refused.stderr)")
        }
        #expect(try pair.snapshot(table) == before, "the refused db add changed a server")

        // replica, primary: the replica is passed over for the primary.
        let both = try ResponderHost(db: readers + "\n\n[db_admin]\nhost = 127.0.0.1:\(pair.replica.port), 127.0.0.1:\(pair.primary.port)\n\(writer)")
        let added = try both.db(["add", pki.path(.rsa, "small.pem")])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try pair.primary.server.execute("SELECT COUNT(*) FROM \(table) WHERE cert_num = '0xf'") == "1\n")
        try pair.replica.waitForCatchUp(with: pair.primary)
        #expect(try pair.replica.server.execute("SELECT COUNT(*) FROM \(table) WHERE cert_num = '0xf'") == "1\n")
    }

    // MARK: - 5. max_lag needs SLAVE MONITOR

    @Test("max_lag with an account that lacks SLAVE MONITOR: internalError, and the message says to grant it")
    func maxLagWithoutSlaveMonitor() throws {
        let pair = try FailoverPair.healthy()
        let host = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary], extra: "max_lag = 5",
                                                     account: FailoverPair.unmonitoredAccount))
        let answer = try host.respond("good.pem")
        #expect(answer.exitStatus == 2, "\(answer.exitStatus): \(answer.stderr)")
        #expect(FailoverPair.responseStatus(answer.body) == 2, "not internalError: \(Array(answer.body.prefix(8)))")
        #expect(answer.stderr.contains("grant the responder's account SLAVE MONITOR"), "\(answer.stderr)")
        #expect(answer.log.contains("SLAVE MONITOR"), "\(answer.log)")
        // Without max_lag the same account reads the replica.
        let plain = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary], account: FailoverPair.unmonitoredAccount))
        let read = try plain.respond("good.pem")
        #expect(read.exitStatus == 0, "\(read.stderr)")
        #expect(try read.host(pair) == .replica)
    }

    // MARK: - 6. health while no host is usable

    @Test("no host usable: /health/live 200, /health/ready 503, a cached answer still served to a nonce-less request")
    func healthWhileNoHostServes() throws {
        let pair = try FailoverPair.healthy()
        let host = try ResponderHost(db: pair.section(hosts: [pair.replica, pair.primary]), cache: true, serve: ["--workers", "2"])
        let server = host.harness
        defer { server.stop() }
        let request = try server.request(["good.pem"])
        let warm = try server.post(request)
        #expect(warm.status == 200)
        #expect(try FailoverPair.side(of: server.verify(warm.body)) == .replica)
        #expect(try server.get("/health/ready").status == 200)
        #expect(try server.get("/health/live").status == 200)

        try pair.replica.stop()
        try pair.primary.stop()
        #expect(try server.get("/health/live").status == 200)
        let ready = try server.get("/health/ready")
        #expect(ready.status == 503)
        #expect(String(decoding: ready.body, as: UTF8.self).contains("database"), "\(String(decoding: ready.body, as: UTF8.self))")
        #expect(try server.get("/health").status == 503)

        let cached = try server.post(request)
        #expect(cached.status == 200)
        #expect(FailoverPair.responseStatus(cached.body) == 0)
        #expect(try server.verify(cached.body).map(\.certStatus) == ["GOOD"], "the cached answer (the replica's good)")
        // A nonce needs a fresh signature over a fresh status: no host, so tryLater.
        let fresh = try server.post(try server.request(["good.pem"], nonce: true))
        #expect(FailoverPair.responseStatus(fresh.body) == 3)
        #expect(try server.get("/health/live").status == 200)
        #expect(server.stop() == 0)
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}

// MARK: - The servers

/// The private primary and replica of the suite, started once for it by `FailoverServers` and removed
/// after its last test, whatever happened.
final class FailoverPair: Sendable {
    let primary: PrivateMariaDB
    let replica: PrivateMariaDB
    /// A table whose writes the replica's lag tests delay (never the status table: see `start`).
    let lagTable: String

    /// The responder's read-only account: SELECT on the test database and SLAVE MONITOR.
    static let readerAccount = (user: "ocsp_reader", password: "reader-pw")
    /// SELECT only: no SLAVE MONITOR.
    static let unmonitoredAccount = (user: "ocsp_nomon", password: "nomon-pw")

    @TaskLocal static var current: FailoverPair?

    private init(primary: PrivateMariaDB, replica: PrivateMariaDB, lagTable: String) {
        self.primary = primary
        self.replica = replica
        self.lagTable = lagTable
    }

    /// The primary with its status table (good.pem Valid, revoked.pem Revoked keyCompromise) and the
    /// accounts, then the replica (which replicates all of it), then on the primary alone, out of the
    /// binary log, good.pem revoked: an answer's status says which server it came from.
    static func start() throws -> FailoverPair {
        let primary = try PrivateMariaDB.start(serverOptions: PrivateMariaDB.primaryOptions)
        do {
            let lagTable = "lag_\(UUID().uuidString.prefix(8).lowercased())"
            var accounts = ""
            for (user, password, monitor) in [(readerAccount.user, readerAccount.password, true),
                                              (unmonitoredAccount.user, unmonitoredAccount.password, false)] {
                // Both hosts: a TCP client from 127.0.0.1 may match either.
                for from in ["localhost", "127.0.0.1"] {
                    accounts += "CREATE USER '\(user)'@'\(from)' IDENTIFIED BY '\(password)';"
                    accounts += "GRANT SELECT ON \(primary.database).* TO '\(user)'@'\(from)';"
                    if monitor { accounts += "GRANT SLAVE MONITOR ON *.* TO '\(user)'@'\(from)';" }
                }
            }
            try primary.root(accounts)
            try primary.server.execute("""
                INSERT INTO \(primary.table) (cert_num, revocation_time, revocation_reason, cert, status) VALUES
                  ('0x1001', NULL, NULL, '', 'Valid'), ('0x1002', '2026-01-02 03:04:05', 'key_compromise', '', 'Revoked');
                CREATE TABLE \(lagTable) (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME) ENGINE=InnoDB;
                """)
            let replica = try primary.startReplica()
            let pair = FailoverPair(primary: primary, replica: replica, lagTable: lagTable)
            do {
                // Never written again through the binary log: a row event for 0x1001 would not find the
                // replica's row as the primary has it, and stop replication.
                try primary.root("""
                    SET SESSION sql_log_bin = 0;
                    UPDATE \(primary.database).\(primary.table) SET status = 'Revoked', revocation_time = '2026-03-04 05:06:07',
                      revocation_reason = 'superseded' WHERE cert_num = '0x1001';
                    """)
                return pair
            } catch {
                pair.remove()
                throw error
            }
        } catch {
            primary.remove()
            throw error
        }
    }

    /// The replica first: it would keep reconnecting to a stopped primary.
    func remove() {
        replica.remove()
        primary.remove()
    }

    /// The current test's pair, brought back to health: both servers running and not paused, replication
    /// running with no delay and caught up.
    static func healthy() throws -> FailoverPair {
        guard let pair = current else { throw TestFailure("no FailoverPair: the suite's FailoverServers trait starts it") }
        try pair.makeHealthy()
        return pair
    }

    func makeHealthy() throws {
        for server in [primary, replica] {
            if server.isRunning { try server.resume() } else { try server.start() }
        }
        if try slaveField("Slave_SQL_Running") != "Yes" || slaveField("Slave_IO_Running") != "Yes" || slaveField("SQL_Delay") != "0" {
            try replica.root("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE")
        }
        let deadline = ContinuousClock.now + .seconds(15)
        while try slaveField("Slave_SQL_Running") != "Yes" || slaveField("Slave_IO_Running") != "Yes" {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("the replica's replication does not run: \(try slaveField("Last_IO_Error") ?? "") \(try slaveField("Last_SQL_Error") ?? "")")
            }
            usleep(100_000)
        }
        try replica.waitForCatchUp(with: primary)
    }

    /// A field of the replica's SHOW SLAVE STATUS.
    func slaveField(_ name: String) throws -> String? {
        let result = try run("mariadb", ["--no-defaults", "--socket=\(replica.socket)", "-uroot", "--connect-timeout=5",
                                         "--execute=SHOW SLAVE STATUS\\G"])
        guard result.status == 0 else { throw TestFailure("SHOW SLAVE STATUS: \(result.stderr)") }
        for line in result.stdoutText.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("\(name): ") { return String(trimmed.dropFirst(name.count + 2)) }
            if trimmed == "\(name):" { return "" }
        }
        return nil
    }

    /// Waits (at most 15 s) until the replica reports being `seconds` or more behind; how far it is.
    func waitUntilBehind(atLeast seconds: Int) throws -> Int {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let behind = try slaveField("Seconds_Behind_Master").flatMap({ Int($0) }), behind >= seconds { return behind }
            usleep(100_000)
        }
        throw TestFailure("the replica never fell \(seconds) s behind: Seconds_Behind_Master \(try slaveField("Seconds_Behind_Master") ?? "?")")
    }

    /// What a write must not change: each server's GTID positions and the table's rows.
    func snapshot(_ table: String) throws -> [String] {
        [try replica.root("SELECT @@GLOBAL.gtid_current_pos, @@GLOBAL.gtid_slave_pos, @@GLOBAL.gtid_binlog_pos"),
         try replica.server.execute("SELECT * FROM \(table) ORDER BY cert_num"),
         try primary.root("SELECT @@GLOBAL.gtid_current_pos, @@GLOBAL.gtid_binlog_pos"),
         try primary.server.execute("SELECT * FROM \(table) ORDER BY cert_num")]
    }

    /// A `[db]` section over TCP to `hosts` in this order, as the reader account unless `account`.
    func section(hosts: [PrivateMariaDB], table: String? = nil, extra: String = "",
                 account: (user: String, password: String) = FailoverPair.readerAccount) -> String {
        """
        [db]
        host = \(hosts.map { "127.0.0.1:\($0.port)" }.joined(separator: ", "))
        db = \(primary.database)
        username = \(account.user)
        password = \(account.password)
        table = \(table ?? primary.table)
        connect_timeout = \(Int(MariaDBFailoverTests.connectTimeout))
        \(extra)
        """
    }

    enum Side: Equatable { case primary, replica }

    /// good.pem's status tells which server answered: GOOD the replica, REVOKED the primary.
    static func side(of singles: [PeerReport.Single]) throws -> Side {
        switch singles.map(\.certStatus) {
        case ["GOOD"]: return .replica
        case ["REVOKED"]: return .primary
        case let other: throw TestFailure("not one good or revoked answer: \(other)")
        }
    }

    /// The `responseStatus` of a DER OCSPResponse (0 successful, 2 internalError, 3 tryLater), or nil.
    static func responseStatus(_ der: Data) -> Int? {
        let bytes = [UInt8](der)
        guard bytes.count >= 5, bytes[0] == 0x30 else { return nil }
        let index = bytes[1] & 0x80 == 0 ? 2 : 2 + Int(bytes[1] & 0x7F)
        guard index + 2 < bytes.count, bytes[index] == 0x0A, bytes[index + 1] == 0x01 else { return nil }
        return Int(bytes[index + 2])
    }
}

/// Starts the suite's `FailoverPair` before its first test and removes it after its last.
struct FailoverServers: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let pair = try FailoverPair.start()
        defer {
            pair.remove()
            FailoverFigures.print()
        }
        try await FailoverPair.$current.withValue(pair) { try await function() }
    }
}

/// The measured figures, printed at the end of the suite (they go into the README).
enum FailoverFigures {
    private static let lines = Mutex<[String]>([])

    static func note(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }

    static func print() {
        for line in lines.withLock({ $0 }) { Swift.print("failover figure: \(line)") }
    }
}

// MARK: - The responder

/// One responder installation of the service user's (`ServeHarness`'s directory, key and config), with
/// `serve` running when `serve` gives its arguments.
final class ResponderHost {
    let harness: ServeHarness

    init(db: String, cache: Bool = false, serve: [String]? = nil) throws {
        harness = try ServeHarness(cache: cache, extraArguments: serve ?? [], launch: serve == nil ? .none : .serviceUser, database: db)
    }

    struct Answer {
        var exitStatus: Int32
        var body: Data
        var stderr: String
        var seconds: Double
        /// What the log got during the run.
        var log: String
        let harness: ServeHarness

        func host(_ pair: FailoverPair) throws -> FailoverPair.Side {
            try FailoverPair.side(of: harness.verify(body))
        }
    }

    /// `respond --log-level debug` as the service user, for a nonce-less request about `leaf`, timed.
    func respond(_ leaf: String) throws -> Answer {
        let request = try harness.request([leaf])
        let mark = logLength
        let started = ContinuousClock.now
        let result = try runAs(harness.service, ResponderBinary.path,
                               ["respond", "--config", harness.configPath, "--log-level", "debug", "-"], stdin: request)
        let elapsed = ContinuousClock.now - started
        return Answer(exitStatus: result.status, body: result.stdout, stderr: result.stderr,
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                      log: log(since: mark), harness: harness)
    }

    /// A `db` command, run as root: it drops to the service user (`[ocsp] user`) itself.
    func db(_ arguments: [String]) throws -> ProcessResult {
        try ResponderBinary.run(["db"] + arguments + ["--config", harness.configPath])
    }

    /// A POST to the running `serve`, verified: which server's data it carries.
    func served(_ request: Data, _ pair: FailoverPair) throws -> FailoverPair.Side {
        let answer = try harness.post(request)
        guard answer.status == 200, FailoverPair.responseStatus(answer.body) == 0 else {
            throw TestFailure("serve: HTTP \(answer.status), OCSP status \(FailoverPair.responseStatus(answer.body).map(String.init) ?? "?")")
        }
        return try FailoverPair.side(of: harness.verify(answer.body))
    }

    /// Asks `serve` (a request and /health/ready every 0.1 s, at most 10 s) until an answer comes from
    /// `side`; the seconds from `since` until that answer.
    func waitUntilServedFrom(_ side: FailoverPair.Side, _ request: Data, _ pair: FailoverPair, since: ContinuousClock.Instant) throws -> Double {
        let deadline = since + .seconds(10)
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            _ = try? harness.get("/health/ready")
            let answer = try harness.post(request)
            if answer.status == 200, FailoverPair.responseStatus(answer.body) == 0 {
                let answered = ContinuousClock.now
                if try FailoverPair.side(of: harness.verify(answer.body)) == side {
                    let elapsed = answered - since
                    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                }
                seen.append("other side")
            } else {
                seen.append("HTTP \(answer.status) OCSP \(FailoverPair.responseStatus(answer.body).map(String.init) ?? "?")")
            }
            usleep(100_000)
        }
        throw TestFailure("serve did not answer from the \(side) within 10 s; answers: \(Set(seen).sorted())\n\(log(since: 0).suffix(3000))")
    }

    var logLength: Int {
        ((try? FileManager.default.attributesOfItem(atPath: harness.logPath))?[.size] as? Int) ?? 0
    }

    /// The log from byte `offset` on.
    func log(since offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: harness.logPath), data.count >= offset else { return "" }
        return String(decoding: data.dropFirst(offset), as: UTF8.self)
    }

    /// The whole log once the access log has flushed (it writes at least every 0.5 s).
    func accessLog() -> String {
        usleep(700_000)
        return log(since: 0)
    }
}

/// A bounded load: `clients` threads, each POSTing the same request for `seconds` (at most 400 each).
struct LoadRun {
    var total = 0
    var successful = 0
    var tryLaters = 0
    var internalErrors = 0
    var others = 0
    var slowest = 0.0
    var distinctSuccessful: Set<Data> = []

    var summary: String {
        "\(total) answers: \(successful) successful, \(tryLaters) tryLater, \(internalErrors) internalError, \(others) other; slowest \(FailoverFigures.seconds(slowest))"
    }

    static func run(_ server: ServeHarness, _ request: Data, clients: Int, seconds: Double) throws -> LoadRun {
        let results = Mutex<[(status: Int, body: Data, seconds: Double)]>([])
        let failures = Mutex<[String]>([])
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        DispatchQueue.concurrentPerform(iterations: clients) { _ in
            for _ in 0..<400 where ContinuousClock.now < end {
                let started = ContinuousClock.now
                do {
                    let answer = try server.post(request)
                    let elapsed = ContinuousClock.now - started
                    let took = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    results.withLock { $0.append((answer.status, answer.body, took)) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw TestFailure("a load client failed: \(failure)") }
        var run = LoadRun()
        for result in results.withLock({ $0 }) {
            run.total += 1
            run.slowest = max(run.slowest, result.seconds)
            switch (result.status, FailoverPair.responseStatus(result.body)) {
            case (200, 0):
                run.successful += 1
                run.distinctSuccessful.insert(result.body)
            case (200, 3): run.tryLaters += 1
            case (200, 2): run.internalErrors += 1
            default: run.others += 1
            }
        }
        return run
    }
}
