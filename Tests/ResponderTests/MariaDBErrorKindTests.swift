import OCSPCore
import OCSPStoreMariaDB
import Testing

/// Which MariaDB errors mean "this server cannot answer now" (`tryLater`, or another host) and which mean
/// "it answered wrongly" (`internalError`). Pure: the codes are Connector/C's and the server's.
@Suite struct MariaDBErrorKindTests {
    @Test(arguments: [
        (2002, "cannot connect (socket)"), (2003, "cannot connect (TCP)"), (2006, "server gone"), (2013, "lost during the query"),
        (2026, "TLS could not be set up"), (1040, "too many connections"), (1053, "server shutting down"),
        (1205, "lock wait timeout"), (1213, "deadlock"), (1047, "Galera node not ready (WSREP has not yet prepared node)"),
        (1927, "connection killed"),
    ] as [(UInt32, String)])
    func unavailable(code: UInt32, what: String) {
        let error = MariaDBErrorKind.classify(code: code, message: what, context: "look-up")
        #expect(error.kind == .unavailable, "\(code) \(what)")
        #expect(error.message == "look-up: \(what) (error \(code))")
    }

    @Test(arguments: [(1045, "access denied"), (1227, "privilege missing (max_lag without SLAVE MONITOR)"), (1146, "no such table"), (1054, "unknown column"), (1064, "SQL syntax")] as [(UInt32, String)])
    func failed(code: UInt32, what: String) {
        #expect(MariaDBErrorKind.classify(code: code, message: what, context: "look-up").kind == .failed, "\(code) \(what)")
    }
}
