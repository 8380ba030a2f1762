import OCSPCore
import OCSPStore

/// One open connection to an SQLite file and what lives on it: the prepared statements and whether a
/// write transaction is open. Every `SQLiteStatusStore` made from it runs its statements here, so stores
/// of several tables in the file share one transaction (see `StatusStoreSession`); two connections of
/// one process would each wait for the other's write lock instead.
///
/// Opens the file on the first statement, so requests refused before any look-up never touch it. The
/// `SQLiteConnection` it holds owns the C handle; the session only decides when to open one and when to
/// drop it. Used by one thread; other processes (`respond` runs, an admin command) open their own, and
/// the file's locks and the busy timeout let them work at once.
package final class SQLiteSession: StatusStoreSession {
    package let path: String
    package let readOnly: Bool
    package let busyTimeoutMilliseconds: Int32
    private var connection: SQLiteConnection?
    /// Prepared statements by SQL text (which names the table). A statement in use is taken out, so a
    /// nested call with the same SQL (a `forEachRecord` body asking for a status) prepares its own instead
    /// of resetting this one.
    private var statements: [String: SQLiteStatement] = [:]
    private let transaction: WriteTransaction

    /// - Parameters:
    ///   - readOnly: open with SQLITE_OPEN_READONLY, as `respond` does; else read-write, creating the file.
    ///   - busyTimeoutMilliseconds: how long to wait for another connection's lock before giving up
    ///     (then the error is `.unavailable`, and `respond` answers `tryLater`).
    package init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.readOnly = readOnly
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        transaction = WriteTransaction(on: "the SQLite status database \(path)")
    }

    /// A store of `table` on this connection.
    package func store(table: String) -> any StatusStore {
        SQLiteStatusStore(session: self, table: table)
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE, so the write lock is taken before `body`
    /// reads): its changes, in every table of the session, are seen together or not at all, and other
    /// writers wait for it (up to their busy timeout). Readers keep reading what was committed before,
    /// since the file is in WAL mode. An error from `body` rolls everything back.
    package func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction.run(
            begin: { () throws(StatusSourceError) in try execute("BEGIN IMMEDIATE", "cannot begin a write transaction") },
            commit: { () throws(StatusSourceError) in try execute("COMMIT", "cannot commit") },
            rollBack: { try? execute("ROLLBACK", "cannot roll back") },
            body
        )
    }

    /// Opens the file now (if not yet), so that a missing or unreadable file is reported before any request.
    package func checkConnection() throws(StatusSourceError) {
        _ = try open()
    }

    /// Closes the file (for every store of the session); the next call opens it again.
    package func close() {
        statements = [:]
        connection = nil
    }

    // MARK: Statements, for the stores

    /// The cached statement for `sql`, or a new one; hand it back with `checkIn`.
    func checkOut(_ sql: String) throws(StatusSourceError) -> SQLiteStatement {
        if let cached = statements.removeValue(forKey: sql) { return cached }
        return try open().prepare(sql)
    }

    /// Resets `statement` and keeps it for the next use of its SQL. The reset also ends the statement's
    /// read transaction: a connection kept open (serve) reads the latest commit on its next query rather
    /// than the snapshot of its last one.
    func checkIn(_ statement: SQLiteStatement) {
        statement.reset()
        statements[statement.sql] = statement
    }

    /// Runs a statement that returns no rows.
    func execute(_ sql: String, _ context: String) throws(StatusSourceError) {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        try statement.run(context)
    }

    /// Rows the last INSERT, UPDATE or DELETE on this connection changed.
    func changes() throws(StatusSourceError) -> Int {
        try open().changes
    }

    private func open() throws(StatusSourceError) -> SQLiteConnection {
        if let connection { return connection }
        let made = try SQLiteConnection(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        connection = made
        return made
    }
}
