import OCSPStoreMariaDB
import OCSPWire
import Foundation
import Testing
import TestSupport

/// Where an admin test keeps its table.
enum StoreBackendUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case mariadb, sqlite
    var testDescription: String { rawValue }

    /// The backends this run can test: SQLite always, MariaDB under scripts/test.sh.
    static var available: [StoreBackendUnderTest] {
        allCases.filter { $0 != .mariadb || MariaDBTestServer.isAvailable }
    }

    /// `[db]` lines for `table`, which does not exist yet.
    func dbSection(in directory: URL, table: String) -> String {
        switch self {
        case .mariadb:
            let server = MariaDBTestServer.shared!
            return server.configSection(table: table)
        case .sqlite:
            return "[db]\nbackend = sqlite\npath = \(sqlitePath(in: directory))\ntable = \(table)\nconnect_timeout = 3"
        }
    }

    func sqlitePath(in directory: URL) -> String {
        directory.appendingPathComponent("status.db").path
    }
}

/// `ocsp-responder db …` on each backend, every change followed by a `respond` whose answer both peers verify.
@Suite struct AdminCommandTests {
    struct Admin {
        let pki = TestPKI.shared
        let directory: URL
        let backend: StoreBackendUnderTest
        /// `[db] table`, the `[ocsp]` CA's.
        let table = "admin_\(UUID().uuidString.prefix(8).lowercased())"
        /// The `[issuer p256]` section's table.
        let p256Table = "p256_\(UUID().uuidString.prefix(8).lowercased())"
        var configPath: String { directory.appendingPathComponent("config.ini").path }
        var cachePath: String { directory.appendingPathComponent("cache").path }

        /// - Parameter ocspLines: more lines for the `[ocsp]` section (`user = NAME`).
        init(_ backend: StoreBackendUnderTest, ocspLines: String = "") throws {
            self.backend = backend
            directory = try makeTemporaryDirectory("ocsp-admin")
            let config = """
                \(backend.dbSection(in: directory, table: table))

                [ocsp]
                cert = \(pki.path(.rsa, "ca.pem"))
                pkey = \(pki.path(.rsa, "ca.key"))
                cache = \(cachePath)
                \(ocspLines)

                [issuer p256]
                cert = \(pki.path(.p256, "ca.pem"))
                pkey = \(pki.path(.p256, "ca.key"))
                table = \(p256Table)
                """
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configPath)
        }

        @discardableResult
        func db(_ arguments: [String]) throws -> ProcessResult {
            try ResponderBinary.run(["db"] + [arguments[0], "--config", configPath] + arguments.dropFirst())
        }

        /// A table of 0x1001 Valid and 0x1002 Revoked (key_compromise, 2026-01-02T03:04:05Z), which issue
        /// 14's rules must not lose.
        func tableWithARevocation() throws {
            for step in [["init"], ["add", pki.path(.rsa, "good.pem"), pki.path(.rsa, "revoked.pem")],
                         ["revoke", "0x1002", "--reason", "key_compromise", "--at", "2026-01-02T03:04:05Z"]] {
                let result = try db(step)
                guard result.status == 0 else { throw TestFailure("db \(step[0]) failed (\(result.status)): \(result.stderr)") }
            }
        }

        /// Runs SQL on the tables as another tool would: the mariadb client, or Python's sqlite3 on the file.
        func execute(_ sql: String) throws {
            switch backend {
            case .mariadb:
                try MariaDBTestServer.shared!.execute(sql)
            case .sqlite:
                let python = ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3"
                let result = try run(python, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()",
                                              backend.sqlitePath(in: directory)], stdin: Data(sql.utf8))
                guard result.status == 0 else { throw TestFailure("sqlite: \(result.stderr)") }
            }
        }

        /// The cert_num of every row in the table of `ca` (default `[ocsp]`), as `db list` prints them.
        func certNums(ca: String? = nil) throws -> [String] {
            let list = try db(["list", "--format", "json"] + (ca.map { ["--ca", $0] } ?? []))
            guard list.status == 0 else { throw TestFailure("db list failed (\(list.status)): \(list.stderr)") }
            return try CommandReport.decode([TableRowReport].self, from: list.stdout).map(\.certNum)
        }

        /// Writes the PEM certificates at `paths` into one file, for `db add`.
        func bundle(_ name: String, _ paths: [String]) throws -> String {
            let file = directory.appendingPathComponent(name)
            try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }.reduce(Data(), +).write(to: file)
            return file.path
        }

        /// `db show SERIAL --json`: the row as the table holds it.
        func row(_ serial: String) throws -> TableRowReport {
            let show = try db(["show", serial, "--json"])
            guard show.status == 0 else { throw TestFailure("db show \(serial) failed (\(show.status)): \(show.stderr)") }
            return try CommandReport.decode(TableRowReport.self, from: show.stdout)
        }

        /// The status a `respond` gives for a leaf of `kind`, after both peers verified the response.
        func status(_ leaf: String, _ kind: TestPKI.Kind = .rsa) throws -> PeerReport.Single {
            let request = directory.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der")
            try run("openssl", ["ocsp", "-issuer", pki.path(kind, "ca.pem"), "-cert", pki.path(kind, leaf), "-no_nonce", "-reqout", request.path])
            let result = try ResponderBinary.run(["respond", "--config", configPath, request.path])
            guard result.status == 0 else { throw TestFailure("respond failed (\(result.status)): \(result.stderr)") }
            let json = try Peers.verifySuccessful(response: try Data(contentsOf: request), issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"))
            guard let single = json.responses.first else { throw TestFailure("no SingleResponse: \(json)") }
            return single
        }
    }

    @Test(arguments: StoreBackendUnderTest.available)
    func initAddRevokeUnrevoke(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        let again = try admin.db(["init"])
        #expect(again.status == 0 && again.stdoutText.contains("ready"), "\(again.stderr)")
        #expect(try admin.status("good.pem").certStatus == "UNKNOWN")

        let added = try admin.db(["add", admin.pki.path(.rsa, "good.pem"), admin.pki.path(.rsa, "revoked.pem"), admin.pki.path(.p256, "good.pem")])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdoutText.contains("added 0x1001") && added.stdoutText.contains("to p256"))
        #expect(try admin.status("good.pem").certStatus == "GOOD")
        #expect(try admin.status("good.pem", .p256).certStatus == "GOOD")

        // --json: one array of rows, keyed as `db list` keys them (issue 15).
        let addedJSON = try admin.db(["add", "--json", admin.pki.path(.rsa, "small.pem"), admin.pki.path(.rsa, "topbit.pem")])
        #expect(addedJSON.status == 0, "\(addedJSON.stderr)")
        let rows = try CommandReport.decode([TableRowReport].self, from: addedJSON.stdout)
        #expect(rows.map(\.certNum) == ["0xf", "0x9a4e31c2d5b6a7f8"])
        #expect(rows.allSatisfy { $0.status == "Valid" && $0.ca == "ocsp" && $0.serial == nil })
        let listed = try CommandReport.decode([TableRowReport].self, from: try admin.db(["list", "--format", "json"]).stdout)
        #expect(Set(listed.map(\.certNum)).isSuperset(of: ["0xf", "0x9a4e31c2d5b6a7f8"]))

        // Refusals name the certificate and change nothing.
        let duplicate = try admin.db(["add", admin.pki.path(.rsa, "good.pem")])
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr.contains("0x1001") && duplicate.stderr.contains("already"))
        let foreign = try admin.db(["add", admin.pki.path("foreign/leaf.pem")])
        #expect(foreign.status == 65)
        #expect(foreign.stderr.contains("not issued by any configured CA"))

        let revoked = try admin.db(["revoke", "0x1002", "--reason", "keyCompromise", "--at", "2026-01-02T03:04:05Z", "--json"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let row = try CommandReport.decode(TableRowReport.self, from: revoked.stdout)
        #expect(row.status == "Revoked" && row.revocationReason == "key_compromise")
        let single = try admin.status("revoked.pem")
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == "key_compromise")
        #expect(single.revocationTime == "2026-01-02T03:04:05Z")

        // Only a hold can be lifted.
        let refused = try admin.db(["unrevoke", "0x1002"])
        #expect(refused.status == 65 && refused.stderr.contains("certificate_hold"))
        #expect(try admin.db(["revoke", "--cert", admin.pki.path(.rsa, "good.pem"), "--reason", "certificate_hold"]).status == 0)
        #expect(try admin.status("good.pem").certStatus == "REVOKED")
        #expect(try admin.db(["unrevoke", "1001"]).status == 0)
        #expect(try admin.status("good.pem").certStatus == "GOOD")

        // Two CAs in one table would answer for each other's serials: refused, naming the key.
        let shared = admin.directory.appendingPathComponent("shared.ini")
        let text = try String(contentsOfFile: admin.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "table = p256_", with: "# table = p256_").write(to: shared, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: shared.path)
        let refusedConfig = try ResponderBinary.run(["db", "list", "--config", shared.path])
        #expect(refusedConfig.status == 78 && refusedConfig.stderr.contains("own table"), "\(refusedConfig.stderr)")

        let missing = try admin.db(["revoke", "0x4242"])
        #expect(missing.status == 65 && missing.stderr.contains("db add"))
    }

    /// The pipeline the README shows: our request, answered from the store, inspected and verified by us,
    /// and the same response verified by both peers.
    @Test(arguments: StoreBackendUnderTest.available)
    func requestRespondInspectPipeline(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.rsa, "revoked.pem")]).status == 0)
        #expect(try admin.db(["revoke", "0x1002", "--reason", "superseded"]).status == 0)
        let bin = ResponderBinary.path
        let ca = admin.pki.path(.rsa, "ca.pem")
        let out = admin.directory.appendingPathComponent("pipe.der").path
        let result = try run("/bin/bash", ["-c", """
            set -o pipefail
            "$0" request --issuer "$1" --cert "$2" | "$0" respond --config "$3" - | tee "$4" | "$0" inspect --issuer "$1" --json -
            """, bin, ca, admin.pki.path(.rsa, "revoked.pem"), admin.configPath, out])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try CommandReport.decode(InspectReport.self, from: result.stdout)
        #expect(json.verification?.verified == true, "\(result.stdoutText)")
        let peers = try Peers.verifySuccessful(response: try Data(contentsOf: URL(fileURLWithPath: out)), issuer: ca, chain: admin.pki.path(.rsa, "chain.pem"))
        #expect(peers.responses.first?.revocationReason == "superseded")
        #expect(peers.nonceHex != nil)
    }

    /// A status change removes the kept response: the next request is answered from the table.
    @Test(arguments: StoreBackendUnderTest.available)
    func aStatusChangeEmptiesTheCacheForThatSerial(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.rsa, "good.pem"), admin.pki.path(.rsa, "revoked.pem")]).status == 0)
        #expect(try admin.status("good.pem").certStatus == "GOOD")
        #expect(try admin.status("revoked.pem").certStatus == "GOOD")
        let cached = try FileManager.default.contentsOfDirectory(atPath: admin.cachePath)
        #expect(cached.count == 2)
        #expect(try admin.db(["revoke", "0x1001", "--reason", "superseded"]).status == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: admin.cachePath)
        #expect(left.count == 1 && left[0].hasPrefix("1002-"))
        #expect(try admin.status("good.pem").certStatus == "REVOKED")
    }

    @Test(arguments: StoreBackendUnderTest.available)
    func showAndListInEveryFormat(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.rsa, "good.pem"), admin.pki.path(.rsa, "revoked.pem"), admin.pki.path(.rsa, "topbit.pem")]).status == 0)
        #expect(try admin.db(["revoke", "0x1002", "--reason", "ca_compromise", "--at", "2026-03-04"]).status == 0)

        let show = try admin.db(["show", "0x9A4E31C2D5B6A7F8", "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try CommandReport.decode(TableRowReport.self, from: show.stdout)
        #expect(shown.certNum == "0x9a4e31c2d5b6a7f8")
        #expect(shown.subject?.contains("CN=") == true)

        let json = try admin.db(["list", "--format", "json"])
        let rows = try CommandReport.decode([TableRowReport].self, from: json.stdout)
        #expect(rows.map(\.certNum) == ["0x1001", "0x1002", "0x9a4e31c2d5b6a7f8"])
        #expect(rows.count == 3 && rows[1].revocationTime == "2026-03-04T00:00:00Z")

        let csv = try admin.db(["list", "--revoked", "--format", "csv"]).stdoutText.split(separator: "\n")
        #expect(csv == ["cert_num,status,revocation_time,revocation_reason", "0x1002,Revoked,2026-03-04T00:00:00Z,ca_compromise"])
        let table = try admin.db(["list"]).stdoutText.split(separator: "\n")
        #expect(table.count == 4 && table[0].hasPrefix("cert_num"))

        let empty = try admin.db(["list", "--ca", "p256", "--format", "json"])
        _ = try CommandReport.decode([TableRowReport].self, from: empty.stdout)  // a JSON list, if an empty one
        #expect(try admin.db(["list", "--ca", "nope"]).status == 64)
    }

    /// An `openssl ca` database imports, with its certificates; a second import changes nothing.
    @Test(arguments: StoreBackendUnderTest.available)
    func importAnOpenSSLIndex(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        let certs = admin.directory.appendingPathComponent("newcerts")
        try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: admin.pki.path(.rsa, "good.pem"), toPath: certs.appendingPathComponent("1001.pem").path)
        let index = admin.directory.appendingPathComponent("index.txt")
        try """
            V\t351231235959Z\t\t1001\tunknown\t/CN=good
            R\t351231235959Z\t260101000000Z,keyCompromise\t1002\tunknown\t/CN=revoked
            E\t200101000000Z\t\t0F\tunknown\t/CN=old
            R\t351231235959Z\t251224120000Z,certificateHold\t9A4E31C2D5B6A7F8\tunknown\t/CN=held

            """.write(to: index, atomically: true, encoding: .utf8)
        let first = try admin.db(["import", "--index", index.path, "--certs", certs.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try CommandReport.decode(ImportSummaryReport.self, from: first.stdout)
        #expect(summary.added == 4 && summary.withoutCertificate == 3)
        let second = try CommandReport.decode(ImportSummaryReport.self, from: try admin.db(["import", "--index", index.path, "--json"]).stdout)
        #expect(second.unchanged == 4 && second.added == 0)

        #expect(try admin.status("good.pem").certStatus == "GOOD")
        #expect(try admin.status("small.pem").certStatus == "GOOD")
        let revoked = try admin.status("revoked.pem")
        #expect(revoked.revocationReason == "key_compromise" && revoked.revocationTime == "2026-01-01T00:00:00Z")
        #expect(try admin.status("topbit.pem").revocationReason == "certificate_hold")

        let bad = admin.directory.appendingPathComponent("bad.txt")
        try "V\t351231235959Z\t\tnot-hex\tunknown\t/CN=x\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try admin.db(["import", "--index", bad.path])
        #expect(refused.status == 65 && refused.stderr.contains("bad.txt:1"))
    }

    /// Writes `lines` as an index, imports it expecting a refusal (exit 65) with `summary`; returns the
    /// index, the run and its `conflict 0x…` lines.
    func importRefused(_ admin: Admin, _ lines: String, summary: String) throws -> (URL, ProcessResult, [Substring]) {
        let index = admin.directory.appendingPathComponent("index.txt")
        try lines.write(to: index, atomically: true, encoding: .utf8)
        let refused = try admin.db(["import", "--index", index.path])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stdoutText.contains(summary), "\(refused.stdoutText)")
        return (index, refused, refused.stderr.split(separator: "\n").filter { $0.contains("conflict 0x") })
    }

    /// The same import with `flag`, which lets its one conflicting row be updated.
    func importAllowed(_ admin: Admin, _ index: URL, _ flag: String) throws {
        let allowed = try admin.db(["import", "--index", index.path, flag])
        #expect(allowed.status == 0 && allowed.stdoutText.contains("1 updated"), "\(allowed.stdoutText)\(allowed.stderr)")
    }

    /// Issue 14: an index that still says V does not undo a revocation; the conflict is named, the
    /// other rows apply, the exit status is 65; --allow-unrevoke takes the index's word.
    @Test(arguments: StoreBackendUnderTest.available)
    func importNeverTurnsRevokedIntoValid(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        try admin.tableWithARevocation()
        let (index, refused, conflicts) = try importRefused(
            admin, "V\t351231235959Z\t\t1001\tunknown\t/CN=good\nV\t351231235959Z\t\t1002\tunknown\t/CN=revoked\nV\t351231235959Z\t\t0F\tunknown\t/CN=new\n",
            summary: "1 added, 0 updated, 1 unchanged, 1 conflicts kept")
        #expect(conflicts.count == 1 && conflicts[0].contains("0x1002") && conflicts[0].contains("Revoked at 2026-01-02T03:04:05Z (reason key_compromise)")
                && conflicts[0].contains("the index V (Valid)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-unrevoke"))
        let kept = try admin.row("0x1002")
        #expect(kept.status == "Revoked" && kept.revocationReason == "key_compromise")
        #expect(kept.revocationTime == "2026-01-02T03:04:05Z")
        #expect(try admin.row("0x0f").status == "Valid")

        try importAllowed(admin, index, "--allow-unrevoke")
        #expect(try admin.row("0x1002").status == "Valid")
    }

    /// Issue 14: an index that has a revoked row with another time or reason does not rewrite the table's
    /// revocation (the first is kept, as `db revoke` keeps it), except a hold, which may become final;
    /// --allow-rewrite takes the index's word.
    @Test(arguments: StoreBackendUnderTest.available)
    func importKeepsTheFirstRevocation(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        try admin.tableWithARevocation()
        #expect(try admin.db(["revoke", "0x1001", "--reason", "certificateHold", "--at", "2026-03-01T00:00:00Z"]).status == 0)
        let (index, refused, conflicts) = try importRefused(
            admin, "R\t351231235959Z\t260401000000Z,keyCompromise\t1001\tunknown\t/CN=good\nR\t351231235959Z\t260501000000Z,superseded\t1002\tunknown\t/CN=revoked\n",
            summary: "0 added, 1 updated, 0 unchanged, 1 conflicts kept")
        #expect(conflicts.count == 1 && conflicts[0].contains("0x1002") && conflicts[0].contains("kept the first revocation")
                && conflicts[0].contains("reason superseded"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-rewrite"))
        let kept = try admin.row("0x1002")
        #expect(kept.revocationReason == "key_compromise" && kept.revocationTime == "2026-01-02T03:04:05Z")
        let final = try admin.row("0x1001")
        #expect(final.revocationReason == "key_compromise" && final.revocationTime == "2026-04-01T00:00:00Z")

        try importAllowed(admin, index, "--allow-rewrite")
        #expect(try admin.row("0x1002").revocationReason == "superseded")
    }

    /// `db add FILE` of certificates of two CAs, each with its own table, is one transaction: when the
    /// file's second certificate (the p256 CA's) is refused, or its table fails the write, the first (the
    /// RSA CA's) is not added either, though it went into another table before.
    @Test(arguments: StoreBackendUnderTest.available)
    func addOfAFileOfTwoCAsIsOneTransaction(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.p256, "good.pem")]).status == 0)

        let refused = try admin.db(["add", try admin.bundle("refused.pem", [admin.pki.path(.rsa, "good.pem"), admin.pki.path(.p256, "good.pem")])])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("serial 0x1001") && refused.stderr.contains("already in table \(admin.p256Table)"), "\(refused.stderr)")
        #expect(try admin.certNums() == [])
        #expect(try admin.certNums(ca: "p256") == ["0x1001"])

        // An error rather than a refusal: the p256 table refuses any new row, which only the write meets,
        // after the RSA row is in. (A CHECK on MariaDB: with the binary log on, a trigger needs SUPER; a
        // trigger on SQLite, whose ALTER TABLE cannot add a CHECK.)
        try admin.execute(backend == .mariadb
            ? "ALTER TABLE \(admin.p256Table) ADD CONSTRAINT refused_by_the_test CHECK (cert_num = '0x1001')"
            : "CREATE TRIGGER refused_by_the_test BEFORE INSERT ON \(admin.p256Table) BEGIN SELECT RAISE(ABORT, 'refused_by_the_test'); END;")
        let failed = try admin.db(["add", try admin.bundle("failed.pem", [admin.pki.path(.rsa, "good.pem"), admin.pki.path(.p256, "small.pem")])])
        #expect(failed.status == 70 && failed.stderr.contains("refused_by_the_test"), "\(failed.status): \(failed.stderr)")
        #expect(try admin.certNums() == [])
        #expect(try admin.certNums(ca: "p256") == ["0x1001"])
    }

    /// Two `db revoke` of one serial at once, with different reasons and times: the second waits for the
    /// first's transaction (its read locks the row) and then sees the revocation, so exactly one
    /// succeeds, the other keeps it (exit 65), and the row holds the one that succeeded. The test holds the
    /// row's lock until both commands wait for it, so that they meet every time; a read that did not lock
    /// would let both read Valid and the second overwrite the first. MariaDB only: SQLite takes the write
    /// lock of the whole file at BEGIN IMMEDIATE, which the conformance tests cover.
    @Test(.enabled(if: MariaDBTestServer.isAvailable))
    func concurrentRevokesOfOneSerialKeepTheFirst() throws {
        let admin = try Admin(.mariadb)
        let server = try #require(MariaDBTestServer.shared)
        // The commands wait for the lock longer than the suite's connect_timeout = 3 (which bounds each read).
        let config = try String(contentsOfFile: admin.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "connect_timeout = 3", with: "connect_timeout = 30")
            .write(toFile: admin.configPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: admin.configPath)
        for step in [["init"], ["add", admin.pki.path(.rsa, "good.pem")]] {
            let result = try admin.db(step)
            try #require(result.status == 0, "db \(step[0]): \(result.stderr)")
        }

        let attempts = [("key_compromise", "2026-01-02T03:04:05Z"), ("superseded", "2026-05-05T00:00:00Z")]
        let outcomes = Outcomes()
        let group = DispatchGroup()
        let holder = MariaDBStatusStore(
            options: MariaDBOptions(socket: server.socket, database: server.database, user: server.user, password: server.password, ioTimeout: 30),
            table: admin.table)
        let held = Result { () throws in
            try holder.inWriteTransaction {
                // An UPDATE that changes nothing still takes the row's exclusive lock, and does not depend on
                // the locking read under test.
                try holder.update(certNums: ["0x1001"], status: .valid, revocationTime: nil, revocationReason: nil)
                for (reason, time) in attempts {
                    DispatchQueue.global().async(group: group) {
                        outcomes.append(reason, Result { try admin.db(["revoke", "0x1001", "--reason", reason, "--at", time]) })
                    }
                }
                // Both commands are in a statement on the table: waiting for the lock this transaction holds.
                let deadline = Date().addingTimeInterval(20)
                while try server.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE '%\(admin.table)%'")
                    .trimmingCharacters(in: .whitespacesAndNewlines) != "2" {
                    guard Date() < deadline else { throw TestFailure("the two db revoke never both waited for the row") }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        group.wait()
        try held.get()

        let results = try outcomes.all.map { reason, result in (reason, try result.get()) }
        let succeeded = results.filter { $0.1.status == 0 }
        let kept = results.filter { $0.1.status == 65 }
        #expect(succeeded.count == 1 && kept.count == 1, "\(results.map { "\($0.0): \($0.1.status) \($0.1.stderr)" })")
        guard let winner = succeeded.first, let loser = kept.first,
              let time = attempts.first(where: { $0.0 == winner.0 })?.1 else { return }
        #expect(loser.1.stderr.contains("0x1001 already revoked at \(time) (reason \(winner.0)); kept"), "\(loser.1.stderr)")
        let row = try admin.row("0x1001")
        #expect(row.revocationReason == winner.0 && row.revocationTime == time, "\(row)")
    }

    /// What concurrent commands returned, gathered from the threads that ran them.
    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes: [(String, Result<ProcessResult, any Error>)] = []

        func append(_ key: String, _ outcome: Result<ProcessResult, any Error>) {
            lock.withLock { outcomes.append((key, outcome)) }
        }

        var all: [(String, Result<ProcessResult, any Error>)] { lock.withLock { outcomes } }
    }

    /// Issue 14: a second `db revoke` keeps the first time and reason (exit 65) unless --force; a hold
    /// may become a revocation for another reason, which replaces both.
    @Test(arguments: StoreBackendUnderTest.available)
    func revokeKeepsTheFirstRevocation(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        try admin.tableWithARevocation()

        for again in [["revoke", "0x1002"], ["revoke", "0x1002", "--reason", "superseded", "--at", "2026-05-05"]] {
            let refused = try admin.db(again)
            #expect(refused.status == 65)
            #expect(refused.stderr.contains("0x1002 already revoked at 2026-01-02T03:04:05Z (reason key_compromise); kept; --force replaces them"), "\(refused.stderr)")
            let row = try admin.row("0x1002")
            #expect(row.revocationReason == "key_compromise" && row.revocationTime == "2026-01-02T03:04:05Z")
        }
        let forced = try admin.db(["revoke", "0x1002", "--reason", "superseded", "--at", "2026-05-05", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let replaced = try admin.row("0x1002")
        #expect(replaced.revocationReason == "superseded" && replaced.revocationTime == "2026-05-05T00:00:00Z")

        // certificate_hold → key_compromise needs no --force; hold → hold again is a second revocation.
        #expect(try admin.db(["revoke", "0x1001", "--reason", "certificate_hold", "--at", "2026-01-02"]).status == 0)
        let holdAgain = try admin.db(["revoke", "0x1001", "--reason", "certificate_hold"])
        #expect(holdAgain.status == 65 && holdAgain.stderr.contains("(reason certificate_hold); kept"), "\(holdAgain.stderr)")
        let fromHold = try admin.db(["revoke", "0x1001", "--reason", "keyCompromise", "--at", "2026-03-03"])
        #expect(fromHold.status == 0, "\(fromHold.stderr)")
        let permanent = try admin.row("0x1001")
        #expect(permanent.revocationReason == "key_compromise" && permanent.revocationTime == "2026-03-03T00:00:00Z")
        #expect(try admin.db(["unrevoke", "0x1001"]).status == 65)
    }

    /// Issue 14: run as a user who cannot write the cache directory, the change is made (exit 0) and
    /// the operator is told that responders answer the new status once they revalidate, and when. SQLite only: the cache is
    /// the same whatever the backend.
    @Test func aCacheThatCannotBeEmptiedIsWarnedAbout() throws {
        let backend = StoreBackendUnderTest.sqlite
        let service = try #require(TestAccounts.service, "run scripts/test.sh as root: it creates the service user")
        let admin = try Admin(backend, ocspLines: "user = \(service)\nrevalidate = 7")
        try TestAccounts.chown(admin.directory.path, to: service, recursive: true)
        let initialized = try admin.db(["init"])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(try admin.db(["add", admin.pki.path(.rsa, "good.pem")]).status == 0)
        // A kept response about 0x1001, in a cache directory of root's: the service user (whom the
        // command becomes) reads it and cannot remove from it.
        try FileManager.default.createDirectory(atPath: admin.cachePath, withIntermediateDirectories: true)
        try Data([0x30, 0x00]).write(to: URL(fileURLWithPath: admin.cachePath + "/1001-00.der"))
        try TestAccounts.chown(admin.cachePath, to: "root")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: admin.cachePath)

        let revoked = try admin.db(["revoke", "0x1001", "--reason", "superseded"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stderr.contains("cannot be removed from the cache directory \(admin.cachePath)"), "\(revoked.stderr)")
        #expect(revoked.stderr.contains("they answer the new status within [ocsp] revalidate = 7 s"), "\(revoked.stderr)")
        #expect(try admin.row("0x1001").status == "Revoked")
        #expect(try FileManager.default.contentsOfDirectory(atPath: admin.cachePath).count == 1)
    }

    /// Issue 14: `db add FILE` is all or nothing: the file's second certificate is already there, so
    /// its first is not added either.
    @Test(arguments: StoreBackendUnderTest.available)
    func addOfAFileIsAllOrNothing(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.rsa, "revoked.pem")]).status == 0)
        let both = admin.directory.appendingPathComponent("both.pem")
        try (try Data(contentsOf: URL(fileURLWithPath: admin.pki.path(.rsa, "good.pem")))
             + (try Data(contentsOf: URL(fileURLWithPath: admin.pki.path(.rsa, "revoked.pem"))))).write(to: both)

        let refused = try admin.db(["add", both.path])
        #expect(refused.status == 65 && refused.stderr.contains("0x1002") && refused.stderr.contains("already in table"), "\(refused.stderr)")
        let show = try admin.db(["show", "0x1001"])
        #expect(show.status == 65 && show.stderr.contains("not in table"), "\(show.stdoutText)\(show.stderr)")
        let rows = try CommandReport.decode([TableRowReport].self, from: try admin.db(["list", "--format", "json"]).stdout)
        #expect(rows.map(\.certNum) == ["0x1002"])
    }
}
