import OCSPCore
import OCSPStore

/// One connection to a MariaDB database and what lives on it: the prepared statements and whether a
/// write transaction is open. Every `MariaDBStatusStore` made from it runs its statements here, so
/// stores of several tables share one transaction (see `StatusStoreSession`).
///
/// Connects on the first statement, so requests that are refused before any look-up never touch the
/// database. The `MariaDBConnection` it holds owns the C handle; the session only decides when to make
/// one and when to drop it.
package final class MariaDBSession: StatusStoreSession {
    package let options: MariaDBOptions
    private var connection: MariaDBConnection?
    /// Prepared statements by SQL text. The text names the table, so stores of different tables never
    /// share one.
    private var statements: [String: MariaDBStatement] = [:]
    /// Open between START TRANSACTION and COMMIT or ROLLBACK: the stores' `records(for:)` then lock what
    /// they read.
    let transaction: WriteTransaction

    package init(options: MariaDBOptions) {
        self.options = options
        transaction = WriteTransaction(on: "the connection to MariaDB at \(options.endpoint)")
    }

    package func store(table: String) -> any StatusStore {
        MariaDBStatusStore(session: self, table: table)
    }

    /// START TRANSACTION on this connection, COMMIT, or ROLLBACK on an error (InnoDB tables).
    package func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction.run(
            begin: { () throws(StatusSourceError) in _ = try statement("START TRANSACTION").execute([]) },
            commit: { () throws(StatusSourceError) in _ = try statement("COMMIT").execute([]) },
            rollBack: { _ = try? statement("ROLLBACK").execute([]) },
            body
        )
    }

    /// Connects now (if not yet) and checks the server answers.
    package func checkConnection() throws(StatusSourceError) {
        let connection = try connect()
        guard connection.ping() else { throw StatusSourceError(.unavailable, "MariaDB at \(options.endpoint) does not answer") }
    }

    /// Closes the connection (for every store of the session); the next use opens a new one.
    package func close() {
        statements = [:]
        connection = nil
    }

    /// Runs `read`, a statement that changes nothing, and runs it once more on a new connection when it
    /// failed because the server had dropped the kept one: MariaDB closes a connection idle past
    /// `wait_timeout` (8 h by default), so after a quiet night `serve`'s first look-up on each worker
    /// found it gone and answered `tryLater`. Not in a write transaction, which died with the connection
    /// (running its read again on a new one would lose what it locked or wrote), and only when the loss
    /// was noticed within `connect_timeout` of the start: a server that dropped the connection is noticed
    /// at once, while one that stalled until the read timeout gave up must not be waited for twice.
    func retryingLostConnection<Result>(_ read: () throws(StatusSourceError) -> Result) throws(StatusSourceError) -> Result {
        let started = ContinuousClock.now
        do {
            return try read()
        } catch {
            guard !transaction.isOpen, connection?.isLost == true,
                  ContinuousClock.now - started < .seconds(Int(options.connectTimeout)) else { throw error }
            close()
            return try read()
        }
    }

    /// The prepared statement for `sql` on this connection, prepared on its first use.
    func statement(_ sql: String) throws(StatusSourceError) -> MariaDBStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try connect().prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    private func connect() throws(StatusSourceError) -> MariaDBConnection {
        if let connection { return connection }
        let made = try MariaDBConnection(options)
        connection = made
        return made
    }
}
