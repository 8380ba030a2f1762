import OCSPCore
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire
import Foundation
import Testing
import TestSupport

/// Issue 15, "data from the table": values another tool (or MariaDB's default sql_mode) leaves in the
/// table must get `internalError` or their own answer, never a trap, another date or another serial's row.
@Suite struct TableDataTests {
    /// Times no calendar holds, which MariaDB stores under its default sql_mode (no NO_ZERO_DATE, no
    /// NO_ZERO_IN_DATE), and SQLite stores as any text.
    static let impossibleTimes = ["0000-00-00 00:00:00", "2024-00-00 00:00:00"]

    /// Runs SQL on `store`'s table as another tool would.
    static func execute(_ sql: String, on store: any StatusStore) throws {
        switch store {
        case let mariadb as MariaDBStatusStore:
            guard let server = MariaDBTestServer.shared else { throw TestFailure("no MariaDB") }
            _ = try server.execute(sql.replacingOccurrences(of: "TABLE", with: "`\(mariadb.table)`"))
        case let sqlite as SQLiteStatusStore:
            let python = ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3"
            let result = try run(python, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()", sqlite.path],
                                 stdin: Data(sql.replacingOccurrences(of: "TABLE", with: "\"\(sqlite.table)\"").utf8))
            guard result.status == 0 else { throw TestFailure("sqlite: \(result.stderr)") }
        default:
            throw TestFailure("no SQL for a \(type(of: store))")
        }
    }

    /// The store answers `.failed` (internalError) for a `Revoked` row with such a time, naming the stored
    /// text; a `Valid` row's time is not used (tools write zero dates for "none"), so it stays good.
    /// Listings and look-ups by serial keep the row, with the text, so that `db` can show it and
    /// `resign` can skip it.
    @Test(arguments: StoreBackend.available)
    func impossibleRevocationTimesAreInternalErrors(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try Self.execute("""
            INSERT INTO TABLE (cert_num, cert, status, revocation_time) VALUES
              ('0x1001', 'x', 'Revoked', '\(Self.impossibleTimes[0])'), ('0x1002', 'x', 'Revoked', '\(Self.impossibleTimes[1])'),
              ('0x1003', 'x', 'Valid', '\(Self.impossibleTimes[0])'), ('0x1004', 'x', 'Revoked', '2024-01-31 00:00:00');
            """, on: store)
        for (hex, text) in [("1001", Self.impossibleTimes[0]), ("1002", Self.impossibleTimes[1])] {
            let serial = try #require(CertificateSerialNumber(hex: hex))
            let error = #expect(throws: StatusSourceError.self, "0x\(hex)") { try store.status(of: serial) }
            #expect(error?.kind == .failed)
            #expect(error?.message.contains("revocation_time '\(text)'") == true, "\(error?.message ?? "")")
            let record = try #require(try store.records(for: serial).first)
            #expect(record.revocationTime == nil && record.unreadableRevocationTime == text)
        }
        #expect(try store.status(of: #require(CertificateSerialNumber(hex: "1003"))) == .good)
        let fine = try #require(CertificateSerialNumber(hex: "1004"))
        #expect(try store.status(of: fine) == .revoked(at: UnixTime(year: 2024, month: 1, day: 31), reason: nil))
        var listed: [String: String?] = [:]
        try store.forEachRecord(revokedOnly: false, withCertificates: false) { listed[$0.certNum] = $0.unreadableRevocationTime }
        #expect(listed == ["0x1001": Self.impossibleTimes[0], "0x1002": Self.impossibleTimes[1], "0x1003": Self.impossibleTimes[0], "0x1004": nil])
    }

    /// `respond` answers internalError (exit 2, FILE holding `30 03 0a 01 02`) for a zero date and for a
    /// month 0, rather than dying on SIGILL or signing 2023-11-30.
    @Test(.enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"), arguments: impossibleTimes)
    func respondAnswersInternalError(time: String) throws {
        let scenario = try Scenario()
        try scenario.insert("0x1002", status: "Revoked", time: time, reason: "superseded")
        try scenario.insert("0x1001")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["revoked.pem"]))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(response == Data([0x30, 0x03, 0x0A, 0x01, 0x02]))
        #expect(result.stderr.contains("revocation_time '\(time)'"), "\(result.stderr)")
        // The good row next to it still answers.
        let (good, goodResponse, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try scenario.verify(goodResponse).first?.certStatus == "GOOD")
    }

    /// `serve` answers internalError for such a row, every time, and goes on answering the others.
    @Test(.enabled(if: MariaDBTestServer.isAvailable && TestAccounts.service != nil, "needs scripts/test.sh's MariaDB and service user"))
    func serveAnswersInternalErrorAndLives() throws {
        guard let database = MariaDBTestServer.shared else { throw TestFailure("no MariaDB") }
        let table = try database.createStatusTable()
        _ = try database.execute("""
            INSERT INTO \(table) (cert_num, cert, status, revocation_time) VALUES
              ('0x1001', 'x', 'Revoked', '0000-00-00 00:00:00'), ('0x1002', 'x', 'Revoked', '2026-01-02 03:04:05')
            """)
        let server = try ServeHarness(database: database.configSection(table: table))
        for _ in 0..<2 {
            let answer = try server.post(try server.request(["good.pem"]))
            #expect(answer.status == 200 && answer.body == Data([0x30, 0x03, 0x0A, 0x01, 0x02]), "\(answer.status) \(Array(answer.body))")
        }
        let request = try server.request(["revoked.pem"])
        let revoked = try server.post(request)
        #expect(revoked.status == 200)
        #expect(try server.verify(revoked.body).first?.certStatus == "REVOKED")
    }

    /// `resign` skips such rows, counts them as failed, and signs the rest.
    @Test(arguments: StoreBackendUnderTest.available)
    func resignSkipsTheRowAndGoesOn(backend: StoreBackendUnderTest) throws {
        let admin = try AdminCommandTests.Admin(backend)
        try admin.tableWithARevocation()
        try admin.execute("""
            INSERT INTO \(admin.table) (cert_num, cert, status, revocation_time) VALUES
              ('0x1003', 'x', 'Revoked', '0000-00-00 00:00:00'), ('0x1004', 'x', 'Revoked', '2024-00-00 00:00:00'), ('0x1005', 'x', 'Valid', NULL);
            """)
        let result = try ResponderBinary.run(["resign", "--config", admin.configPath, "--ca", "ocsp", "--json"])
        let summary = try? CommandReport.decode(ResignSummaryReport.self, from: result.stdout)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(summary?.signed == 3 && summary?.failed == 2, "\(String(describing: summary)) \(result.stderr)")
        #expect(result.stderr.contains("row 0x1003") && result.stderr.contains("'0000-00-00 00:00:00'"), "\(result.stderr)")
        #expect(result.stderr.contains("row 0x1004") && result.stderr.contains("'2024-00-00 00:00:00'"), "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: admin.cachePath).filter { $0.hasSuffix(".der") }.sorted()
        #expect(files.map { String($0.prefix(while: { $0 != "-" })) } == ["1001", "1002", "1005"])
        let responses = try files.map { try Data(contentsOf: URL(fileURLWithPath: "\(admin.cachePath)/\($0)")) }
        for (file, response) in zip(files, responses) {
            #expect(try Peers.opensslVerify(response: response, chain: admin.pki.path(.rsa, "chain.pem")).contains("Response verify OK"), "\(file)")
        }
        let statuses = try Peers.python(responses: responses, issuer: admin.pki.path(.rsa, "ca.pem")).map { json in
            #expect(json.signatureValid == true)
            return json.responses.first?.certStatus
        }
        #expect(statuses == ["GOOD", "REVOKED", "GOOD"])
    }

    /// `db show` and `db list` print the stored text, marked as no date, not `00-1-11-30T00:00:00Z`.
    @Test(arguments: StoreBackendUnderTest.available)
    func dbShowsTheStoredText(backend: StoreBackendUnderTest) throws {
        let admin = try AdminCommandTests.Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        try admin.execute("INSERT INTO \(admin.table) (cert_num, cert, status, revocation_time) VALUES ('0x1003', 'x', 'Revoked', '0000-00-00 00:00:00');")
        let show = try admin.db(["show", "0x1003"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdoutText.contains("at '0000-00-00 00:00:00' (not a date)"), "\(show.stdoutText)")
        let row = try admin.row("0x1003")
        #expect(row.revocationTime == nil, "\(row)")
        #expect(row.revocationTimeUnreadable == "0000-00-00 00:00:00", "\(row)")
        let list = try admin.db(["list"])
        #expect(list.status == 0 && list.stdoutText.contains("'0000-00-00 00:00:00' (not a date)"), "\(list.stdoutText)")
    }

    /// A negative serial (RFC 5280 forbids them; some CAs issued them) never takes a positive serial's
    /// row: −2 (`02 01 FE`) is not `0xfe`, −130 (`02 02 FF 7E`) is not `0xff7e`; Python's `hex()`
    /// spelling, `-0x82`, is found.
    @Test(.enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"))
    func negativeSerialsMatchOnlyTheirOwnSpelling() throws {
        let scenario = try Scenario()
        try scenario.insert("0xfe")
        try scenario.insert("0xff7e")
        try scenario.insert("-0x82", status: "Revoked", time: "2026-03-04 05:06:07", reason: "key_compromise")
        let url = scenario.directory.appendingPathComponent("negative.der")
        let made = try run("openssl", ["ocsp", "-issuer", scenario.pki.path(.rsa, "ca.pem"), "-serial", "-0x2", "-serial", "-0x82", "-no_nonce", "-reqout", url.path])
        #expect(made.status == 0, "\(made.stderr)")
        let (result, response, _) = try scenario.respond(url)
        #expect(result.status == 0, "\(result.stderr)")
        let singles = try scenario.verify(response)
        #expect(singles.map { $0.certStatus } == ["UNKNOWN", "REVOKED"], "\(singles)")
        #expect(singles.last?.revocationTime == "2026-03-04T05:06:07Z")
    }
}
