import Foundation

/// A MariaDB server the tests reach: the throwaway one `scripts/test.sh` starts (`shared`, described by
/// its environment variables), its replica (`shared?.replica`), or a test's own (`PrivateMariaDB.server`).
package struct MariaDBTestServer: Sendable {
    package let socket: String
    package let host: String
    package let port: String
    package let user: String
    package let password: String
    package let database: String
    /// Where the replica of this server listens, when it has one (only `shared` does).
    private let replicaEndpoint: Endpoint?
    /// The replica's `MASTER_DELAY` in seconds: a change on this server is on `replica` no sooner than
    /// `replicaDelay - 1` seconds later (the delay counts from the event's whole-second timestamp), and
    /// shortly after `replicaDelay` seconds. 0 without a replica.
    package let replicaDelay: Int

    private struct Endpoint: Sendable {
        let socket: String
        let port: String
    }

    package init(socket: String, host: String = "127.0.0.1", port: String, user: String, password: String, database: String) {
        self.init(socket: socket, host: host, port: port, user: user, password: password, database: database, replica: nil, delay: 0)
    }

    private init(socket: String, host: String, port: String, user: String, password: String, database: String, replica: Endpoint?, delay: Int) {
        self.socket = socket
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        replicaEndpoint = replica
        replicaDelay = delay
    }

    /// The server, or nil when the tests run outside `scripts/test.sh`.
    package static let shared: MariaDBTestServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let socket = environment["OCSP_TEST_MARIADB_SOCKET"] else { return nil }
        let replica = environment["OCSP_TEST_MARIADB_REPLICA_SOCKET"].map {
            Endpoint(socket: $0, port: environment["OCSP_TEST_MARIADB_REPLICA_PORT"] ?? "3306")
        }
        return MariaDBTestServer(
            socket: socket,
            host: environment["OCSP_TEST_MARIADB_HOST"] ?? "127.0.0.1",
            port: environment["OCSP_TEST_MARIADB_PORT"] ?? "3306",
            user: environment["OCSP_TEST_MARIADB_USER"] ?? "ocsp",
            password: environment["OCSP_TEST_MARIADB_PASSWORD"] ?? "",
            database: environment["OCSP_TEST_MARIADB_DB"] ?? "ocsp_test",
            replica: replica,
            delay: replica == nil ? 0 : Int(environment["OCSP_TEST_MARIADB_REPLICA_DELAY"] ?? "") ?? 0
        )
    }()

    /// True when a server is there; database tests are enabled only then (`scripts/test.sh` always starts one).
    package static var isAvailable: Bool { shared != nil }

    /// True when `scripts/test.sh` also started a replica of `shared` (it always does).
    package static var isReplicaAvailable: Bool { shared?.replica != nil }

    /// The read-only replica of this server (`read_only`, GTID, `MASTER_DELAY = replicaDelay`), with the
    /// same user, password and database: a test user can SELECT there, not write. Nil unless this is
    /// `shared` and `scripts/test.sh` started one.
    package var replica: MariaDBTestServer? {
        replicaEndpoint.map {
            MariaDBTestServer(socket: $0.socket, host: host, port: $0.port, user: user, password: password, database: database)
        }
    }

    /// Runs SQL through the `mariadb` command-line client, over the unix socket (or TCP with `tcp`).
    @discardableResult
    package func execute(_ sql: String, tcp: Bool = false) throws -> String {
        let connection = tcp ? ["--protocol=TCP", "--host=\(host)", "--port=\(port)"] : ["--socket=\(socket)"]
        let result = try run("mariadb", connection + [
            "--user=\(user)", "--password=\(password)", "--batch", "--skip-column-names",
            database, "--execute=\(sql)",
        ])
        guard result.status == 0 else { throw TestFailure("mariadb failed: \(result.stderr)\nSQL: \(sql)") }
        return result.stdoutText
    }

    /// A fresh table from `etc/schema.sql` with a unique name, so tests can run in parallel.
    package func createStatusTable(_ prefix: String = "certs") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        // etc/schema.sql is the one definition of the table; tests use it under another name.
        let schema = try String(contentsOf: repositoryRoot.appendingPathComponent("etc/schema.sql"), encoding: .utf8)
        try execute(schema.replacingOccurrences(of: "list_certs", with: name))
        return name
    }

    /// Waits until the replica has applied everything this server had committed when called (its
    /// `gtid_binlog_pos`, through `MASTER_GTID_WAIT`): at most about `replicaDelay` seconds when the
    /// replica keeps up. Throws after `timeout` seconds, or when there is no replica.
    package func waitForReplica(timeout: Int = 30) throws {
        guard let replica else { throw TestFailure("no replica of the MariaDB at \(socket): run scripts/test.sh") }
        let position = try execute("SELECT @@GLOBAL.gtid_binlog_pos").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !position.isEmpty else { return }
        let answer = try replica.execute("SELECT MASTER_GTID_WAIT('\(position)', \(timeout))")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer == "0" else {
            throw TestFailure("the replica did not reach the primary's GTID position \(position) within \(timeout) s (MASTER_GTID_WAIT: \(answer))")
        }
    }

    /// `[db]` lines for a config file, over the unix socket (or TCP to `host`:`port` with `tcp`). For the
    /// replica, `replica!.configSection(table:)`.
    package func configSection(table: String, tcp: Bool = false) -> String {
        let connection = tcp ? "host = \(host)\nport = \(port)" : "socket = \(socket)"
        return """
        [db]
        \(connection)
        db = \(database)
        username = \(user)
        password = \(password)
        table = \(table)
        connect_timeout = 3
        """
    }
}
