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
package final class PrivateMariaDB: Sendable {
    /// The server's directory (`DIR` of `mariadb_start`): `data/`, `mysqld.sock`, logs.
    package let directory: String
    /// The connection: socket, 127.0.0.1 and port, user, password, database.
    package let server: MariaDBTestServer
    /// A status table made from `etc/schema.sql` at the first start (empty).
    package let table: String
    private let serverOptions: [String]

    package var socket: String { server.socket }
    package var port: String { server.port }
    package var user: String { server.user }
    package var password: String { server.password }
    package var database: String { server.database }

    /// Starts a fresh server. `serverOptions` go to `mariadbd` (after the script's own), at this and
    /// every later `start()`.
    package static func start(serverOptions: [String] = []) throws -> PrivateMariaDB {
        // /tmp itself, not TMPDIR: the socket path must stay under 108 bytes.
        var template = Array("/tmp/ocspdb-t.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestFailure("mkdtemp /tmp/ocspdb-t.XXXXXX: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        let environment: [String: String]
        do {
            environment = try launch(directory, serverOptions)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        guard let socket = environment["OCSP_TEST_MARIADB_SOCKET"], let port = environment["OCSP_TEST_MARIADB_PORT"] else {
            stop(directory)
            try? FileManager.default.removeItem(atPath: directory)
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
            stop(directory)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return PrivateMariaDB(directory: directory, server: server, table: table, serverOptions: serverOptions)
    }

    private init(directory: String, server: MariaDBTestServer, table: String, serverOptions: [String]) {
        self.directory = directory
        self.server = server
        self.table = table
        self.serverOptions = serverOptions
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
    /// answers. Throws with the script's message when it cannot (for example the port was taken).
    package func start() throws {
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

    /// True while a server answers root's ping on `socket`.
    private static func answers(_ socket: String) -> Bool {
        (try? run("mariadb-admin", ["--no-defaults", "--socket=\(socket)", "-uroot", "ping"]))?.status == 0
    }
}
