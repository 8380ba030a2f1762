import OCSPCore
internal import CMariaDB
internal import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One connection to MariaDB, owning Connector/C's `MYSQL` handle.
final class MariaDBConnection {
    private let handle: UnsafeMutablePointer<MYSQL>

    /// `mysql_library_init` is a macro; `mysql_server_init` is what it calls. Once, before any connection.
    private static let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

    /// False in a statically linked process (`scripts/build-static.sh`): no program interpreter was
    /// loaded (the kernel's AT_BASE is 0), so a shared library dlopened here would bring a second libc.
    /// (Started through ld.so by hand, a dynamic build counts as static too: it then only loses the
    /// authentication plugins.)
    static let canLoadPlugins = clinux_has_program_interpreter() != 0

    /// The authentication plugins linked into Connector/C, `MARIADB_OPT_RESTRICTED_AUTH`'s list in a
    /// static process. A C string for the process's life: Connector/C copies it, but the call is per connection.
    private nonisolated(unsafe) static let builtInAuthentication: UnsafeMutablePointer<CChar>? = strdup("mysql_native_password")

    /// Where this connection goes, for messages and the host board.
    let place: MariaDBHost

    /// Connects to `place` (the options' socket, or one of their hosts; the first host by default).
    init(_ options: MariaDBOptions, to place: MariaDBHost? = nil) throws(StatusSourceError) {
        let place = place ?? options.places[0]
        self.place = place
        guard Self.libraryReady, let handle = mysql_init(nil) else {
            throw StatusSourceError(.failed, "cannot initialise the MariaDB client library")
        }
        self.handle = handle
        var connectTimeout = options.connectTimeout
        var ioTimeout = options.ioTimeout
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        // Bound every read and write too: a server that accepts and never answers must not hang us.
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        var protocolType = place.socket == nil ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &protocolType)
        if !Self.canLoadPlugins {
            // Only the authentication built into Connector/C: any other plugin would be dlopened, with
            // the system's libc and libcrypto beside the ones linked in. The server's request for
            // another one then fails at once with "not in restricted_auth plugin list".
            mysql_options(handle, MARIADB_OPT_RESTRICTED_AUTH, Self.builtInAuthentication)
        }
        if let tls = options.tls {
            // Enforced: a server that cannot do TLS, or whose certificate does not verify, fails the
            // connection (2026), which is "unavailable" like an unreachable host, never a plaintext session.
            mysql_ssl_set(handle, tls.key, tls.certificate, tls.certificateAuthority, nil, nil)
            var enforce: my_bool = 1
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
            var verify: my_bool = tls.verifiesServer ? 1 : 0
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        }

        let connected = mysql_real_connect(
            handle, place.socket == nil ? place.name : nil, options.user, options.password,
            options.database, place.socket == nil ? place.port : 0, place.socket, 0
        )
        if connected == nil {
            // deinit still runs for a fully initialised object whose init throws, and closes the handle.
            var error = lastError("cannot connect to MariaDB at \(place.endpoint)")
            if !Self.canLoadPlugins, mysql_errno(handle) == UInt32(CR_PLUGIN_NOT_ALLOWED) {
                error.message += "; this statically linked build authenticates with mysql_native_password only: give the account that (ALTER USER ... IDENTIFIED VIA mysql_native_password USING PASSWORD('...')), or use the dynamically linked build"
            }
            throw error
        }
        // A server whose default is autocommit=0 would open a transaction at the first SELECT and keep its
        // REPEATABLE READ snapshot until a COMMIT that a reader never sends: a connection kept open (serve)
        // would answer from that snapshot forever. The handshake already says which mode the session is
        // in, so the usual server (autocommit on) costs no round trip here.
        var serverStatus: UInt32 = 0
        let known = mariadb_get_info(handle, MARIADB_CONNECTION_SERVER_STATUS, &serverStatus) == 0
        if !known || serverStatus & UInt32(SERVER_STATUS_AUTOCOMMIT) == 0, mysql_autocommit(handle, 1) != 0 {
            throw lastError("cannot turn on autocommit on the connection to MariaDB at \(place.endpoint)")
        }
    }

    /// Where a replica's replication stands (`SHOW SLAVE STATUS`).
    enum Replication: Equatable {
        /// Not a replica: its data is its own, with no lag.
        case notReplica
        /// Applying the primary's changes this many seconds behind it.
        case behind(seconds: Int)
        /// Replication does not run, or its lag is unknown: the data may be any age.
        case stopped(String)
    }

    /// The replication state, for `max_lag`. Needs the SLAVE MONITOR (or REPLICATION CLIENT, or SUPER)
    /// privilege; without it the error says so.
    func replication() throws(StatusSourceError) -> Replication {
        let row: [String: String]?
        do {
            row = try prepare("SHOW SLAVE STATUS").firstRowByName()
        } catch where error.message.contains("(error 1227)") {
            throw StatusSourceError(.failed, "max_lag needs to read the replica's lag (\(error.message)); grant the responder's account SLAVE MONITOR (MariaDB 10.5 and later) or REPLICATION CLIENT")
        }
        guard let row else { return .notReplica }
        guard row["Slave_SQL_Running"] == "Yes" else { return .stopped("its replication SQL thread is not running") }
        guard row["Slave_IO_Running"] == "Yes" else { return .stopped("its replication I/O thread is \(row["Slave_IO_Running"] ?? "not running")") }
        guard let seconds = row["Seconds_Behind_Master"].flatMap({ Int($0) }) else { return .stopped("its replication lag is unknown") }
        return .behind(seconds: seconds)
    }

    /// Why a Galera node cannot serve now (it lost quorum, it is still joining: `wsrep_ready` is off),
    /// or nil when it can, or when the server is not a Galera node (`wsrep_on` off, or a server built
    /// without wsrep, which does not know the variable). A node out of the primary component accepts
    /// connections and `SELECT 1`, and refuses table reads with 1047; asked at connect, it is left before
    /// any look-up, and a probe of it is not taken for its recovery. With `wsrep_dirty_reads` on it would
    /// even answer the look-ups, from data that may be stale: this check still refuses it.
    ///
    /// Asked at every new connection, so `respond` pays it per request: first `@@wsrep_on` alone, which
    /// costs what `SELECT 1` does, where reading `information_schema`'s status tables cost four times
    /// that on every server; only a Galera node is then asked its state.
    func galeraUnreadiness() throws(StatusSourceError) -> String? {
        let on: String?
        do {
            on = try prepare("SELECT CAST(@@GLOBAL.wsrep_on AS CHAR)").rows([], columns: [.text]).first?.first?.text
        } catch where error.message.contains("(error 1193)") {
            return nil  // Unknown system variable: no wsrep in this server.
        }
        guard on == "1" || on?.uppercased() == "ON" else { return nil }
        var values: [String: String] = [:]
        for row in try prepare(Self.galeraStateQuery).rows([], columns: [.text, .text]) {
            guard row.count == 2, let name = row[0].text, let value = row[1].text else { continue }
            values[name.uppercased()] = value
        }
        guard values["WSREP_READY"]?.uppercased() != "ON" else { return nil }
        return "is a Galera node that cannot serve now (wsrep_ready \(values["WSREP_READY"] ?? "unknown"), cluster status \(values["WSREP_CLUSTER_STATUS"] ?? "unknown"), state \(values["WSREP_LOCAL_STATE_COMMENT"] ?? "unknown"))"
    }

    /// A Galera node's state, in one round trip.
    private static let galeraStateQuery = """
        SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
        WHERE VARIABLE_NAME IN ('WSREP_READY', 'WSREP_CLUSTER_STATUS', 'WSREP_LOCAL_STATE_COMMENT')
        """

    /// True when the server refuses writes from ordinary accounts (`read_only` is on: a replica).
    func isReadOnly() throws(StatusSourceError) -> Bool {
        let value = try prepare("SELECT CAST(@@GLOBAL.read_only AS CHAR)").rows([], columns: [.text]).first?.first?.text
        return value != "0" && value?.uppercased() != "OFF"
    }

    deinit {
        mysql_close(handle)
    }

    /// Prepares a statement on this connection.
    func prepare(_ sql: String) throws(StatusSourceError) -> MariaDBStatement {
        guard let statement = mysql_stmt_init(handle) else { throw lastError("cannot allocate a statement") }
        guard mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) == 0 else {
            let error = MariaDBConnection.statementError(statement, "cannot prepare the statement")
            // Read before the close, which clears the connection's error: a first look-up after the drop
            // fails here, not in the execute.
            preparedOnLostConnection = Self.isLost(code: mysql_stmt_errno(statement))
            mysql_stmt_close(statement)
            throw error
        }
        return MariaDBStatement(statement: statement, connection: self)
    }

    /// True when the server still answers.
    func ping() -> Bool {
        mysql_ping(handle) == 0
    }

    /// True when the last call failed because the connection is gone: the server closed it while it was
    /// idle (past `wait_timeout`, by `KILL`, in a restart) and the client noticed on its next use, at once,
    /// with 2006 (the socket was already known closed), 2013 (it closed under the request) or 1927 (the
    /// server said it killed the session). A statement's
    /// error is the connection's too (Connector/C copies it), so this also answers for a failed execute.
    var isLost: Bool {
        preparedOnLostConnection || Self.isLost(code: mysql_errno(handle))
    }

    /// Set by a `prepare` that failed on a lost connection: closing the failed statement clears the
    /// connection's error code. A lost connection stays lost, so it is never cleared.
    private var preparedOnLostConnection = false

    private static func isLost(code: UInt32) -> Bool {
        code == UInt32(CR_SERVER_GONE_ERROR) || code == UInt32(CR_SERVER_LOST) || code == UInt32(CR_SERVER_LOST_EXTENDED)
            || code == UInt32(ER_CONNECTION_KILLED)
    }

    private func lastError(_ context: String) -> StatusSourceError {
        Self.classify(code: mysql_errno(handle), message: String(cString: mysql_error(handle)), context: context)
    }

    static func statementError(_ statement: UnsafeMutablePointer<MYSQL_STMT>, _ context: String) -> StatusSourceError {
        classify(code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)), context: context)
    }

    static func classify(code: UInt32, message: String, context: String) -> StatusSourceError {
        MariaDBErrorKind.classify(code: code, message: message, context: context)
    }
}

/// What a MariaDB error means for the client, decided in one place.
package enum MariaDBErrorKind {
    /// Sorts an error into "try later" (the server is away or busy) and "internal error" (it answered wrongly).
    package static func classify(code: UInt32, message: String, context: String) -> StatusSourceError {
        let transient: Set<UInt32> = [
            UInt32(CR_CONNECTION_ERROR), UInt32(CR_CONN_HOST_ERROR), UInt32(CR_SERVER_GONE_ERROR),
            UInt32(CR_SERVER_LOST), UInt32(CR_UNKNOWN_HOST), UInt32(CR_SERVER_LOST_EXTENDED),
            // TLS could not be set up with this server (no TLS, a certificate that does not verify): the
            // host is unusable as if it were unreachable; plain text is never tried.
            UInt32(CR_SSL_CONNECTION_ERROR),
            // A deadlock's victim is rolled back whole (the admin commands lock rows in a transaction):
            // running the command again is the cure, as for a lock wait that timed out.
            UInt32(ER_CON_COUNT_ERROR), UInt32(ER_SERVER_SHUTDOWN), UInt32(ER_LOCK_WAIT_TIMEOUT), UInt32(ER_LOCK_DEADLOCK),
            UInt32(ER_QUERY_INTERRUPTED), UInt32(ER_TOO_MANY_USER_CONNECTIONS),
            // A Galera node that lost quorum or is still joining answers every query with 1047 ("WSREP has
            // not yet prepared node for application use"): this node cannot serve now, another one can.
            UInt32(ER_UNKNOWN_COM_ERROR),
            // The server ended this session (KILL): a new connection can answer.
            UInt32(ER_CONNECTION_KILLED),
        ]
        return StatusSourceError(transient.contains(code) ? .unavailable : .failed, "\(context): \(message) (error \(code))")
    }
}
