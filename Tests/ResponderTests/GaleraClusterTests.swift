import Foundation
import Synchronization
import Testing
import TestSupport

/// `[db] host = node1, node2, node3` on a real 3-node Galera cluster (issue 17): Debian's galera-4,
/// three `mariadbd` processes on loopback, started once per run by `scripts/test.sh` in the background
/// (`scripts/lib/galera.sh`). `serve` runs as the service user with two workers under a bounded load
/// while a node is killed, two are hung (the third loses quorum) or one is cut off from its peers;
/// every distinct signed answer is verified by openssl and Python's cryptography.
///
/// Which node answered is told by the data: good.pem's row (0x1001) is changed on each node alone
/// (`SET SESSION wsrep_on = OFF`, so the change is not replicated): GOOD on node 1, REVOKED superseded
/// on node 2, REVOKED cessationOfOperation on node 3.
@Suite(.serialized,
       .enabled(if: TestAccounts.service != nil, "needs the service user that scripts/test.sh creates as root"),
       .enabled(if: GaleraCluster.isConfigured, "needs the Galera cluster that scripts/test.sh starts"),
       GaleraServers())
struct GaleraClusterTests {
    static let connectTimeout = 2
    static let failback = 3.0
    static let workers = 2

    // MARK: - kill -9 of the node in use

    @Test("serve under load: kill -9 of the node in use → the next node, no internalError, at most one tryLater per worker; back after the node rejoins")
    func killOfTheNodeInUse() throws {
        let (setup, host, request) = try GaleraSetup.servingFromNode1()
        let server = host.harness
        defer { server.stop() }

        let mark = host.logLength
        let load = try GaleraSetup.load(server, request, seconds: 4, after: 1) { try setup.cluster.kill(1) }
        GaleraFigures.note("serve, kill -9 of the node in use, 4 clients for 4 s: \(load.summary)")
        try setup.expectClean(load, tryLaterBound: Self.workers, server: server)
        try setup.expectAnswers(from: [1, 2], load, server)
        #expect(try setup.served(request, host) == 2)
        let log = host.log(since: mark)
        #expect(MariaDBFailoverTests.count("MariaDB at \(setup.cluster.endpoint(1)) cannot serve now", in: log) == 1, "\(log)")

        try setup.cluster.start(1)
        try setup.cluster.waitSynced(timeout: 90)
        try setup.markNodes()
        let back = try setup.waitUntilServed(from: 1, request, host, since: .now)
        GaleraFigures.note("serve, node 1 restarted and Synced: answers from it again after \(GaleraFigures.seconds(back))")
        #expect(back <= Self.failback + 1)
        GaleraSetup.expectCleanStop(host)
    }

    // MARK: - quorum loss

    @Test("serve under load: SIGSTOP of two nodes (the third loses quorum: 1047) → tryLater, never internalError; answers again after SIGCONT")
    func quorumLoss() throws {
        let (setup, host, request) = try GaleraSetup.servingFromNode1()
        let server = host.harness
        defer { server.stop() }

        let mark = host.logLength
        let load = try GaleraSetup.load(server, request, seconds: 8, after: 0.5) {
            try setup.cluster.pause(1)
            try setup.cluster.pause(2)
            // Node 3 alone: non-Primary once it has given up on its peers.
            let alone = try setup.cluster.waitForState(3, { $0.contains("non-Primary") }, timeout: 15)
            GaleraFigures.note("node 3 after SIGSTOP of nodes 1 and 2: \(alone)")
        }
        GaleraFigures.note("serve, SIGSTOP of nodes 1 and 2 (quorum lost), 4 clients for 8 s: \(load.summary)")
        #expect(load.internalErrors == 0, "\(load.summary)")
        #expect(load.others == 0, "\(load.summary)")
        #expect(load.tryLaters > 0, "nothing can answer while quorum is lost: \(load.summary)")
        try setup.expectAnswers(from: [1, 2, 3], load, server)

        try setup.cluster.resume(1)
        try setup.cluster.resume(2)
        let resumed = ContinuousClock.now
        let back = try setup.waitUntilServed(from: nil, request, host, since: resumed, within: 30)
        GaleraFigures.note("serve, nodes 1 and 2 SIGCONTed: a successful answer again after \(GaleraFigures.seconds(back))")
        try setup.cluster.waitSynced(timeout: 60)
        let log = host.log(since: mark)
        #expect(log.contains("MariaDB at \(setup.cluster.endpoint(3)) cannot serve now"), "node 3's 1047 must make it unusable:\n\(log.suffix(4000))")
        GaleraSetup.expectCleanStop(host)
    }

    // MARK: - isolation

    @Test("serve under load: the node in use cut off its peers (1047) → the next node; respond too; back after it rejoins")
    func isolationOfTheNodeInUse() throws {
        let (setup, host, request) = try GaleraSetup.servingFromNode1()
        let server = host.harness
        defer { server.stop() }

        let mark = host.logLength
        let load = try GaleraSetup.load(server, request, seconds: 5, after: 1) {
            try setup.cluster.isolate(1)
            _ = try setup.cluster.waitForState(1, { $0.contains("non-Primary") }, timeout: 15)
        }
        GaleraFigures.note("serve, node in use isolated (gmcast.isolate), 4 clients for 5 s: \(load.summary)")
        try setup.expectClean(load, tryLaterBound: Self.workers, server: server)
        try setup.expectAnswers(from: [1, 2], load, server)
        #expect(try setup.served(request, host) == 2)
        #expect(MariaDBFailoverTests.count("MariaDB at \(setup.cluster.endpoint(1)) cannot serve now", in: host.log(since: mark)) == 1)

        // A one-shot respond (no memory of other runs) reaches node 1, gets 1047 and reads node 2.
        let oneShot = try host.respond("good.pem")
        GaleraFigures.note("respond, node 1 isolated: answered from node 2 in \(GaleraFigures.seconds(oneShot.seconds))")
        #expect(oneShot.exitStatus == 0, "\(oneShot.stderr)")
        #expect(try GaleraSetup.node(of: server.verify(oneShot.body)) == 2)
        #expect(oneShot.seconds < Double(Self.connectTimeout) + 0.5)

        try setup.cluster.rejoin(1)
        try setup.cluster.waitSynced(timeout: 60)
        let synced = ContinuousClock.now
        try setup.markNodes()
        let back = try setup.waitUntilServed(from: 1, request, host, since: synced)
        GaleraFigures.note("serve, node 1 rejoined and Synced: answers from it again after \(GaleraFigures.seconds(back))")
        #expect(back <= Self.failback + 1)
        GaleraSetup.expectCleanStop(host)
    }
}

// MARK: - The cluster's table and accounts

/// The run's cluster with this suite's status table and read-only account.
final class GaleraSetup: Sendable {
    let cluster: GaleraCluster
    let table: String
    static let reader = (user: "ocsp_galera_reader", password: "galera-reader-pw")

    @TaskLocal static var current: GaleraSetup?

    private init(cluster: GaleraCluster, table: String) {
        self.cluster = cluster
        self.table = table
    }

    /// The table (good.pem Valid, revoked.pem Revoked keyCompromise) and the account, made on node 1 and
    /// replicated; then each node's own good.pem row.
    static func start() throws -> GaleraSetup {
        let cluster = try GaleraCluster.shared()
        try cluster.restore()
        let table = try cluster.server(1).createStatusTable("galera")
        try cluster.server(1).execute("""
            INSERT INTO \(table) (cert_num, revocation_time, revocation_reason, cert, status) VALUES
              ('0x1001', NULL, NULL, '', 'Valid'), ('0x1002', '2026-01-02 03:04:05', 'key_compromise', '', 'Revoked');
            """)
        var accounts = ""
        for from in ["localhost", "127.0.0.1"] {
            accounts += "CREATE USER IF NOT EXISTS '\(reader.user)'@'\(from)' IDENTIFIED BY '\(reader.password)';"
            accounts += "GRANT SELECT ON \(cluster.database).* TO '\(reader.user)'@'\(from)';"
        }
        try cluster.root(1, accounts)
        try cluster.waitSynced()
        let setup = GaleraSetup(cluster: cluster, table: table)
        try setup.markNodes()
        return setup
    }

    /// The suite's setup with the cluster brought back to three Synced nodes, each with its own row.
    static func healthy() throws -> GaleraSetup {
        guard let setup = current else { throw TestFailure("no GaleraSetup: the suite's GaleraServers trait makes it") }
        try setup.cluster.restore()
        try setup.markNodes()
        return setup
    }

    /// good.pem's row on each node alone (not replicated): which node answered. A node that rejoined by
    /// a state transfer has its donor's row until this runs again.
    func markNodes() throws {
        let rows = [
            1: "status = 'Valid', revocation_time = NULL, revocation_reason = NULL",
            2: "status = 'Revoked', revocation_time = '2026-02-02 02:02:02', revocation_reason = 'superseded'",
            3: "status = 'Revoked', revocation_time = '2026-03-03 03:03:03', revocation_reason = 'cessation_of_operation'",
        ]
        for (node, row) in rows {
            try cluster.root(node, "SET SESSION wsrep_on = OFF; UPDATE \(cluster.database).\(table) SET \(row) WHERE cert_num = '0x1001'")
        }
    }

    /// Which node's row a verified answer about good.pem carries.
    static func node(of singles: [PeerReport.Single]) throws -> Int {
        switch (singles.map(\.certStatus), singles.first?.revocationReason) {
        case (["GOOD"], _): return 1
        case (["REVOKED"], "superseded"): return 2
        case (["REVOKED"], "cessation_of_operation"): return 3
        case let other: throw TestFailure("not one answer from a marked row: \(other)")
        }
    }

    /// The healthy cluster, `serve` on it, and a request about good.pem, which node 1 (listed first) answers.
    static func servingFromNode1() throws -> (GaleraSetup, ResponderHost, Data) {
        let setup = try healthy()
        let host = try setup.responder()
        let request = try host.harness.request(["good.pem"])
        let first = try setup.served(request, host)
        guard first == 1 else { throw TestFailure("serve must read node 1, listed first, not node \(first)") }
        return (setup, host, request)
    }

    /// `serve` stops cleanly (exit 0), and no answer of its run was an internalError.
    static func expectCleanStop(_ host: ResponderHost) {
        #expect(host.harness.stop() == 0)
        #expect(MariaDBFailoverTests.count("ocsp=internalError", in: host.accessLog()) == 0)
    }

    /// A responder of the service user's with `serve --workers 2` on the three nodes in order.
    func responder() throws -> ResponderHost {
        let section = """
            [db]
            host = \(cluster.endpoint(1)), \(cluster.endpoint(2)), \(cluster.endpoint(3))
            db = \(cluster.database)
            username = \(Self.reader.user)
            password = \(Self.reader.password)
            table = \(table)
            connect_timeout = \(GaleraClusterTests.connectTimeout)
            failback = \(Int(GaleraClusterTests.failback))
            """
        return try ResponderHost(db: section, serve: ["--workers", String(GaleraClusterTests.workers), "--log-level", "debug"])
    }

    /// A POST to `serve`, verified: which node answered.
    func served(_ request: Data, _ host: ResponderHost) throws -> Int {
        let answer = try host.harness.post(request)
        guard answer.status == 200, FailoverPair.responseStatus(answer.body) == 0 else {
            throw TestFailure("serve: HTTP \(answer.status), OCSP status \(FailoverPair.responseStatus(answer.body).map(String.init) ?? "?")")
        }
        return try Self.node(of: host.harness.verify(answer.body))
    }

    /// Asks `serve` every 0.1 s (at most `within` seconds) until a successful answer comes from `node`
    /// (any node when nil); the seconds from `since` until then.
    func waitUntilServed(from node: Int?, _ request: Data, _ host: ResponderHost, since: ContinuousClock.Instant,
                         within: Double = 10) throws -> Double {
        let deadline = since + .milliseconds(Int(within * 1000))
        var seen: Set<String> = []
        while ContinuousClock.now < deadline {
            let answer = try host.harness.post(request)
            if answer.status == 200, FailoverPair.responseStatus(answer.body) == 0 {
                let answered = ContinuousClock.now
                let from = try Self.node(of: host.harness.verify(answer.body))
                if node == nil || from == node { return GaleraFigures.seconds(since, answered) }
                seen.insert("node \(from)")
            } else {
                seen.insert("HTTP \(answer.status) OCSP \(FailoverPair.responseStatus(answer.body).map(String.init) ?? "?")")
            }
            usleep(100_000)
        }
        throw TestFailure("serve did not answer from node \(node.map(String.init) ?? "any") within \(within) s; answers: \(seen.sorted())\n\(host.log(since: 0).suffix(3000))")
    }

    /// No internalError, nothing but successful and tryLater, at most `tryLaterBound` tryLater.
    func expectClean(_ load: LoadRun, tryLaterBound: Int, server: ServeHarness) throws {
        #expect(load.internalErrors == 0, "\(load.summary)")
        #expect(load.others == 0, "\(load.summary)")
        #expect(load.tryLaters <= tryLaterBound, "more than one tryLater per worker: \(load.summary)")
        #expect(load.successful > 0, "\(load.summary)")
    }

    /// Every distinct successful answer verifies (openssl and cryptography) and comes from `nodes`.
    func expectAnswers(from nodes: Set<Int>, _ load: LoadRun, _ server: ServeHarness) throws {
        for body in load.distinctSuccessful.prefix(12) {
            let node = try Self.node(of: server.verify(body))
            #expect(nodes.contains(node), "an answer from node \(node), not \(nodes.sorted())")
        }
    }

    /// `LoadRun.run` (4 clients for `seconds`) with `action` done `delay` seconds after it began.
    static func load(_ server: ServeHarness, _ request: Data, seconds: Double, after delay: Double,
                     _ action: () throws -> Void) throws -> LoadRun {
        let outcome = LoadOutcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            outcome.result = Result { try LoadRun.run(server, request, clients: 4, seconds: seconds) }
            done.signal()
        }
        usleep(UInt32(delay * 1_000_000))
        let acted = Result { try action() }
        done.wait()
        try acted.get()
        guard let result = outcome.result else { throw TestFailure("the load ended without a result") }
        return try result.get()
    }
}

/// The load's result, written by its thread before `done` is signalled and read after the wait.
private final class LoadOutcome: @unchecked Sendable {
    var result: Result<LoadRun, any Error>?
}

/// Makes the suite's `GaleraSetup` before its first test and prints the figures after its last; the
/// cluster itself is `scripts/test.sh`'s, left with three Synced nodes.
struct GaleraServers: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let setup = try GaleraSetup.start()
        defer {
            try? setup.cluster.restore()
            GaleraFigures.print()
        }
        try await GaleraSetup.$current.withValue(setup) { try await function() }
    }
}

/// The measured figures, printed at the end of the suite (they go into the README).
enum GaleraFigures {
    private static let lines = Mutex<[String]>([])

    static func note(_ line: String) { lines.withLock { $0.append(line) } }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    static func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
        let elapsed = to - from
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func print() {
        for line in lines.withLock({ $0 }) { Swift.print("galera figure: \(line)") }
    }
}
