import Foundation

/// A MariaDB of one test's own, for a test that stops and starts its database (a responder that must
/// survive the database going away and coming back), which the shared server of `scripts/test.sh`
/// must never do. A real `mariadbd`, started by `scripts/lib/mariadb.sh`'s `mariadb_start` in a fresh
/// short directory under /tmp, with the test database and user (`server`) and a status table from
/// `etc/schema.sql` (`table`).
///
/// Its socket is reachable by other local users (the directory is 0711, the data directory 0700), so a
/// responder run as the service user can use `server.configSection(table:)`. `stop()` and `start()`
/// keep the data directory, the socket path and the TCP port. The server is stopped and its directory
/// removed by `remove()` or, at the latest, when the value is released.
///
///     let db = try PrivateMariaDB.start()
///     try db.server.execute("INSERT INTO \(db.table) …")
///     try db.stop()     // connections now fail; the socket is gone
///     try db.start()    // the same data, socket and port
///
/// A private primary (`start(serverOptions: PrivateMariaDB.primaryOptions)`: binary log, GTID) can have
/// a private replica (`startReplica()`, `mariadb_start_replica`: read_only, server-id 2, replicating the
/// primary's binary log from its start, so it has the same database, users and table). `pause()` and
/// `resume()` SIGSTOP and SIGCONT a server: a hung host, whose TCP connections the kernel still accepts.
///
///     let primary = try PrivateMariaDB.start(serverOptions: PrivateMariaDB.primaryOptions)
///     let replica = try primary.startReplica()
///     defer { replica.remove(); primary.remove() }   // the replica first
///     try replica.pause()   // hung: connections wait for their timeout
///     try replica.resume()
package final class PrivateMariaDB: Sendable {
    /// `mariadbd` options of a primary that `startReplica` can replicate: a binary log (ROW), server-id 1.
    package static let primaryOptions = ["--server-id=1", "--log-bin=binlog", "--binlog-format=ROW"]

    /// The server's directory (`DIR` of `mariadb_start`): `data/`, `mysqld.sock`, logs.
    package let directory: String
    /// The connection: socket, 127.0.0.1 and port, user, password, database.
    package let server: MariaDBTestServer
    /// A status table made from `etc/schema.sql` at the first start (empty).
    package let table: String
    private let serverOptions: [String]
    /// For a replica: the primary's directory and the `MASTER_DELAY`, for `start()` to replicate again.
    private let replicaOf: (directory: String, delay: Int)?
    /// True for a replica made by `startReplica`.
    package var isReplica: Bool { replicaOf != nil }

    package var socket: String { server.socket }
    package var port: String { server.port }
    package var user: String { server.user }
    package var password: String { server.password }
    package var database: String { server.database }

    /// Starts a fresh server. `serverOptions` go to `mariadbd` (after the script's own), at this and
    /// every later `start()`.
    package static func start(serverOptions: [String] = []) throws -> PrivateMariaDB {
        let directory = try makeServerDirectory("/tmp/ocspdb-t.XXXXXX")
        let environment: [String: String]
        do {
            environment = try launch(directory, serverOptions)
        } catch {
            discard(directory)
            throw error
        }
        guard let socket = environment["OCSP_TEST_MARIADB_SOCKET"], let port = environment["OCSP_TEST_MARIADB_PORT"] else {
            discard(directory)
            throw TestFailure("mariadb_start in \(directory) exported no socket or port: \(environment)")
        }
        let server = MariaDBTestServer(
            socket: socket, host: environment["OCSP_TEST_MARIADB_HOST"] ?? "127.0.0.1", port: port,
            user: environment["OCSP_TEST_MARIADB_USER"] ?? "ocsp", password: environment["OCSP_TEST_MARIADB_PASSWORD"] ?? "",
            database: environment["OCSP_TEST_MARIADB_DB"] ?? "ocsp_test"
        )
        let table: String
        do {
            table = try server.createStatusTable()
        } catch {
            discard(directory)
            throw error
        }
        return PrivateMariaDB(directory: directory, server: server, table: table, serverOptions: serverOptions)
    }

    /// A fresh directory from `template` (`mkdtemp`), directly under /tmp, not TMPDIR: the socket path
    /// must stay under 108 bytes.
    private static func makeServerDirectory(_ template: String) throws -> String {
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw TestFailure("mkdtemp \(template): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Stops whatever server of `directory` started, and removes the directory: a start that failed.
    private static func discard(_ directory: String) {
        stop(directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private init(directory: String, server: MariaDBTestServer, table: String, serverOptions: [String],
                 replicaOf: (directory: String, delay: Int)? = nil) {
        self.directory = directory
        self.server = server
        self.table = table
        self.serverOptions = serverOptions
        self.replicaOf = replicaOf
    }

    /// Starts a replica of this server (which must run with `primaryOptions`) in a fresh directory of its
    /// own: `mariadb_start_replica` with `MASTER_DELAY` = `delay`, returning once it has caught up and
    /// both replication threads run. The replica's `server` has this server's user, password and
    /// database, its `table` is this server's. Remove it before this server.
    package func startReplica(delay: Int = 0) throws -> PrivateMariaDB {
        let replicaDirectory = try Self.makeServerDirectory("/tmp/ocspdb-r.XXXXXX")
        let environment: [String: String]
        do {
            environment = try Self.launchReplica(replicaDirectory, of: directory, delay: delay)
        } catch {
            Self.discard(replicaDirectory)
            throw error
        }
        guard let socket = environment["OCSP_TEST_MARIADB_REPLICA_SOCKET"], let port = environment["OCSP_TEST_MARIADB_REPLICA_PORT"] else {
            Self.discard(replicaDirectory)
            throw TestFailure("mariadb_start_replica in \(replicaDirectory) exported no socket or port: \(environment)")
        }
        let replica = MariaDBTestServer(socket: socket, host: server.host, port: port, user: user, password: password, database: database)
        return PrivateMariaDB(directory: replicaDirectory, server: replica, table: table, serverOptions: [],
                              replicaOf: (directory, delay))
    }

    /// The server's process id while it runs (`mariadb_pid`: `mysqld.pid`, else the launched pid).
    package func pid() throws -> pid_t {
        let result = try Self.script("mariadb_pid", directory)
        guard result.status == 0, let pid = pid_t(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("mariadb_pid \(directory): \(result.stderr)")
        }
        return pid
    }

    /// SIGSTOPs the server (`mariadb_pause`) and returns once it is stopped: it answers nothing, though
    /// the kernel still accepts TCP connections to it. `stop()` and `remove()` resume it first.
    package func pause() throws {
        let result = try Self.script("mariadb_pause", directory)
        guard result.status == 0 else { throw TestFailure("mariadb_pause \(directory): \(result.stderr)") }
    }

    /// SIGCONTs the server (`mariadb_resume`); a running one is left as it is.
    package func resume() throws {
        let result = try Self.script("mariadb_resume", directory)
        guard result.status == 0 else { throw TestFailure("mariadb_resume \(directory): \(result.stderr)") }
    }

    /// True when a server of this directory runs now (paused or not).
    package var isRunning: Bool {
        (try? Self.script("mariadb_pid", directory))?.status == 0
    }

    /// Runs SQL as root over the socket (replication statements, `SET sql_log_bin`, accounts), without
    /// a database selected; the rows without column names. Bounded: a paused server fails it in 5 s.
    @discardableResult
    package func root(_ sql: String) throws -> String {
        let result = try run("mariadb", ["--no-defaults", "--socket=\(socket)", "-uroot", "--connect-timeout=5",
                                         "--batch", "--skip-column-names", "--execute=\(sql)"])
        guard result.status == 0 else { throw TestFailure("mariadb as root on \(socket) failed: \(result.stderr)\nSQL: \(sql)") }
        return result.stdoutText
    }

    /// A replica waits until it has applied everything `primary` had committed when called
    /// (`MASTER_GTID_WAIT` on the primary's `gtid_binlog_pos`); throws after `timeout` seconds.
    package func waitForCatchUp(with primary: PrivateMariaDB, timeout: Int = 20) throws {
        let position = try primary.root("SELECT @@GLOBAL.gtid_binlog_pos").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !position.isEmpty else { return }
        let answer = try root("SELECT MASTER_GTID_WAIT('\(position)', \(timeout))").trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer == "0" else {
            throw TestFailure("the replica in \(directory) did not reach the primary's GTID position \(position) within \(timeout) s (MASTER_GTID_WAIT: \(answer))")
        }
    }

    deinit { remove() }

    /// Stops the server (`mariadb_stop`: a clean shutdown, else TERM, then KILL) and waits until it is
    /// gone: new connections fail, and open ones are cut. Stopping a stopped server does nothing.
    package func stop() throws {
        Self.stop(directory)
        if FileManager.default.fileExists(atPath: "\(directory)/server.pid") || Self.answers(socket) {
            throw TestFailure("the MariaDB in \(directory) is still running after mariadb_stop")
        }
    }

    /// Starts the stopped server again on its data directory, socket path and port, and waits until it
    /// answers. Throws with the script's message when it cannot (for example the port was taken). A
    /// replica replicates again from where it stopped (`mariadb_start_replica`; its primary must run).
    package func start() throws {
        if let replicaOf {
            let environment = try Self.launchReplica(directory, of: replicaOf.directory, delay: replicaOf.delay)
            guard environment["OCSP_TEST_MARIADB_REPLICA_PORT"] == port else {
                throw TestFailure("the replica in \(directory) came back on port \(environment["OCSP_TEST_MARIADB_REPLICA_PORT"] ?? "?"), not \(port)")
            }
            return
        }
        let environment = try Self.launch(directory, serverOptions)
        guard environment["OCSP_TEST_MARIADB_PORT"] == port else {
            throw TestFailure("the MariaDB in \(directory) came back on port \(environment["OCSP_TEST_MARIADB_PORT"] ?? "?"), not \(port)")
        }
    }

    /// Stops the server and removes its directory; done by `deinit` too. Safe to call twice.
    package func remove() {
        Self.stop(directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static var library: String { repositoryRoot.appendingPathComponent("scripts/lib/mariadb.sh").path }

    /// `mariadb_start DIR OPTIONS…` in a shell of its own; the variables it exported.
    private static func launch(_ directory: String, _ options: [String]) throws -> [String: String] {
        let script = #"source "$1" || exit 1; dir=$2; shift 2; mariadb_start "$dir" "$@" || exit 1; env | grep '^OCSP_TEST_MARIADB_'"#
        let result = try run("/bin/bash", ["-c", script, "bash", library, directory] + options)
        guard result.status == 0 else {
            throw TestFailure("mariadb_start \(directory) failed (exit \(result.status)):\n\(result.stderr)")
        }
        return exported(result)
    }

    /// `mariadb_start_replica PRIMARY_DIR DIR DELAY` in a shell of its own; the variables it exported.
    private static func launchReplica(_ directory: String, of primary: String, delay: Int) throws -> [String: String] {
        let script = #"source "$1" || exit 1; mariadb_start_replica "$2" "$3" "$4" || exit 1; env | grep '^OCSP_TEST_MARIADB_'"#
        let result = try run("/bin/bash", ["-c", script, "bash", library, primary, directory, String(delay)])
        guard result.status == 0 else {
            throw TestFailure("mariadb_start_replica \(primary) \(directory) failed (exit \(result.status)):\n\(result.stderr)")
        }
        return exported(result)
    }

    /// One function of the library on `directory`, in a shell of its own.
    private static func script(_ function: String, _ directory: String) throws -> ProcessResult {
        try run("/bin/bash", ["-c", #"source "$1" || exit 1; "$2" "$3""#, "bash", library, function, directory])
    }

    /// The `NAME=value` lines of `env` that a launch printed.
    private static func exported(_ result: ProcessResult) -> [String: String] {
        var environment: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return environment
    }

    private static func stop(_ directory: String) {
        _ = try? run("/bin/bash", ["-c", #"source "$1" && mariadb_stop "$2""#, "bash", library, directory])
    }

    /// True while a server answers root's ping on `socket` (within 5 s: a paused one does not).
    private static func answers(_ socket: String) -> Bool {
        (try? run("mariadb-admin", ["--no-defaults", "--socket=\(socket)", "-uroot", "--connect-timeout=5", "ping"]))?.status == 0
    }
}
