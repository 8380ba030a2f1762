import Foundation
import OCSPRuntime
import OCSPStoreMariaDB
import Testing

/// Issue 17: `[db] host` as a list, `failback`, `max_lag` and `[db_admin]`, as the config reads them;
/// and the host board's rules, without a server.
@Suite struct HostListTests {
    private let tail = "\n[ocsp]\ncert = /a.pem\npkey = /a.key\n"

    private func parse(_ db: String, extra: String = "") throws -> ResponderConfiguration {
        try ResponderConfiguration.parse("[db]\ndb = ocsp\nusername = pycert\n\(db)\(tail)\(extra)", path: "c.ini")
    }

    @Test func aListOfHostsKeepsItsOrderAndTakesPortFromEachOrFromPort() throws {
        let config = try parse("host = db1.example, 10.0.0.2:3307 ,[2001:db8::7]:3308, [::1]\nport = 3310\n")
        let options = try #require(config.database.options)
        #expect(options.hosts.map(\.endpoint) == ["db1.example:3310", "10.0.0.2:3307", "[2001:db8::7]:3308", "[::1]:3310"])
        #expect(options.failbackSeconds == 30)
        #expect(options.maxLagSeconds == nil)
        #expect(config.database.backendDescription.contains("db1.example:3310, 10.0.0.2:3307"))
    }

    @Test func oneHostWithPortWorksAsBefore() throws {
        let options = try #require(try parse("host = db.example\nport = 3307\n").database.options)
        #expect(options.hosts == [MariaDBHost(name: "db.example", port: 3307)])
        #expect(options.endpoint == "db.example:3307")
    }

    @Test(arguments: [
        ("host = a, , b\n", "host", "empty entry"),
        ("host = a,\n", "host", "empty entry"),
        ("host = a:99999\n", "host", "is not a host"),
        ("host = [::1\n", "host", "is not a host"),
        ("host = a, a:3306\n", "host", "listed twice"),
        ("host = a, b\nsocket = /run/x.sock\n", "host", "needs TCP"),
        ("failback = 0\n", "failback", "from 1 to 86400"),
        ("max_lag = soon\n", "max_lag", "or off"),
    ])
    func badValuesNameTheLineAndKey(db: String, key: String, message: String) {
        #expect {
            _ = try parse(db)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.key == key && error.line != nil && error.message.contains(message)
        }
    }

    @Test func failbackAndMaxLag() throws {
        let options = try #require(try parse("host = a, b\nfailback = 3\nmax_lag = 10\n").database.options)
        #expect(options.failbackSeconds == 3)
        #expect(options.maxLagSeconds == 10)
        for off in ["0", "off", "no"] {
            #expect(try parse("max_lag = \(off)\n").database.options?.maxLagSeconds == nil)
        }
    }

    @Test func dbAdminOverridesOnlyTheKeysItSets() throws {
        let config = try parse(
            "host = replica1, replica2\npassword = reader-pw\nssl_ca = /etc/ca.pem\n",
            extra: "[db_admin]\nhost = primary.example:3307\nusername = ocsp_admin\npassword = admin-pw\n"
        )
        let reader = try #require(config.database.options)
        let admin = try #require(config.adminDatabase.options)
        #expect(reader.hosts.map(\.endpoint) == ["replica1:3306", "replica2:3306"])
        #expect(reader.user == "pycert")
        #expect(admin.hosts.map(\.endpoint) == ["primary.example:3307"])
        #expect(admin.user == "ocsp_admin")
        #expect(admin.password == "admin-pw")
        // What [db_admin] leaves out comes from [db].
        #expect(admin.database == "ocsp")
        #expect(admin.tls?.certificateAuthority == "/etc/ca.pem")
        #expect(config.holdsPassword)
        // Without [db_admin] the db commands use [db].
        #expect(try parse("host = a\n").adminDatabase.options?.hosts == [MariaDBHost(name: "a", port: 3306)])
    }

    @Test func dbAdminIsRefusedOnSQLiteAndUnknownKeysInItAreNamed() {
        #expect {
            _ = try ResponderConfiguration.parse("[db]\nbackend = sqlite\npath = /x.db\n\(tail)[db_admin]\nhost = a\n", path: "c.ini")
        } throws: { error in
            (error as? ConfigError)?.message.contains("[db] is not MariaDB") == true
        }
        #expect {
            _ = try parse("host = a\n", extra: "[db_admin]\ntable = other\n")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.key == "table" && error.message.contains("unknown key in [db_admin]")
        }
    }

    @Test func dbAdminPasswordMakesTheFileSecret() throws {
        let config = try parse("host = a\n", extra: "[db_admin]\npassword = admin-pw\n")
        #expect(config.database.options?.password == nil)
        #expect(config.holdsPassword)
    }

    // MARK: the host board

    @Test func aFailedHostIsSkippedForFailbackThenProbedByOneSessionAtATime() {
        let board = MariaDBHostBoard()
        let start = ContinuousClock.now
        #expect(board.admission("a:1", lastResort: false, now: start) == .use)
        board.failed("a:1", reason: "refused", failback: .seconds(30), now: start)
        #expect(board.isUnusable("a:1"))
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(29)) == .skip)
        // Failback over: one probe; a second session skips it while the probe runs.
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(30)) == .probe)
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(31)) == .skip)
        #expect(board.admission("a:1", lastResort: true, now: start + .seconds(31)) == .skip)
        board.succeeded("a:1")
        #expect(!board.isUnusable("a:1"))
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(31)) == .use)
    }

    @Test func whenEveryHostIsUnusableOneSessionMayProbeAtOnce() {
        let board = MariaDBHostBoard()
        let start = ContinuousClock.now
        board.failed("a:1", reason: "timed out", failback: .seconds(30), now: start)
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(1)) == .skip)
        #expect(board.admission("a:1", lastResort: true, now: start + .seconds(1)) == .probe)
        #expect(board.admission("a:1", lastResort: true, now: start + .seconds(1)) == .skip)
        // A failed probe starts the failback again and frees the probe.
        board.failed("a:1", reason: "timed out", failback: .seconds(30), now: start + .seconds(2))
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(31)) == .skip)
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(32)) == .probe)
        // A probe ended without a verdict (wrong password) leaves the host unusable but free to probe.
        board.released("a:1")
        #expect(board.isUnusable("a:1"))
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(32)) == .probe)
        #expect(board.reasons(["a:1", "b:2"]) == ["a:1: being tried again"])
    }

    @Test func whileEveryHostIsUnusableOneLastResortProbeRunsInTheWholeProcess() {
        let board = MariaDBHostBoard()
        let start = ContinuousClock.now
        board.failed("a:1", reason: "timed out", failback: .seconds(30), now: start)
        board.failed("b:2", reason: "timed out", failback: .seconds(30), now: start)
        #expect(board.admission("a:1", lastResort: true, now: start + .seconds(1)) == .probe)
        // Another session may not wait on the other hung host meanwhile.
        #expect(board.admission("b:2", lastResort: true, now: start + .seconds(1)) == .skip)
        // The verdict on a frees the last-resort probe for b.
        board.failed("a:1", reason: "timed out", failback: .seconds(30), now: start + .seconds(3))
        #expect(board.admission("b:2", lastResort: true, now: start + .seconds(3)) == .probe)
        #expect(board.admission("a:1", lastResort: true, now: start + .seconds(3)) == .skip)
        // A host whose failback is over is probed as usual, besides the last-resort probe.
        #expect(board.admission("a:1", lastResort: false, now: start + .seconds(33)) == .probe)
        board.released("b:2")
        #expect(board.admission("b:2", lastResort: true, now: start + .seconds(4)) == .probe)
    }

    @Test func aSessionOnALaterHostGoesBackWhenAnEarlierOneIsDue() {
        let board = MariaDBHostBoard()
        let start = ContinuousClock.now
        let hosts = ["a:1", "b:2", "c:3"]
        board.failed("a:1", reason: "hung", failback: .seconds(30), now: start)
        #expect(!board.prefersEarlierHost(than: 1, of: hosts, now: start + .seconds(10)))
        #expect(board.prefersEarlierHost(than: 1, of: hosts, now: start + .seconds(30)))
        // On the third host, the second being usable is reason enough.
        #expect(board.prefersEarlierHost(than: 2, of: hosts, now: start + .seconds(10)))
        #expect(!board.prefersEarlierHost(than: 0, of: hosts, now: start + .seconds(10)))
        let before = board.generation
        board.succeeded("a:1")
        #expect(board.generation != before)
        let unchanged = board.generation
        board.succeeded("a:1")
        #expect(board.generation == unchanged)
    }
}
