import Foundation
import Testing
import TestSupport

/// Responder hosts on real MariaDB servers, each with its own cache, each answering through `respond` and
/// through a running `serve`, all as the service user: a revocation made on one host (`db revoke`) or by
/// the CA's own software (a plain SQL `UPDATE`) reaches all four within `revalidate` + 1 s; one made on
/// a primary reaches a host reading a delayed replica within the delay plus that; a stopped database
/// leaves warm answers served, and says so.
@Suite(.serialized, .enabled(if: MariaDBTestServer.isAvailable && TestAccounts.service != nil))
struct RevalidationTests {
    static let revalidate = 2

    /// One responder host: its own directory, cache and log, `serve` running, on the shared table.
    struct Host {
        let name: String
        let harness: ServeHarness

        init(_ name: String, database: String, revalidate: Int = RevalidationTests.revalidate) throws {
            self.name = name
            harness = try ServeHarness(database: database, ocspLines: "revalidate = \(revalidate)")
        }

        /// `respond` as the service user, request on stdin, response on stdout.
        func respond(_ request: Data) throws -> Data {
            let result = try runAs(harness.service, ResponderBinary.path, ["respond", "--config", harness.configPath, "-"], stdin: request)
            guard result.status == 0 else { throw TestFailure("\(name) respond: exit \(result.status): \(result.stderr)") }
            return result.stdout
        }

        /// The running `serve`'s answer to a POST.
        func serve(_ request: Data) throws -> Data {
            let exchange = try harness.post(request)
            guard exchange.status == 200 else { throw TestFailure("\(name) serve: HTTP \(exchange.status)") }
            return exchange.body
        }

        var log: String { (try? String(contentsOfFile: harness.logPath, encoding: .utf8)) ?? "" }
    }

    /// One way of asking: a host's `respond` or its `serve`.
    struct Observer {
        let label: String
        let ask: (Data) throws -> Data
    }

    /// `good` or `revoked`, as openssl reads the response after verifying it against the chain.
    static func status(_ response: Data) throws -> String {
        let text = try Peers.opensslVerify(response: response, chain: TestPKI.shared.path(.rsa, "chain.pem"))
        if text.contains("Cert Status: revoked") { return "revoked" }
        if text.contains("Cert Status: good") { return "good" }
        throw TestFailure("neither good nor revoked:\n\(text)")
    }

    static func mariadbSection(_ server: MariaDBTestServer, table: String) -> String {
        // Over TCP: the service user needs no access to the test server's socket directory.
        server.configSection(table: table, tcp: true)
    }

    /// Warms every observer (two answers each, so `serve`'s memory holds the answer too), changes the
    /// table with `revoke`, then asks each again until the deadline: each must answer revoked by then,
    /// and must still say so when asked after it. Returns the seconds each first answered revoked.
    func revocationReachesEveryone(
        leaf: String, hosts: [Host], revoke: () throws -> Void
    ) throws -> [String: Double] {
        let request = try hosts[0].harness.request([leaf])
        let observers = hosts.flatMap { host in
            [Observer(label: "\(host.name) respond", ask: host.respond), Observer(label: "\(host.name) serve", ask: host.serve)]
        }
        for observer in observers {
            for _ in 0..<2 {
                #expect(try Self.status(try observer.ask(request)) == "good", "\(observer.label) before the revocation")
            }
        }

        let revokedAt = Date()
        try revoke()
        return try everyoneAnswersRevoked(
            observers, request: request, since: revokedAt, by: revokedAt.addingTimeInterval(Double(Self.revalidate) + 1))
    }

    /// A fresh table on the shared MariaDB where `serial` is Valid, and hosts A and B on it.
    func twoHosts(valid serial: String) throws -> (MariaDBTestServer, String, [Host]) {
        let server = try #require(MariaDBTestServer.shared)
        let table = try server.createStatusTable("reval")
        try server.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('\(serial)', '', 'Valid')")
        return (server, table, [try Host("A", database: Self.mariadbSection(server, table: table)),
                                try Host("B", database: Self.mariadbSection(server, table: table))])
    }

    @Test("db revoke on host A: host A at once, host B within revalidate, through respond and serve")
    func dbRevokeReachesBothHosts() throws {
        let (_, _, hosts) = try twoHosts(valid: "0x1001")
        let seen = try revocationReachesEveryone(leaf: "good.pem", hosts: hosts) {
            let result = try runAs(hosts[0].harness.service, ResponderBinary.path,
                                   ["db", "revoke", "0x1001", "--reason", "keyCompromise", "--config", hosts[0].harness.configPath])
            guard result.status == 0 else { throw TestFailure("db revoke: \(result.stderr)") }
        }
        // Host A's cache was purged by the revoke itself: its revoked answer came from a miss, not from
        // a revalidation of a kept response.
        #expect(seen["A respond"] != nil, "\(seen)")
        #expect(hosts[0].log.contains("cache=miss certs=0x1001:revoked:database"), "\(hosts[0].log)")
        // Host B learnt it by revalidating its kept response (the log says the status changed).
        #expect(hosts[1].log.contains("cache=changed"), "\(hosts[1].log)")
    }

    @Test("A plain SQL UPDATE by the CA's software: both hosts within revalidate, through respond and serve")
    func sqlUpdateReachesBothHosts() throws {
        let (server, table, hosts) = try twoHosts(valid: "0x1002")
        _ = try revocationReachesEveryone(leaf: "revoked.pem", hosts: hosts) {
            try server.execute("""
                UPDATE \(table) SET status = 'Revoked', revocation_time = UTC_TIMESTAMP(), revocation_reason = 'key_compromise'
                WHERE cert_num = '0x1002'
                """)
        }
        for host in hosts {
            #expect(host.log.contains("cache=changed"), "\(host.name): \(host.log)")
        }
    }

    /// Polls `observers` until each answers revoked; after `deadline` each must, verified by both peers.
    /// Returns the seconds after `since` at which each first did.
    func everyoneAnswersRevoked(_ observers: [Observer], request: Data, since: Date, by deadline: Date) throws -> [String: Double] {
        let pki = TestPKI.shared
        var firstRevoked: [String: Double] = [:]
        while Date() < deadline, firstRevoked.count < observers.count {
            for observer in observers where firstRevoked[observer.label] == nil {
                let asked = Date()
                if try Self.status(try observer.ask(request)) == "revoked" {
                    firstRevoked[observer.label] = asked.timeIntervalSince(since)
                }
            }
            usleep(50_000)
        }
        while Date() < deadline { usleep(20_000) }
        for observer in observers {
            let single = (try Peers.verifySuccessful(
                response: try observer.ask(request), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))).responses.first
            #expect(single?.certStatus == "REVOKED", "\(observer.label) at the deadline")
            #expect(single?.revocationReason == "key_compromise", "\(observer.label)")
        }
        return firstRevoked
    }

    @Test("A revocation on the primary reaches a host that reads a replica (MASTER_DELAY) within the delay plus revalidate")
    func aRevocationOnThePrimaryReachesAHostReadingAReplica() throws {
        let primary = try #require(MariaDBTestServer.shared)
        let replica = try #require(primary.replica, "scripts/test.sh starts a replica")
        let table = try primary.createStatusTable("repl")
        try primary.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1001', '', 'Valid')")
        // The table and its row reach the replica after the delay.
        let arrived = Date().addingTimeInterval(Double(primary.replicaDelay) + 20)
        while (try? replica.execute("SELECT status FROM \(table) WHERE cert_num = '0x1001'"))?.contains("Valid") != true {
            guard Date() < arrived else { throw TestFailure("the row never reached the replica") }
            usleep(200_000)
        }
        let host = try Host("R", database: Self.mariadbSection(replica, table: table))
        let request = try host.harness.request(["good.pem"])
        let observers = [Observer(label: "R respond", ask: host.respond), Observer(label: "R serve", ask: host.serve)]
        for observer in observers {
            #expect(try Self.status(try observer.ask(request)) == "good", "\(observer.label) before the revocation")
        }

        let revokedAt = Date()
        try primary.execute("""
            UPDATE \(table) SET status = 'Revoked', revocation_time = UTC_TIMESTAMP(), revocation_reason = 'key_compromise'
            WHERE cert_num = '0x1001'
            """)
        // The replica has not applied it yet: the host still answers good, from the replica's row.
        usleep(UInt32(Self.revalidate) * 1_000_000 + 200_000)
        if Date() < revokedAt.addingTimeInterval(Double(primary.replicaDelay) - 1) {
            #expect(try Self.status(try host.respond(request)) == "good", "the replica answered before its delay")
        }
        let deadline = revokedAt.addingTimeInterval(Double(primary.replicaDelay + Self.revalidate) + 1)
        let seen = try everyoneAnswersRevoked(observers, request: request, since: revokedAt, by: deadline)
        #expect(seen.count == observers.count, "\(seen)")
        #expect(host.log.contains("cache=changed"), "\(host.log)")
    }

    @Test("The database stopped: warm answers are served unrevalidated and logged so; nonce requests and cold serials get tryLater; back when it returns")
    func aStoppedDatabaseLeavesWarmAnswersServed() throws {
        let database = try PrivateMariaDB.start()
        try database.server.execute("INSERT INTO \(database.table) (cert_num, cert, status) VALUES ('0x1001', '', 'Valid')")
        let host = try Host("D", database: Self.mariadbSection(database.server, table: database.table))
        let request = try host.harness.request(["good.pem"])
        for _ in 0..<2 {
            #expect(try Self.status(try host.respond(request)) == "good")
            #expect(try Self.status(try host.serve(request)) == "good")
        }

        try database.stop()
        // Past revalidate, so that both must ask the table, which is not there.
        usleep(UInt32(Self.revalidate) * 1_000_000 + 300_000)
        let pki = TestPKI.shared
        for (label, ask) in [("respond", host.respond), ("serve", host.serve)] as [(String, (Data) throws -> Data)] {
            let single = (try Peers.verifySuccessful(
                response: try ask(request), issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))).responses.first
            #expect(single?.certStatus == "GOOD", "\(label)")
        }
        let log = host.harness.accessLog(containing: "ocsp=successful cache=unrevalidated")
        #expect(log.contains("WARNING"), "respond logs an unrevalidated answer as a warning: \(log)")
        #expect(log.split(separator: "\n").contains { $0.contains("answered") && $0.contains("cache=unrevalidated") && $0.contains("served unrevalidated") }, "\(log)")
        #expect(log.contains("ocsp=successful cache=unrevalidated"), "serve's access log: \(log)")

        // A nonce answer needs the table: tryLater, from both.
        let tryLater = Data([0x30, 0x03, 0x0A, 0x01, 0x03])
        let nonceRequest = try host.harness.request(["good.pem"], nonce: true)
        #expect(try host.harness.post(nonceRequest).body == tryLater)
        let nonceRespond = try runAs(host.harness.service, ResponderBinary.path,
                                     ["respond", "--config", host.harness.configPath, "-"], stdin: nonceRequest)
        #expect(nonceRespond.status == 3 && nonceRespond.stdout == tryLater, "\(nonceRespond.stderr)")
        // So does a serial nothing was kept for.
        #expect(try host.harness.post(try host.harness.request(["revoked.pem"])).body == tryLater)

        // The database back: the next due answer is checked against it again.
        try database.start()
        #expect(try Self.status(try host.respond(request)) == "good")
        #expect(host.log.split(separator: "\n").last { $0.contains("answered") }?.contains("cache=revalidated") == true, "\(host.log)")
    }
}
