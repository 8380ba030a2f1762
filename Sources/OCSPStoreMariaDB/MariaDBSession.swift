import OCSPCore
import OCSPStore

/// One connection to a MariaDB database and what lives on it: the prepared statements and whether a
/// write transaction is open. Every `MariaDBStatusStore` made from it runs its statements here, so
/// stores of several tables share one transaction (see `StatusStoreSession`).
///
/// Connects on the first statement, so requests that are refused before any look-up never touch the
/// database. The `MariaDBConnection` it holds owns the C handle; the session only decides when to make
/// one, to which host of the list, and when to drop it. The hosts are tried in order, skipping those
/// the process's `MariaDBHostBoard` holds unusable; a kept connection is left when the board says its
/// host failed (another session saw it) or an earlier host may be used again.
package final class MariaDBSession: StatusStoreSession {
    package let options: MariaDBOptions
    /// `readWrite`: the admin commands, which must write to a server that takes writes.
    package let access: StoreAccess
    private let board: MariaDBHostBoard
    private var connection: MariaDBConnection?
    /// The index in `places` of the connection's host.
    private var connectedIndex = 0
    /// The board's generation when the connection's host was last checked against it.
    private var checkedGeneration: UInt64 = 0
    /// When the replica's lag was last read (`max_lag`).
    private var lagCheckedAt: ContinuousClock.Instant?
    /// The connection's server was checked to take writes.
    private var writableChecked = false
    /// Prepared statements by SQL text. The text names the table, so stores of different tables never
    /// share one.
    private var statements: [String: MariaDBStatement] = [:]
    /// Open between START TRANSACTION and COMMIT or ROLLBACK: the stores' `records(for:)` then lock what
    /// they read.
    let transaction: WriteTransaction
    private let places: [MariaDBHost]
    private let endpoints: [String]

    /// How often a kept connection to a replica reads its lag again (`max_lag`).
    static let lagCheckInterval: Duration = .seconds(1)

    package init(options: MariaDBOptions, access: StoreAccess = .readOnly, board: MariaDBHostBoard = .shared) {
        self.options = options
        self.access = access
        self.board = board
        places = options.places
        endpoints = places.map(\.endpoint)
        transaction = WriteTransaction(on: "the connection to MariaDB at \(options.endpoint)")
    }

    package func store(table: String) -> any StatusStore {
        MariaDBStatusStore(session: self, table: table)
    }

    /// The host the session is connected to, if it is.
    package var connectedHost: String? {
        connection?.place.endpoint
    }

    /// START TRANSACTION on this connection, COMMIT, or ROLLBACK on an error (InnoDB tables).
    package func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try transaction.run(
            begin: { () throws(StatusSourceError) in
                try requireWritable()
                _ = try statement("START TRANSACTION").execute([])
            },
            commit: { () throws(StatusSourceError) in _ = try statement("COMMIT").execute([]) },
            rollBack: { _ = try? statement("ROLLBACK").execute([]) },
            body
        )
    }

    /// Connects now (if not yet) and checks the server answers.
    package func checkConnection() throws(StatusSourceError) {
        try reading { () throws(StatusSourceError) in
            let connection = try connect()
            guard connection.ping() else {
                throw StatusSourceError(.unavailable, "MariaDB at \(connection.place.endpoint) does not answer")
            }
        }
    }

    /// The TLS cipher of the session's connection (connecting now if not yet), or nil for plain text:
    /// what the server says (`Ssl_cipher`), so a test or an operator sees TLS is really in use.
    package func tlsCipher() throws(StatusSourceError) -> String? {
        let value = try statement("SHOW SESSION STATUS LIKE 'Ssl_cipher'").firstRowByName()?["Value"]
        return value?.isEmpty == false ? value : nil
    }

    /// Closes the connection (for every store of the session); the next use opens a new one.
    package func close() {
        statements = [:]
        connection = nil
        writableChecked = false
        lagCheckedAt = nil
    }

    /// Runs `read`, statements that change nothing, on a host that can serve, and runs it once more when
    /// the connection failed under it:
    /// - on a new connection to the same host when the server had dropped the kept one: MariaDB closes a
    ///   connection idle past `wait_timeout` (8 h by default), so after a quiet night `serve`'s first
    ///   look-up on each worker found it gone. Only when the loss was noticed within `connect_timeout` of
    ///   the start: a server that dropped the connection is noticed at once;
    /// - on the next host when this one could not serve (it timed out, it is a Galera node that lost
    ///   quorum, it shut down): that host is unusable for `failback` (`MariaDBHostBoard`), and is not
    ///   tried again in this call, so a hung host is never waited for twice.
    /// Never in a write transaction, which died with the connection (running its read again on a new one
    /// would lose what it locked or wrote).
    func reading<Result>(_ read: () throws(StatusSourceError) -> Result) throws(StatusSourceError) -> Result {
        let started = ContinuousClock.now
        do {
            try leaveHostIfBoardSaysSo()
            return try read()
        } catch {
            guard !transaction.isOpen, error.kind == .unavailable, let failed = connection else { throw error }
            let lostAtOnce = failed.isLost && ContinuousClock.now - started < .seconds(Int(options.connectTimeout))
            close()
            if lostAtOnce { return try read() }
            board.failed(failed.place.endpoint, reason: error.message, failback: .seconds(Int(options.failbackSeconds)))
            guard places.count > 1 else { throw error }
            avoiding = failed.place.endpoint
            defer { avoiding = nil }
            return try read()
        }
    }

    /// A host the next `connect` must not try (the one that just failed under a read).
    private var avoiding: String?

    /// The prepared statement for `sql` on this connection, prepared on its first use.
    func statement(_ sql: String) throws(StatusSourceError) -> MariaDBStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try connect().prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// A second connection to the session's host (chosen now if not yet), for a walk of the table
    /// that holds its connection busy while the session's own goes on.
    func separateConnection() throws(StatusSourceError) -> MariaDBConnection {
        let place = try connect().place
        return try MariaDBConnection(options, to: place)
    }

    /// Before a write: the server must take writes. A replica (`read_only` on) is left for the next
    /// host of the list; when none takes writes, an `.unavailable` error names them.
    func requireWritable() throws(StatusSourceError) {
        guard !writableChecked else { return }
        if let connection, try !connection.isReadOnly() {
            writableChecked = true
            return
        }
        close()
        _ = try connect(writing: true)
    }

    /// Leaves the kept connection when the board says its host failed (another session saw it time out)
    /// or an earlier host of the list may be used again, and when a replica's lag is due to be read.
    private func leaveHostIfBoardSaysSo() throws(StatusSourceError) {
        guard let connection, !transaction.isOpen else { return }
        let generation = board.generation
        if generation != checkedGeneration {
            checkedGeneration = generation
            if board.isUnusable(connection.place.endpoint) {
                close()
                return
            }
        }
        if connectedIndex > 0, board.prefersEarlierHost(than: connectedIndex, of: endpoints) {
            close()
            return
        }
        if let lagCheckedAt, ContinuousClock.now - lagCheckedAt >= Self.lagCheckInterval {
            do {
                try checkLag(connection)
            } catch {
                close()
                guard error.kind == .unavailable else { throw error }
                board.failed(connection.place.endpoint, reason: error.message, failback: .seconds(Int(options.failbackSeconds)))
            }
        }
    }

    /// The kept connection, or a new one to the first host of the list that can serve.
    private func connect(writing: Bool = false) throws(StatusSourceError) -> MariaDBConnection {
        if let connection { return connection }
        var failures: [String] = []
        var tried = false
        for lastResort in [false, true] where !(lastResort && tried) {
            for (index, place) in places.enumerated() where place.endpoint != avoiding {
                let admission = board.admission(place.endpoint, lastResort: lastResort)
                guard admission != .skip else { continue }
                tried = true
                do {
                    let made = try MariaDBConnection(options, to: place)
                    try Self.requireReady(made)
                    try checkLag(made)
                    if writing {
                        if try made.isReadOnly() {
                            // Unusable for writing only: readers may still use it, so the board is not told.
                            board.succeeded(place.endpoint)
                            failures.append("MariaDB at \(place.endpoint) is read-only (read_only is on): db commands write to the primary; name it in [db_admin] host")
                            continue
                        }
                        writableChecked = true
                    }
                    board.succeeded(place.endpoint)
                    board.connected(place.endpoint)
                    connection = made
                    connectedIndex = index
                    checkedGeneration = board.generation
                    return made
                } catch where error.kind == .unavailable {
                    board.failed(place.endpoint, reason: error.message, failback: .seconds(Int(options.failbackSeconds)))
                    failures.append(error.message)
                } catch {
                    board.released(place.endpoint)
                    throw error
                }
            }
        }
        if failures.isEmpty {
            let reasons = board.reasons(endpoints.filter { $0 != avoiding })
            throw StatusSourceError(.unavailable, "no MariaDB host can serve now\(reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))")
        }
        throw StatusSourceError(.unavailable, failures.joined(separator: "; "))
    }

    /// A Galera node that cannot serve now is unusable like an unreachable host.
    private static func requireReady(_ connection: MariaDBConnection) throws(StatusSourceError) {
        if let unready = try connection.galeraUnreadiness() {
            throw StatusSourceError(.unavailable, "MariaDB at \(connection.place.endpoint) \(unready)")
        }
    }

    /// With `max_lag`: a replica past it, or whose replication stopped, cannot serve now.
    private func checkLag(_ connection: MariaDBConnection) throws(StatusSourceError) {
        guard let maxLag = options.maxLagSeconds else { return }
        let endpoint = connection.place.endpoint
        switch try connection.replication() {
        case .notReplica:
            // A primary stays one: no need to ask again on this connection.
            lagCheckedAt = nil
            return
        case .behind(let seconds) where seconds <= Int(maxLag):
            lagCheckedAt = .now
        case .behind(let seconds):
            throw StatusSourceError(.unavailable, "MariaDB at \(endpoint) is a replica \(seconds) s behind its primary, more than max_lag (\(maxLag) s)")
        case .stopped(let why):
            throw StatusSourceError(.unavailable, "MariaDB at \(endpoint) is a replica whose data may be stale: \(why)")
        }
    }
}
