import OCSPCore
import OCSPStore
import OCSPWire

/// The status table in MariaDB: OCSP_MySql's `list_certs`, or another table of the same shape.
///
/// Its statements run on its session's connection, made on the first use. A store made with
/// `init(options:table:)` has a session of its own (what `respond` and `serve` use: one connection per
/// table); stores made by one `MariaDBSession` share its connection and its transactions.
package final class MariaDBStatusStore: StatusStore {
    package let session: MariaDBSession
    package let table: String
    package var options: MariaDBOptions { session.options }

    /// A store on a connection of its own.
    /// - Parameter table: the table's name, already checked to be a plain identifier (it cannot be a parameter).
    package convenience init(options: MariaDBOptions, table: String) {
        self.init(session: MariaDBSession(options: options), table: table)
    }

    /// A store on `session`'s connection, sharing it with the session's other stores.
    /// - Parameter table: the table's name, already checked to be a plain identifier (it cannot be a parameter).
    package init(session: MariaDBSession, table: String) {
        precondition(Self.isValidTableName(table), "table name must be checked before use")
        self.session = session
        self.table = table
    }

    /// Letters, digits, `_` and `$`, at most 64 characters: what MariaDB allows unquoted (the check
    /// SQLite's store shares, in OCSPCore).
    package static func isValidTableName(_ name: String) -> Bool {
        StatusTable.isValidName(name)
    }

    /// The table as OCSP_MySql meant it (`etc/schema.sql` holds the same statement for the mysql client).
    package static func createTableSQL(_ table: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS `\(table)` (
          cert_num varchar(50) NOT NULL,
          revocation_time datetime DEFAULT NULL,
          revocation_reason enum(\(TableReason.sqlList)) DEFAULT NULL,
          cert blob NOT NULL,
          status enum(\(TableStatus.sqlList)) NOT NULL DEFAULT '\(TableStatus.valid.rawValue)',
          PRIMARY KEY (cert_num)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """
    }

    private static let recordColumns = "cert_num, status, revocation_time, revocation_reason"

    /// One indexed query over every spelling of the serial: `cert_num IN (...)` on the primary key; once more
    /// on a new connection when the server had dropped the kept one, or on the next host when this one
    /// could not serve (`MariaDBSession.reading`).
    package func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        let spellings = serial.storedSpellings
        let rows = try session.reading { () throws(StatusSourceError) in
            try session.statement(
                "SELECT \(Self.recordColumns) FROM `\(table)` WHERE cert_num IN (\(placeholders(spellings.count)))"
            ).rows(spellings.map(SQLValue.text), columns: [.text, .text, .time, .text])
        }
        return try StatusRow.interpret(rows.map(Self.record), serial: serial)
    }

    package func createTable() throws(StatusSourceError) {
        try session.requireWritable()
        _ = try session.statement(Self.createTableSQL(table)).execute([])
    }

    package func records(for serial: CertificateSerialNumber) throws(StatusSourceError) -> [StatusRecord] {
        let spellings = serial.storedSpellings
        // In a transaction, FOR UPDATE: InnoDB's plain read is a snapshot that another connection may change
        // before this one writes; the lock (on the rows, or on the gap where they would be) makes it wait.
        return try session.statement(
            "SELECT \(Self.recordColumns), cert FROM `\(table)` WHERE cert_num IN (\(placeholders(spellings.count))) ORDER BY cert_num\(session.transaction.isOpen ? " FOR UPDATE" : "")"
        ).rows(spellings.map(SQLValue.text), columns: [.text, .text, .time, .text, .blob]).map(Self.record)
    }

    package func insert(_ record: StatusRecord) throws(StatusSourceError) {
        try session.requireWritable()
        do {
            _ = try session.statement(
                "INSERT INTO `\(table)` (cert_num, status, revocation_time, revocation_reason, cert) VALUES (?, ?, ?, ?, ?)"
            ).execute([
                .text(record.certNum), .text(record.status.text), record.revocationTime.map(SQLValue.time) ?? .null,
                record.revocationReason.map { SQLValue.text($0.text) } ?? .null, .blob(record.certificate),
            ])
        } catch where error.message.contains("(error 1062)") {
            throw StatusSourceError(.failed, "\(record.certNum) is already in the table")
        }
    }

    @discardableResult
    package func update(certNums: [String], status: TableStatus, revocationTime: UnixTime?, revocationReason: TableReason?) throws(StatusSourceError) -> Int {
        guard !certNums.isEmpty else { return 0 }
        try session.requireWritable()
        return try session.statement(
            "UPDATE `\(table)` SET status = ?, revocation_time = ?, revocation_reason = ? WHERE cert_num IN (\(placeholders(certNums.count)))"
        ).execute(
            [.text(status.rawValue), revocationTime.map(SQLValue.time) ?? .null, revocationReason.map { SQLValue.text($0.rawValue) } ?? .null]
                + certNums.map(SQLValue.text)
        )
    }

    /// A transaction of the session: it covers the session's other stores too.
    package func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try session.inWriteTransaction(body)
    }

    package func recordCount(revokedOnly: Bool) throws(StatusSourceError) -> Int {
        let rows = try session.statement("SELECT CAST(COUNT(*) AS CHAR) FROM `\(table)`\(revokedOnly ? " WHERE status = ?" : "")")
            .rows(revokedOnly ? [.text(TableStatus.revoked.rawValue)] : [], columns: [.text])
        return rows.first?.first?.text.flatMap { Int($0) } ?? 0
    }

    package func forEachRecord(revokedOnly: Bool, withCertificates: Bool, _ body: (StatusRecord) throws -> Void) throws {
        let columns = withCertificates ? "\(Self.recordColumns), cert" : "\(Self.recordColumns), ''"
        let filter = revokedOnly ? " WHERE status = ?" : ""
        // A connection of its own: rows are fetched unbuffered (the table never sits in memory), and while
        // they are, that connection can do nothing else; the body may still use this store's connection.
        let walk = try session.separateConnection().prepare("SELECT \(columns) FROM `\(table)`\(filter) ORDER BY cert_num")
        try walk.query(revokedOnly ? [.text(TableStatus.revoked.rawValue)] : [], columns: [.text, .text, .time, .text, .blob]) { row in try body(Self.record(row)) }
    }

    package func checkConnection() throws(StatusSourceError) {
        try session.checkConnection()
    }

    package func close() {
        session.close()
    }

    /// A row of `recordColumns`, with or without `cert` after them.
    private static func record(_ row: [SQLValue]) -> StatusRecord {
        StatusRecord(certNum: row[0].text ?? "", status: StoredStatus(tableText: row[1].text ?? ""), revocationTime: row[2].time,
                     revocationReason: row[3].text.map(StoredReason.init(tableText:)), certificate: row.count > 4 ? row[4].blob : [],
                     unreadableRevocationTime: row[2].unreadableTime)
    }

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}
