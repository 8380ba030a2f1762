import Foundation
import Testing
import TestSupport

/// Two responder hosts on one MariaDB table, each with its own cache, each answering through `respond`
/// and through a running `serve`, all as the service user: a revocation made on one host (`db revoke`)
/// or by the CA's own software (a plain SQL `UPDATE`) reaches all four within `revalidate` + 1 s.
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
        """
        [db]
        host = 127.0.0.1
        port = \(server.port)
        db = \(server.database)
        username = \(server.user)
        password = \(server.password)
        table = \(table)
        connect_timeout = 3
        """
    }

    /// Warms every observer (two answers each, so `serve`'s memory holds the answer too), changes the
    /// table with `revoke`, then asks each again until the deadline: each must answer revoked by then,
    /// and must still say so when asked after it. Returns the seconds each first answered revoked.
    func revocationReachesEveryone(
        leaf: String, hosts: [Host], revoke: () throws -> Void
    ) throws -> [String: Double] {
        let pki = TestPKI.shared
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
        let deadline = revokedAt.addingTimeInterval(Double(Self.revalidate) + 1)
        var firstRevoked: [String: Double] = [:]
        while Date() < deadline, firstRevoked.count < observers.count {
            for observer in observers where firstRevoked[observer.label] == nil {
                let asked = Date()
                if try Self.status(try observer.ask(request)) == "revoked" {
                    firstRevoked[observer.label] = asked.timeIntervalSince(revokedAt)
                }
            }
            usleep(50_000)
        }
        // Asked after the deadline, every one must answer revoked, verified by both peers.
        while Date() < deadline { usleep(20_000) }
        for observer in observers {
            let response = try observer.ask(request)
            let single = Peers.singleResponses(try Peers.verifySuccessful(
                response: response, issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))).first
            #expect(single?["cert_status"] as? String == "REVOKED", "\(observer.label) after revalidate + 1 s")
            #expect(single?["revocation_reason"] as? String == "key_compromise", "\(observer.label)")
        }
        return firstRevoked
    }

    @Test("db revoke on host A: host A at once, host B within revalidate, through respond and serve")
    func dbRevokeReachesBothHosts() throws {
        let server = try #require(MariaDBTestServer.shared)
        let table = try server.createStatusTable("reval")
        try server.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1001', '', 'Valid')")
        let hosts = [try Host("A", database: Self.mariadbSection(server, table: table)),
                     try Host("B", database: Self.mariadbSection(server, table: table))]
        let seen = try revocationReachesEveryone(leaf: "good.pem", hosts: hosts) {
            let result = try runAs(hosts[0].harness.service, ResponderBinary.path,
                                   ["db", "revoke", "0x1001", "--reason", "keyCompromise", "--config", hosts[0].harness.configPath])
            guard result.status == 0 else { throw TestFailure("db revoke: \(result.stderr)") }
        }
        // Host A's cache was purged by the revoke itself: its first answer after it is already revoked.
        #expect((seen["A respond"] ?? 99) < 0.5, "\(seen)")
        // Host B learnt it by revalidating its kept response (the log says the status changed).
        #expect(hosts[1].log.contains("cache=changed"), "\(hosts[1].log)")
    }

    @Test("A plain SQL UPDATE by the CA's software: both hosts within revalidate, through respond and serve")
    func sqlUpdateReachesBothHosts() throws {
        let server = try #require(MariaDBTestServer.shared)
        let table = try server.createStatusTable("reval")
        try server.execute("INSERT INTO \(table) (cert_num, cert, status) VALUES ('0x1002', '', 'Valid')")
        let hosts = [try Host("A", database: Self.mariadbSection(server, table: table)),
                     try Host("B", database: Self.mariadbSection(server, table: table))]
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
}
