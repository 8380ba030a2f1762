import OCSPCore
import OCSPStore
import OCSPWire
internal import CSQLite

/// The status table in an SQLite file: OCSP_MySql's `list_certs` with the same columns and meaning, for a
/// responder that runs with no database server.
///
/// Its statements run on its session's connection, opened on the first use. A store made with
/// `init(path:table:readOnly:busyTimeoutMilliseconds:)` has a session of its own (what `respond` and
/// `serve` use: one connection per table); stores made by one `SQLiteSession` share its connection and
/// its transactions.
package final class SQLiteStatusStore: StatusStore {
    package let session: SQLiteSession
    package let table: String
    package var path: String { session.path }
    package var readOnly: Bool { session.readOnly }
    package var busyTimeoutMilliseconds: Int32 { session.busyTimeoutMilliseconds }

    /// A store on a connection of its own.
    /// - Parameters:
    ///   - table: the table's name, already checked with `StatusTable.isValidName` (it cannot be a parameter).
    ///   - readOnly, busyTimeoutMilliseconds: as for `SQLiteSession`.
    package convenience init(path: String, table: String, readOnly: Bool, busyTimeoutMilliseconds: Int32) {
        self.init(session: SQLiteSession(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds), table: table)
    }

    /// A store on `session`'s connection, sharing it with the session's other stores.
    /// - Parameter table: the table's name, already checked with `StatusTable.isValidName`.
    package init(session: SQLiteSession, table: String) {
        precondition(StatusTable.isValidName(table), "table name must be checked before use")
        self.session = session
        self.table = table
    }

    /// The table name in SQL. The name holds only letters, digits, `_` and `$`, so quoting cannot be escaped;
    /// the quotes keep it from being read as a keyword.
    private var quotedTable: String { "\"\(table)\"" }

    // MARK: StatusStore

    /// WAL first, so that readers never wait for a writer (nor a writer for readers); it is a property of
    /// the file, kept once set. Then the table, whose CHECKs hold what MariaDB's enums hold.
    package func createTable() throws(StatusSourceError) {
        try session.execute("PRAGMA journal_mode=WAL", "cannot switch the database to WAL")
        // cert_num COLLATE NOCASE: MariaDB's default collation compares case-insensitively, so '0X1A' finds
        // '0x1a' there, and a second spelling differing only in case is a duplicate key; so here too.
        try session.execute("""
            CREATE TABLE IF NOT EXISTS \(quotedTable) (
              cert_num TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
              revocation_time TEXT,
              revocation_reason TEXT CHECK (revocation_reason IS NULL OR revocation_reason IN (\(TableReason.sqlList))),
              cert BLOB NOT NULL,
              status TEXT NOT NULL DEFAULT '\(TableStatus.valid.rawValue)' CHECK (status IN (\(TableStatus.sqlList)))
            )
            """, "cannot create table \(table)")
    }

    /// One indexed query over every spelling of the serial: `cert_num IN (...)` on the primary key.
    package func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        let spellings = serial.storedSpellings
        let statement = try session.checkOut("\(selectRecords(withCertificates: false)) WHERE cert_num IN (\(placeholders(spellings.count)))")
        defer { session.checkIn(statement) }
        try statement.bind(spellings.map(SQLiteStatement.Value.text))
        var rows: [StatusRecord] = []
        while try statement.step("status query failed") {
            rows.append(record(statement, withCertificate: false))
        }
        return try StatusRow.interpret(rows, serial: serial)
    }

    package func records(for serial: CertificateSerialNumber) throws(StatusSourceError) -> [StatusRecord] {
        let spellings = serial.storedSpellings
        let statement = try session.checkOut("\(selectRecords(withCertificates: true)) WHERE cert_num IN (\(placeholders(spellings.count))) ORDER BY cert_num")
        defer { session.checkIn(statement) }
        try statement.bind(spellings.map(SQLiteStatement.Value.text))
        var records: [StatusRecord] = []
        while try statement.step("reading the rows of serial 0x\(serial) failed") {
            records.append(record(statement, withCertificate: true))
        }
        return records
    }

    package func insert(_ record: StatusRecord) throws(StatusSourceError) {
        let statement = try session.checkOut("INSERT INTO \(quotedTable) (cert_num, revocation_time, revocation_reason, cert, status) VALUES (?,?,?,?,?)")
        defer { session.checkIn(statement) }
        try statement.bind([
            .text(record.certNum), .text(record.revocationTime?.tableText), .text(record.revocationReason?.text),
            .blob(record.certificate), .text(record.status.text),
        ])
        do throws(StatusSourceError) {
            try statement.run("cannot insert \(record.certNum)")
        } catch {
            if statement.lastErrorCode == CSQLITE_CONSTRAINT_PRIMARYKEY {
                throw StatusSourceError(.failed, "cert_num \(record.certNum) is already in the table \(table) (SQLite status database \(path))")
            }
            throw error
        }
    }

    /// Only rows whose values differ are written, so the count is of rows that changed, as MariaDB counts
    /// affected rows (SQLite alone would count every row the WHERE matched).
    @discardableResult
    package func update(certNums: [String], status: TableStatus, revocationTime: UnixTime?, revocationReason: TableReason?) throws(StatusSourceError) -> Int {
        guard !certNums.isEmpty else { return 0 }
        let numbered = (4..<(4 + certNums.count)).map { "?\($0)" }.joined(separator: ",")
        let statement = try session.checkOut("""
            UPDATE \(quotedTable) SET status = ?1, revocation_time = ?2, revocation_reason = ?3
            WHERE cert_num IN (\(numbered))
              AND (status IS NOT ?1 OR revocation_time IS NOT ?2 OR revocation_reason IS NOT ?3)
            """)
        defer { session.checkIn(statement) }
        try statement.bind([.text(status.rawValue), .text(revocationTime?.tableText), .text(revocationReason?.rawValue)] + certNums.map(SQLiteStatement.Value.text))
        try statement.run("cannot update \(certNums.joined(separator: ", "))")
        return try session.changes()
    }

    package func recordCount(revokedOnly: Bool) throws(StatusSourceError) -> Int {
        let statement = try session.checkOut("SELECT COUNT(*) FROM \(quotedTable)\(revokedOnly ? " WHERE status = ?" : "")")
        defer { session.checkIn(statement) }
        if revokedOnly { try statement.bind([.text(TableStatus.revoked.rawValue)]) }
        guard try statement.step("counting the rows failed"), let text = statement.text(0), let count = Int(text) else { return 0 }
        return count
    }

    /// Steps through the rows one at a time; only the current row is in memory.
    package func forEachRecord(revokedOnly: Bool, withCertificates: Bool, _ body: (StatusRecord) throws -> Void) throws {
        let filter = revokedOnly ? " WHERE status = ?" : ""
        let statement = try session.checkOut("\(selectRecords(withCertificates: withCertificates))\(filter) ORDER BY cert_num")
        defer { session.checkIn(statement) }
        if revokedOnly { try statement.bind([.text(TableStatus.revoked.rawValue)]) }
        while try statement.step("reading the table failed") {
            try body(record(statement, withCertificate: withCertificates))
        }
    }

    /// A transaction of the session: it covers the session's other stores too.
    package func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try session.inWriteTransaction(body)
    }

    /// Opens the file now (if not yet), so that a missing or unreadable file is reported before any request.
    package func checkConnection() throws(StatusSourceError) {
        try session.checkConnection()
    }

    package func close() {
        session.close()
    }

    // MARK: Statements

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    private func selectRecords(withCertificates: Bool) -> String {
        "SELECT cert_num, status, revocation_time, revocation_reason\(withCertificates ? ", cert" : "") FROM \(quotedTable)"
    }

    /// The current row of a `selectRecords` query.
    /// `revocation_time` is read as written here (`YYYY-MM-DD HH:MM:SS`, UTC) or by other tools
    /// (`…T…Z`); other text is kept as `unreadableRevocationTime`, as MariaDB's zero dates are.
    private func record(_ statement: SQLiteStatement, withCertificate: Bool) -> StatusRecord {
        let timeText = statement.text(2)
        let time = timeText.flatMap { UnixTime(parsing: $0) }
        return StatusRecord(
            certNum: statement.text(0) ?? "", status: StoredStatus(tableText: statement.text(1) ?? ""), revocationTime: time,
            revocationReason: statement.text(3).map(StoredReason.init(tableText:)), certificate: withCertificate ? statement.blob(4) : [],
            unreadableRevocationTime: time == nil ? timeText : nil
        )
    }
}
