import Foundation

/// The 3-node Galera cluster `scripts/test.sh` starts once per run, in the background while it builds
/// (`scripts/lib/galera.sh`: Debian's galera-4, three `mariadbd` processes on loopback, rsync state
/// transfers, failure detection tuned to seconds). `OCSP_TEST_GALERA_DIR` names its directory; tests
/// wait for it with `GaleraCluster.shared()`.
///
/// The nodes are numbered 1 to 3. A test may kill, pause, isolate or stop them; `restore()` brings the
/// cluster back to three Synced nodes, whatever the last test left.
///
///     let cluster = try GaleraCluster.shared()
///     try cluster.restore()
///     try cluster.kill(1)         // kill -9
///     try cluster.start(1)        // rejoins (state transfer)
///     try cluster.waitSynced()
package struct GaleraCluster: Sendable {
    /// The cluster's directory (`DIR` of `galera_start_cluster`): `n1`, `n2`, `n3`, `ports`.
    package let directory: String
    /// Each node's MySQL port on 127.0.0.1, by node number - 1.
    package let ports: [String]
    package let user = "ocsp"
    package let password = "ocsp-test-pw"
    package let database = "ocsp_test"

    /// True when `scripts/test.sh` started a cluster (`OCSP_TEST_GALERA=0` skips it).
    package static var isConfigured: Bool { ProcessInfo.processInfo.environment["OCSP_TEST_GALERA_DIR"] != nil }

    /// The run's cluster, once it is up (`galera_wait_ready`: at most `timeout` seconds more).
    package static func shared(timeout: Int = 300) throws -> GaleraCluster {
        guard let directory = ProcessInfo.processInfo.environment["OCSP_TEST_GALERA_DIR"] else {
            throw TestFailure("no Galera cluster: run scripts/test.sh (OCSP_TEST_GALERA_DIR)")
        }
        let ready = try script("galera_wait_ready", [directory, String(timeout)])
        guard ready.status == 0 else { throw TestFailure("the Galera cluster did not start:\n\(ready.stderr)") }
        let table = try String(contentsOfFile: "\(directory)/ports", encoding: .utf8)
        var ports: [String] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 5, fields[0] == Substring(String(ports.count + 1)) else {
                throw TestFailure("\(directory)/ports: unexpected line \(line)")
            }
            ports.append(String(fields[1]))
        }
        guard ports.count == 3 else { throw TestFailure("\(directory)/ports: \(ports.count) nodes, not 3") }
        return GaleraCluster(directory: directory, ports: ports)
    }

    /// Node `node`'s endpoint as a `[db] host` entry and in the responder's messages.
    package func endpoint(_ node: Int) -> String { "127.0.0.1:\(ports[node - 1])" }

    /// Node `node` as a server the tests can run SQL on as the test user.
    package func server(_ node: Int) -> MariaDBTestServer {
        MariaDBTestServer(socket: "\(directory)/n\(node)/mysqld.sock", port: ports[node - 1],
                          user: user, password: password, database: database)
    }

    /// SQL as root on node `node` (over its socket, at most 5 s to connect); the rows without names.
    @discardableResult
    package func root(_ node: Int, _ sql: String) throws -> String {
        let result = try run("mariadb", ["--no-defaults", "--socket=\(directory)/n\(node)/mysqld.sock", "-uroot",
                                         "--connect-timeout=5", "--batch", "--skip-column-names", "--execute=\(sql)"])
        guard result.status == 0 else { throw TestFailure("mariadb as root on node \(node) failed: \(result.stderr)\nSQL: \(sql)") }
        return result.stdoutText
    }

    /// `wsrep_local_state_comment`, `wsrep_cluster_status` and `wsrep_cluster_size` of node `node`, e.g.
    /// "Synced Primary 3"; empty when it does not answer.
    package func state(_ node: Int) -> String {
        ((try? Self.script("galera_state", [directory, String(node)]))?.stdoutText ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    package func kill(_ node: Int) throws { try call("galera_kill_node", node) }
    package func start(_ node: Int) throws { try call("galera_start_node", node) }
    package func stop(_ node: Int) throws { try call("galera_stop_node", node) }
    package func pause(_ node: Int) throws { try call("galera_pause_node", node) }
    package func resume(_ node: Int) throws { try call("galera_resume_node", node) }
    /// Cuts node `node` off its peers (`gmcast.isolate=1`): it runs, but answers queries with 1047.
    package func isolate(_ node: Int) throws { try call("galera_isolate_node", node) }
    package func rejoin(_ node: Int) throws { try call("galera_rejoin_node", node) }

    /// Waits until every running node is Synced in one primary component (at most `timeout` seconds).
    package func waitSynced(timeout: Int = 60) throws {
        let result = try Self.script("galera_wait_synced", [directory, String(timeout)])
        guard result.status == 0 else { throw TestFailure("galera_wait_synced: \(result.stderr)") }
    }

    /// Three Synced nodes again: paused ones resumed, isolated ones rejoined, stopped ones started.
    package func restore() throws {
        let result = try Self.script("galera_restore", [directory])
        guard result.status == 0 else { throw TestFailure("galera_restore: \(result.stderr)") }
    }

    /// Waits until node `node` answers `state` (e.g. "Initialized non-Primary 1"), at most `timeout` s.
    package func waitForState(_ node: Int, _ wanted: (String) -> Bool, timeout: Double = 30) throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var last = ""
        while ContinuousClock.now < deadline {
            last = state(node)
            if wanted(last) { return last }
            usleep(100_000)
        }
        throw TestFailure("node \(node) is still '\(last)' after \(timeout) s")
    }

    private func call(_ function: String, _ node: Int) throws {
        let result = try Self.script(function, [directory, String(node)])
        guard result.status == 0 else { throw TestFailure("\(function) \(node): \(result.stderr)") }
    }

    private static var library: String { repositoryRoot.appendingPathComponent("scripts/lib/galera.sh").path }

    /// One function of the library, in a shell of its own.
    private static func script(_ function: String, _ arguments: [String]) throws -> ProcessResult {
        try run("/bin/bash", ["-c", #"source "$1" || exit 1; shift; "$@""#, "bash", library, function] + arguments)
    }
}
