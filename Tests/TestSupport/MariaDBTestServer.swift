import Foundation

/// The throwaway MariaDB that `scripts/test.sh` starts, described by its environment variables.
public struct MariaDBTestServer: Sendable {
    public let socket: String
    public let host: String
    public let port: String
    public let user: String
    public let password: String
    public let database: String

    /// The server, or nil when the tests run outside `scripts/test.sh`.
    public static let shared: MariaDBTestServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let socket = environment["OCSP_TEST_MARIADB_SOCKET"] else { return nil }
        return MariaDBTestServer(
            socket: socket,
            host: environment["OCSP_TEST_MARIADB_HOST"] ?? "127.0.0.1",
            port: environment["OCSP_TEST_MARIADB_PORT"] ?? "3306",
            user: environment["OCSP_TEST_MARIADB_USER"] ?? "ocsp",
            password: environment["OCSP_TEST_MARIADB_PASSWORD"] ?? "",
            database: environment["OCSP_TEST_MARIADB_DB"] ?? "ocsp_test"
        )
    }()

    /// True when a server is there; database tests are enabled only then (`scripts/test.sh` always starts one).
    public static var isAvailable: Bool { shared != nil }

    /// Runs SQL through the `mariadb` command-line client.
    @discardableResult
    public func execute(_ sql: String) throws -> String {
        let result = try run("mariadb", [
            "--socket=\(socket)", "--user=\(user)", "--password=\(password)", "--batch", "--skip-column-names",
            database, "--execute=\(sql)",
        ])
        guard result.status == 0 else { throw TestFailure("mariadb failed: \(result.stderr)\nSQL: \(sql)") }
        return result.stdoutText
    }

    /// A fresh table from `etc/schema.sql` with a unique name, so tests can run in parallel.
    public func createStatusTable(_ prefix: String = "certs") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        // etc/schema.sql is the one definition of the table; tests use it under another name.
        let schema = try String(contentsOf: repositoryRoot.appendingPathComponent("etc/schema.sql"), encoding: .utf8)
        try execute(schema.replacingOccurrences(of: "list_certs", with: name))
        return name
    }

    /// `[db]` lines for a config file, over the unix socket.
    public func configSection(table: String) -> String {
        """
        [db]
        socket = \(socket)
        db = \(database)
        username = \(user)
        password = \(password)
        table = \(table)
        connect_timeout = 3
        """
    }
}
