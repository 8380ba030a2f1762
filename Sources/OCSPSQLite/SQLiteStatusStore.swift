internal import CSQLite
import OCSPCore

/// The status table in an SQLite file: OCSP_MySql's `list_certs` with the same columns and meaning, for a
/// responder that runs with no database server.
///
/// Opens the file on first use, so requests refused before any look-up never touch it. One connection per
/// store, used by one thread; other processes (`respond` runs, an admin command) open their own, and the
/// file's locks and the busy timeout let them work at once.
public final class SQLiteStatusStore: StatusStore {
    public let path: String
    public let table: String
    public let readOnly: Bool
    public let busyTimeoutMilliseconds: Int32
    private var connection: SQLiteConnection?
    /// Prepared statements by SQL text. A statement in use is taken out, so a nested call with the same
    /// SQL (a `forEachRecord` body asking for a status) prepares its own instead of resetting this one.
    private var statements: [String: SQLiteStatement] = [:]

    /// - Parameters:
    ///   - table: the table's name, already checked with `StatusTable.isValidName` (it cannot be a parameter).
    ///   - readOnly: open with SQLITE_OPEN_READONLY, as `respond` does; else read-write, creating the file.
    ///   - busyTimeoutMilliseconds: how long to wait for another connection's lock before giving up
    ///     (then the error is `.unavailable`, and `respond` answers `tryLater`).
    public init(path: String, table: String, readOnly: Bool, busyTimeoutMilliseconds: Int32) {
        precondition(StatusTable.isValidName(table), "table name must be checked before use")
        self.path = path
        self.table = table
        self.readOnly = readOnly
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    /// The table name in SQL. The name holds only letters, digits, `_` and `$`, so quoting cannot be escaped;
    /// the quotes keep it from being read as a keyword.
    private var quotedTable: String { "\"\(table)\"" }

    // MARK: StatusStore

    /// WAL first, so that readers never wait for a writer (nor a writer for readers); it is a property of
    /// the file, kept once set. Then the table, whose CHECKs hold what MariaDB's enums hold.
    public func createTable() throws(StatusSourceError) {
        try execute("PRAGMA journal_mode=WAL", "cannot switch the database to WAL")
        let reasons = CRLReason.tableNames.map { "'\($0.name)'" }.joined(separator: ",")
        // cert_num COLLATE NOCASE: MariaDB's default collation compares case-insensitively, so '0X1A' finds
        // '0x1a' there, and a second spelling differing only in case is a duplicate key; so here too.
        try execute("""
            CREATE TABLE IF NOT EXISTS \(quotedTable) (
              cert_num TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
              revocation_time TEXT,
              revocation_reason TEXT CHECK (revocation_reason IS NULL OR revocation_reason IN (\(reasons))),
              cert BLOB NOT NULL,
              status TEXT NOT NULL DEFAULT 'Valid' CHECK (status IN ('Valid','Revoked'))
            )
            """, "cannot create table \(table)")
    }

    /// One indexed query over every spelling of the serial: `cert_num IN (...)` on the primary key.
    public func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        let spellings = serial.storedSpellings
        let statement = try checkOut("SELECT status, revocation_time, revocation_reason FROM \(quotedTable) WHERE cert_num IN (\(placeholders(spellings.count)))")
        defer { checkIn(statement) }
        try statement.bind(spellings.map(SQLiteStatement.Value.text))
        var rows: [(status: String?, revocationTime: UnixTime?, revocationReason: String?)] = []
        while try statement.step("status query failed") {
            let time = try revocationTime(statement, column: 1, certNum: serial.canonicalSpelling)
            rows.append((statement.text(0), time, statement.text(2)))
        }
        return try StatusRow.interpret(rows, serial: serial)
    }

    public func records(for serial: CertificateSerialNumber) throws(StatusSourceError) -> [StatusRecord] {
        let spellings = serial.storedSpellings
        let statement = try checkOut("\(selectRecords(withCertificates: true)) WHERE cert_num IN (\(placeholders(spellings.count))) ORDER BY cert_num")
        defer { checkIn(statement) }
        try statement.bind(spellings.map(SQLiteStatement.Value.text))
        var records: [StatusRecord] = []
        while try statement.step("reading the rows of serial 0x\(serial) failed") {
            records.append(try record(statement, withCertificate: true))
        }
        return records
    }

    public func insert(_ record: StatusRecord) throws(StatusSourceError) {
        let statement = try checkOut("INSERT INTO \(quotedTable) (cert_num, revocation_time, revocation_reason, cert, status) VALUES (?,?,?,?,?)")
        defer { checkIn(statement) }
        try statement.bind([
            .text(record.certNum), .text(record.revocationTime?.tableText), .text(record.revocationReason),
            .blob(record.certificate), .text(record.status),
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
    public func update(certNums: [String], status: String, revocationTime: UnixTime?, revocationReason: String?) throws(StatusSourceError) -> Int {
        guard !certNums.isEmpty else { return 0 }
        let numbered = (4..<(4 + certNums.count)).map { "?\($0)" }.joined(separator: ",")
        let statement = try checkOut("""
            UPDATE \(quotedTable) SET status = ?1, revocation_time = ?2, revocation_reason = ?3
            WHERE cert_num IN (\(numbered))
              AND (status IS NOT ?1 OR revocation_time IS NOT ?2 OR revocation_reason IS NOT ?3)
            """)
        defer { checkIn(statement) }
        try statement.bind([.text(status), .text(revocationTime?.tableText), .text(revocationReason)] + certNums.map(SQLiteStatement.Value.text))
        try statement.run("cannot update \(certNums.joined(separator: ", "))")
        return try open().changes
    }

    public func recordCount(revokedOnly: Bool) throws(StatusSourceError) -> Int {
        let statement = try checkOut("SELECT COUNT(*) FROM \(quotedTable)\(revokedOnly ? " WHERE status = 'Revoked'" : "")")
        defer { checkIn(statement) }
        guard try statement.step("counting the rows failed"), let text = statement.text(0), let count = Int(text) else { return 0 }
        return count
    }

    /// Steps through the rows one at a time; only the current row is in memory.
    public func forEachRecord(revokedOnly: Bool, withCertificates: Bool, _ body: (StatusRecord) throws -> Void) throws {
        let filter = revokedOnly ? " WHERE status = 'Revoked'" : ""
        let statement = try checkOut("\(selectRecords(withCertificates: withCertificates))\(filter) ORDER BY cert_num")
        defer { checkIn(statement) }
        while try statement.step("reading the table failed") {
            try body(try record(statement, withCertificate: withCertificates))
        }
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE, so the write lock is taken before `body`
    /// reads): its changes are seen together or not at all, and other writers wait for it (up to their
    /// busy timeout). Readers keep reading what was
    /// committed before, since the file is in WAL mode. An error from `body` rolls everything back.
    public func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN IMMEDIATE", "cannot begin a write transaction")
        let result: Result
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK", "cannot roll back")
            throw error
        }
        do throws(StatusSourceError) {
            try execute("COMMIT", "cannot commit")
        } catch {
            try? execute("ROLLBACK", "cannot roll back")
            throw error
        }
        return result
    }

    // MARK: Beyond the protocol

    /// Opens the file now (if not yet), so that a missing or unreadable file is reported before any request.
    public func checkConnection() throws(StatusSourceError) {
        _ = try open()
    }

    /// Closes the file; the next call opens it again.
    public func close() {
        statements = [:]
        connection = nil
    }

    // MARK: Statements

    private func open() throws(StatusSourceError) -> SQLiteConnection {
        if let connection { return connection }
        let made = try SQLiteConnection(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        connection = made
        return made
    }

    /// The cached statement for `sql`, or a new one; hand it back with `checkIn`.
    private func checkOut(_ sql: String) throws(StatusSourceError) -> SQLiteStatement {
        if let cached = statements.removeValue(forKey: sql) { return cached }
        return try open().prepare(sql)
    }

    private func checkIn(_ statement: SQLiteStatement) {
        statement.reset()
        statements[statement.sql] = statement
    }

    private func execute(_ sql: String, _ context: String) throws(StatusSourceError) {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        try statement.run(context)
    }

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    private func selectRecords(withCertificates: Bool) -> String {
        "SELECT cert_num, status, revocation_time, revocation_reason\(withCertificates ? ", cert" : "") FROM \(quotedTable)"
    }

    /// The current row of a `selectRecords` query.
    private func record(_ statement: SQLiteStatement, withCertificate: Bool) throws(StatusSourceError) -> StatusRecord {
        let certNum = statement.text(0) ?? ""
        return StatusRecord(
            certNum: certNum, status: statement.text(1) ?? "",
            revocationTime: try revocationTime(statement, column: 2, certNum: certNum),
            revocationReason: statement.text(3), certificate: withCertificate ? statement.blob(4) : []
        )
    }

    /// `revocation_time` as written here (`YYYY-MM-DD HH:MM:SS`, UTC) or by other tools (`…T…Z`).
    private func revocationTime(_ statement: SQLiteStatement, column: Int32, certNum: String) throws(StatusSourceError) -> UnixTime? {
        guard let text = statement.text(column) else { return nil }
        guard let time = UnixTime(parsing: text) else {
            throw StatusSourceError(.failed, "row \(certNum) of table \(table) has a revocation_time '\(text)' that is not 'YYYY-MM-DD HH:MM:SS' (SQLite status database \(path))")
        }
        return time
    }
}
