import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire

/// `GET /health`, for load balancers: can the database be reached and read, and can every CA sign?
///
/// The stores are opened afresh for each check and closed after it: a worker's long-lived connection
/// can outlive what it points at (an SQLite file that was removed stays readable through an open one).
package struct HealthCheck: Sendable {
    package struct Signing: Sendable {
        var name: String
        var signer: OpenSSLSigner
    }

    let database: ResponderConfiguration.Database
    let tables: [String]
    let signings: [Signing]

    package init(database: ResponderConfiguration.Database, tables: [String], signings: [Signing]) {
        self.database = database
        self.tables = tables
        self.signings = signings
    }

    /// Problems found, one sentence each; empty when healthy.
    func problems(at now: UnixTime) -> [String] {
        var problems: [String] = []
        for table in Set(tables).sorted() {
            let store = StoreOpener.open(database, table: table, access: .readOnly)
            defer { store.close() }
            do throws(StatusSourceError) {
                try store.checkConnection()
                // A look-up proves the table is there and readable, not only the connection.
                _ = try store.status(of: CertificateSerialNumber(hex: "00")!)
            } catch {
                problems.append("database (table \(table)): \(error.message)")
            }
        }
        for signing in signings {
            // The responder answers this CA tryLater for the same reason, from the same period.
            if let problem = signing.signer.period.problem(at: now) {
                problems.append("signing key [\(signing.name)]: \(problem)")
            }
            do {
                _ = try signing.signer.sign(Array("health".utf8))
            } catch {
                problems.append("signing key [\(signing.name)]: cannot sign (\(error.inputReason))")
            }
        }
        return problems
    }
}

/// The health endpoints a load balancer or an orchestrator asks.
enum HealthProbe: Equatable {
    /// `GET /health/live`: the process answers HTTP. A failed liveness check means "restart it", which
    /// a database outage must never cause.
    case live
    /// `GET /health/ready` and `GET /health`: it can sign fresh answers now (a database host that
    /// serves, every CA's key and signer valid: `HealthCheck`). A failed readiness check means "send
    /// requests elsewhere": while no host is usable, the cache may still answer nonce-less requests, but
    /// a host that has a database should be preferred.
    case ready

    /// The probe `target` (a request's path, with any query) asks for; nil for any other path.
    init?(target: String) {
        let path = target.prefix { $0 != "?" }
        switch path {
        case "/health/live": self = .live
        case "/health", "/health/ready": self = .ready
        default: return nil
        }
    }
}
