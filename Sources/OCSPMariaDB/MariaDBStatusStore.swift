import OCSPCore

/// The status table in MariaDB: OCSP_MySql's `list_certs`, or another table of the same shape.
///
/// Connects on the first look-up, so requests that are refused before any look-up (malformed, another
/// CA's) never touch the database. One connection per store; a one-shot run opens one and closes it.
public final class MariaDBStatusStore: CertificateStatusSource {
    public let options: MariaDBOptions
    public let table: String
    private var connection: MariaDBConnection?
    private var statements: [Int: MariaDBStatement] = [:]

    /// - Parameter table: the table's name, already checked to be a plain identifier (it cannot be a parameter).
    public init(options: MariaDBOptions, table: String) {
        precondition(Self.isValidTableName(table), "table name must be checked before use")
        self.options = options
        self.table = table
    }

    /// Letters, digits, `_` and `$`, at most 64 characters: what MariaDB allows unquoted (the check
    /// SQLite's store shares, in OCSPCore).
    public static func isValidTableName(_ name: String) -> Bool {
        StatusTable.isValidName(name)
    }

    /// One indexed query over every spelling of the serial: `cert_num IN (...)` on the primary key.
    public func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        let spellings = serial.storedSpellings
        let statement = try statement(parameterCount: spellings.count)
        let rows = try statement.queryStatusRows(spellings)
        return try StatusRow.interpret(rows.map { ($0.status, $0.revocationTime, $0.revocationReason) }, serial: serial)
    }

    /// Connects now (if not yet) and checks the server answers.
    public func checkConnection() throws(StatusSourceError) {
        let connection = try connect()
        guard connection.ping() else { throw StatusSourceError(.unavailable, "MariaDB at \(options.endpoint) does not answer") }
    }

    /// Closes the connection; the next look-up opens a new one.
    public func close() {
        statements = [:]
        connection = nil
    }

    private func connect() throws(StatusSourceError) -> MariaDBConnection {
        if let connection { return connection }
        let made = try MariaDBConnection(options)
        connection = made
        return made
    }

    private func statement(parameterCount: Int) throws(StatusSourceError) -> MariaDBStatement {
        if let cached = statements[parameterCount] { return cached }
        let placeholders = Array(repeating: "?", count: parameterCount).joined(separator: ",")
        let sql = "SELECT status, revocation_time, revocation_reason FROM `\(table)` WHERE cert_num IN (\(placeholders))"
        let prepared = try connect().prepare(sql)
        statements[parameterCount] = prepared
        return prepared
    }
}
