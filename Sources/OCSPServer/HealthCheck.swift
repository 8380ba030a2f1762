import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire

/// `GET /health`, for load balancers: can the database be reached and read, and can every CA sign?
/// And what is about to stop that: a signing certificate or a CA status file (`ocspresponse`) that
/// expires within `[ocsp] warn_days` is a warning (still 200), an expired one a problem (503).
///
/// The stores are opened afresh for each check and closed after it: a worker's long-lived connection
/// can outlive what it points at (an SQLite file that was removed stays readable through an open one).
package struct HealthCheck: Sendable {
    package struct Signing: Sendable {
        /// The config section, for messages: `ocsp`, `issuer NAME`.
        var name: String
        /// The CA's name, for metrics: `ocsp`, or NAME of `[issuer NAME]`.
        var ca: String
        var signer: OpenSSLSigner
        /// The CA certificate's own status files (`ocspresponse`); nil when none is configured.
        var statusFiles: CAStatusFiles?
        /// With signer pairs (`SignerRotation`): when the last one ends, what the expiry warning and the
        /// expiry metric are about (the one signing now is replaced before its end); nil: one pair.
        var lastPairEnd: (notAfter: UnixTime, path: String)?

        /// When signing for this CA ends unless a certificate is renewed: the last pair's end, else the signer's.
        var signingEnd: UnixTime { lastPairEnd?.notAfter ?? signer.period.notAfter }

        package init(name: String, ca: String, signer: OpenSSLSigner, statusFiles: CAStatusFiles? = nil,
                     lastPairEnd: (notAfter: UnixTime, path: String)? = nil) {
            self.lastPairEnd = lastPairEnd
            self.name = name
            self.ca = ca
            self.signer = signer
            self.statusFiles = statusFiles
        }
    }

    /// What the check found: problems make it 503, warnings are lines after `ok`.
    struct Report: Equatable {
        var problems: [String] = []
        var warnings: [String] = []
    }

    let database: ResponderConfiguration.Database
    let tables: [String]
    let signings: [Signing]
    /// `[ocsp] warn_days`, in seconds.
    let warning: Int64

    package init(database: ResponderConfiguration.Database, tables: [String], signings: [Signing],
                 warnDays: Int = ResponderConfiguration.Run.defaultWarnDays) {
        self.database = database
        self.tables = tables
        self.signings = signings
        self.warning = Int64(warnDays) * 86_400
    }

    /// Problems found, one sentence each (empty when healthy), and what expires soon.
    func report(at now: UnixTime) -> Report {
        var report = Report()
        for table in Set(tables).sorted() {
            if let problem = databaseProblem(table: table) {
                report.problems.append("database (table \(table)): \(problem)")
            }
        }
        for signing in signings {
            // The responder answers this CA tryLater for the same reason, from the same period.
            let period = signing.signer.period
            if let problem = period.problem(at: now) {
                report.problems.append("signing key [\(signing.name)]: \(problem)")
            } else if let last = signing.lastPairEnd {
                if let soon = expiresSoon(last.notAfter, at: now) {
                    report.warnings.append("signing key [\(signing.name)]: the last signer pair \(last.path) expires at \(last.notAfter), \(soon); issue new ones (ocsp-responder sign-delegates)")
                }
            } else if let soon = expiresSoon(period.notAfter, at: now) {
                report.warnings.append("signing key [\(signing.name)]: \(period.notAfterSource) expires at \(period.notAfter), \(soon); install a renewed signing certificate")
            }
            do {
                _ = try signing.signer.sign(Array("health".utf8))
            } catch {
                report.problems.append("signing key [\(signing.name)]: cannot sign (\(error.inputReason))")
            }
            for file in signing.statusFiles?.inspect() ?? [] {
                let about = "ocspresponse \(file.path) [\(signing.name)]"
                switch file.state {
                case .unusable(let reason):
                    report.problems.append("\(about): \(reason); requests about the CA certificate get tryLater")
                case .validUntil(let end) where !(now < end):
                    report.problems.append("\(about): expired at \(end); requests about the CA certificate get tryLater; have the root sign a new one (ocsp-responder sign)")
                case .validUntil(let end):
                    if let soon = expiresSoon(end, at: now) {
                        report.warnings.append("\(about): expires at \(end), \(soon); have the root sign a new one (ocsp-responder sign)")
                    }
                case .unbounded:
                    break
                }
            }
        }
        return report
    }

    /// Why `table` cannot be read now, from a connection opened for this check alone; nil when it can.
    func databaseProblem(table: String) -> String? {
        let store = StoreOpener.open(database, table: table, access: .readOnly)
        defer { store.close() }
        do throws(StatusSourceError) {
            try store.checkConnection()
            // A look-up proves the table is there and readable, not only the connection.
            _ = try store.status(of: CertificateSerialNumber(hex: "00")!)
            return nil
        } catch {
            return error.message
        }
    }

    /// "in N days, within [ocsp] warn_days = W" when `end` is that close, else nil.
    private func expiresSoon(_ end: UnixTime, at now: UnixTime) -> String? {
        let left = end.seconds - now.seconds
        guard left < warning else { return nil }
        // Hours below two days; above, days to the nearest (5.99 days left is "in 6 days").
        let text = left < 2 * 86_400 ? "in \(left / 3600) hours" : "in \((left + 43_200) / 86_400) days"
        return "\(text), within [ocsp] warn_days = \(warning / 86_400)"
    }
}

/// One CA's `ocspresponse` files, as `serve`'s health check and metrics read them: each file read afresh,
/// as the responder reads it for every request about the CA certificate.
package struct CAStatusFiles: Sendable {
    package var naming: IntermediateResponse.Naming
    package var paths: [String]

    package init(naming: IntermediateResponse.Naming, paths: [String]) {
        self.naming = naming
        self.paths = paths
    }

    package init(_ intermediate: IntermediateResponse) {
        self.init(naming: intermediate.naming, paths: intermediate.paths)
    }

    struct File: Equatable {
        enum State: Equatable {
            /// Answers for the CA certificate until then (its earliest nextUpdate about it).
            case validUntil(UnixTime)
            /// Answers for it without a nextUpdate.
            case unbounded
            /// Cannot be read or parsed, or does not answer for the CA certificate.
            case unusable(String)
        }
        var path: String
        var state: State
    }

    func inspect() -> [File] {
        paths.map { path in
            let stored: StoredResponse
            do {
                stored = try StoredResponse(derOrPEM: try FileIO.read(path: path, limit: 1 << 20))
            } catch {
                return File(path: path, state: .unusable(error.inputReason))
            }
            switch naming.validUntil(stored) {
            case .until(let end)?: return File(path: path, state: .validUntil(end))
            case .never?: return File(path: path, state: .unbounded)
            case nil: return File(path: path, state: .unusable("it does not answer for serial 0x\(naming.serial) issued by this CA's issuer"))
            }
        }
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
