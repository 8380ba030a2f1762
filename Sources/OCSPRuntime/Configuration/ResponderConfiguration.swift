import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// Everything `config.ini` says, checked. An OCSP_MySql config file loads unchanged.
///
/// ```ini
/// [db]
/// host = localhost        ; TCP host (default localhost), or a list tried in order: h1[:port], h2[:port]
/// port = 3306             ; the port of a host without one
/// failback = 30           ; seconds a host that could not serve is left for the next
/// max_lag =               ; seconds of replication lag past which a replica is not used; default off
/// socket = 0              ; /a/path, 1 (or yes, true) = /run/mysqld/mysqld.sock, else TCP
/// db = ocsp
/// username = pycert
/// password = ...
/// log = INFO              ; OCSP_MySql's log level
/// table = list_certs
/// connect_timeout = 5
///
/// [ocsp]
/// cert = /etc/ocsp-responder/intermediate.pem   ; signing certificate
/// pkey = /etc/ocsp-responder/intermediate.key
/// password =                                    ; key passphrase, optional
///                                               ; or pkey = pkcs11:token=T;object=K?pin-source=file:/etc/ocsp-responder/token.pin
/// pkcs11_module = /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so   ; with a pkcs11: pkey
/// issuer =                                      ; the CA answered for; default: cert
/// producetime = 1d                              ; h, d, m (30 days), y (365 days)
/// not_found = unknown                           ; unknown | unauthorized | revoked
/// ocspresponse = ...                            ; the intermediate's pre-signed response
/// cache = ...                                   ; response cache directory
/// revalidate = 60                               ; seconds a kept response is served unchecked
/// timeout = 10                                  ; seconds a whole run may take
/// user = pycert                                 ; run only as that user (root becomes it)
/// warn_days = 14                                ; serve's /health/ready warns this close to an expiry
/// require_signed_requests = no                  ; yes: unsigned -> sigRequired, untrusted -> unauthorized
/// trusted_requestors = ...                      ; PEM: requestors' certificates, or the CAs that issue them
///
/// [issuer second-ca]                            ; another CA, same keys as [ocsp]'s CA keys
/// cert = ...
///
/// [db_admin]                                    ; what `db` commands use instead of [db]'s keys
/// host = primary.example                        ; (any MariaDB key of [db]: host, username, password…)
///
/// [log]
/// file = /var/log/ocsp-responder.log            ; default: stderr
/// level = info
/// ```
package struct ResponderConfiguration: Sendable {
    /// `/etc/ocsp-responder/config.ini`, unless `--config` or `$OCSP_RESPONDER_CONFIG` says otherwise.
    package static let defaultPath = "/etc/ocsp-responder/config.ini"
    /// The config file to read: `explicit` (from `--config`), else `$OCSP_RESPONDER_CONFIG`, else the default.
    package static func resolvePath(explicit: String?) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = getenv("OCSP_RESPONDER_CONFIG"), fromEnvironment.pointee != 0 {
            return String(cString: fromEnvironment)
        }
        return defaultPath
    }

    /// OCSP_MySql's `socket = 1`.
    package static let defaultSocket = "/run/mysqld/mysqld.sock"

    /// The unix socket `[db] socket` names, or nil for TCP. OCSP_MySql connected over its socket only for
    /// `1` and over TCP for anything else; `true` and `yes` mean `1` too, and a value starting with `/`
    /// is a socket path. Anything else (`0`, `no`, `false`, a relative path) is TCP, as it was there: a
    /// config that worked with OCSP_MySql must not now try to connect to a file named `no`.
    package static func socketPath(_ value: String?) -> String? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "1", "true", "yes": return defaultSocket
        case _ where value.hasPrefix("/"): return value
        default: return nil
        }
    }

    /// Where the status table lives.
    package enum Backend: Sendable, Hashable {
        /// A MariaDB (or MySQL) server, as OCSP_MySql used.
        case mariadb(MariaDBOptions)
        /// An SQLite file: no server to run.
        case sqlite(path: String)
    }

    package struct Database: Sendable {
        package var backend: Backend
        /// The default status table; `[issuer NAME]` sections may name their own.
        package var table: String
        /// Seconds to wait for the server (connect, each read and write) or for SQLite's lock.
        package var timeoutSeconds: UInt32

        package init(backend: Backend, table: String, timeoutSeconds: UInt32) {
            self.backend = backend
            self.table = table
            self.timeoutSeconds = timeoutSeconds
        }

        /// For messages: `MariaDB at …` or `SQLite file …`; never the password.
        package var backendDescription: String {
            switch backend {
            case .mariadb(let options): "MariaDB at \(options.endpoint), database \(options.database)"
            case .sqlite(let path): "SQLite file \(path)"
            }
        }

        /// The MariaDB connection, when that is the backend.
        package var options: MariaDBOptions? {
            if case .mariadb(let options) = backend { options } else { nil }
        }
    }

    /// One CA we answer for: `[ocsp]`, or an `[issuer NAME]` section.
    package struct Signing: Sendable {
        /// The config section: `ocsp` or `issuer NAME`.
        package var section: String
        /// `ocsp`, or the NAME of `[issuer NAME]`, for log lines.
        package var name: String
        package var certificatePath: String
        package var keyPath: String
        package var keyPassword: String?
        /// `pkey = pkcs11:...`: the key on a token, and `pkcs11_module`; nil for a key file.
        package var pkcs11: (uri: PKCS11URI, module: String)?
        /// nil: the signing certificate is the issuer.
        package var issuerPath: String?
        /// Seconds from thisUpdate to nextUpdate.
        package var validity: Int64
        package var notFound: NotFoundPolicy
        /// The CA certificate's own responses (`ocspresponse`, comma-separated): one per hash algorithm
        /// its issuer signed, or one file answering several; empty when not configured.
        package var ocspResponsePaths: [String]
        /// `include_signer = yes`: the CA's own certificate goes in `certs` too (Apache's `SSLOCSPEnable`
        /// finds no signer otherwise). A delegated responder's is always included.
        package var includeSigner: Bool
        /// The status table; `[db] table` unless the section names its own.
        package var table: String
    }

    /// How one run behaves, from `[ocsp]`.
    package struct Run: Sendable {
        /// The response cache directory; nil: no cache.
        package var cachePath: String?
        /// Seconds a whole run may take before it answers `tryLater`. Default 10.
        package var timeout: Int
        /// How long a kept response (the cache, `serve`'s memory) is served before the table is asked
        /// again; `[ocsp] revalidate`, default 60 s, 0: on every request.
        package var revalidation: Revalidation
        /// The only user the responder runs as (OCSP_MySql's `pycert`): others are refused, root becomes it
        /// (`ServiceAccount`); nil: anyone.
        package var user: String?
        /// Days before a signing certificate or a CA status file (`ocspresponse`) expires from which
        /// `serve`'s `/health/ready` says so in a warning line (still 200); `[ocsp] warn_days`, default 14,
        /// 0: no warning, only the 503 once it has expired.
        package var warnDays: Int = Run.defaultWarnDays
        /// `[ocsp] require_signed_requests = yes`: an unsigned request is answered `sigRequired`, one whose
        /// signature does not verify to a trusted requestor `unauthorized` (RFC 6960 §4.2.1).
        package var requireSignedRequests = false
        /// `[ocsp] trusted_requestors`: a PEM file of requestors' certificates or of the CAs that issue them.
        package var trustedRequestorsPath: String?

        package static let defaultWarnDays = 14
    }

    package struct Log: Sendable {
        /// nil: stderr.
        package var file: String?
        package var level: Logger.Level?
    }

    package var path: String
    package var database: Database
    /// `[db_admin]`'s keys over `[db]`'s (another account, the primary's host), for the `db` commands;
    /// nil without that section.
    package var adminOptions: MariaDBOptions?
    /// What the `db` commands write to: `adminOptions` when set, else `database`.
    package var adminDatabase: Database {
        guard let adminOptions else { return database }
        return Database(backend: .mariadb(adminOptions), table: database.table, timeoutSeconds: adminOptions.connectTimeout)
    }
    /// The CAs: `[ocsp]` first, then each `[issuer NAME]` in file order.
    package var authorities: [Signing]
    /// The default CA, `[ocsp]`.
    package var signing: Signing { authorities[0] }
    package var run: Run
    package var log: Log
    /// The line of each `section.key`, so checks made after parsing (a key file's mode, a certificate
    /// that does not load) can still name the line.
    package var lines: [String: Int] = [:]

    /// A config error about `section.key`, at its line.
    package func error(_ section: String, _ key: String, _ message: String) -> ConfigError {
        ConfigError(path: path, line: lines["\(section).\(key)"], key: key, message: message)
    }

    /// Reads and checks the file at `path`.
    package static func load(path: String) throws(ConfigError) -> ResponderConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: path, limit: 1 << 20)
        } catch {
            throw ConfigError(path: path, message: "cannot read the config file: \(error.inputReason)", quotesContent: false)
        }
        let configuration = try parse(String(decoding: bytes, as: UTF8.self), path: path)
        if configuration.holdsPassword,
           let problem = SecretFileMode.problem(path: path, what: "the config file, which holds a password,", serviceUser: configuration.run.user) {
            throw ConfigError(path: path, message: problem, quotesContent: false)
        }
        // The database client key is a secret like the CA's: refused unread when others can read it.
        for (section, options) in [("db", configuration.database.options), ("db_admin", configuration.adminOptions)] {
            if let key = options?.tls?.key,
               let problem = SecretFileMode.problem(path: key, what: "the MariaDB client key", serviceUser: configuration.run.user) {
                throw ConfigError(path: path, line: configuration.lines["\(section).ssl_key"], key: "ssl_key", message: problem, quotesContent: false)
            }
        }
        return configuration
    }

    /// True when the file sets a database or key password, so it must be private to its owner.
    package var holdsPassword: Bool {
        [database.options, adminOptions].contains { $0?.password.map { !$0.isEmpty } == true }
            || authorities.contains { $0.keyPassword != nil }
    }

    /// The keys of a MariaDB server, which `[db_admin]` may give again. Arrays, not sets, like the other
    /// key lists here: a handful of names, and the first `Set<String>` of a process costs the Swift
    /// runtime about 240,000 instructions to instantiate, at every start of a one-shot `respond`.
    static let mariadbKeys: [String] = [
        "host", "port", "socket", "db", "username", "password", "connect_timeout", "failback", "max_lag",
        "ssl_ca", "ssl_cert", "ssl_key", "ssl_verify",
    ]

    /// The keys of `[ocsp]` that describe a CA, which `[issuer NAME]` sections repeat.
    static let authorityKeys: [String] = [
        "cert", "pkey", "password", "issuer", "table", "ocspresponse", "not_found", "producetime", "include_signer",
        "pkcs11_module",
    ]

    /// Checks a config file's text; `path` is only for messages and for relative paths' sake.
    package static func parse(_ text: String, path: String) throws(ConfigError) -> ResponderConfiguration {
        let ini = try INIFile(text: text, path: path)
        // A switch, not a dictionary of sets: that dictionary's generic storage type is instantiated by
        // the Swift runtime at every start of a one-shot process.
        func known(_ name: String) -> [String]? {
            switch name {
            case "db": mariadbKeys + ["backend", "path", "log", "table"]
            case "db_admin": mariadbKeys
            case "ocsp": authorityKeys + ["cache", "timeout", "user", "revalidate", "warn_days", "require_signed_requests", "trusted_requestors"]
            case "log": ["file", "level"]
            default: nil
            }
        }
        for section in ini.sections {
            let keys: [String]
            if let fixed = known(section.name) {
                keys = fixed
            } else if let name = issuerSectionName(section.name) {
                guard !name.isEmpty else {
                    throw ConfigError(path: path, line: section.line, message: "[issuer] needs a name, as in [issuer second-ca]")
                }
                keys = authorityKeys
            } else {
                throw ConfigError(path: path, line: section.line, message: "unknown section [\(section.name)]; expected [db], [db_admin], [ocsp], [issuer NAME] or [log]")
            }
            for entry in section.entries where !keys.contains(entry.key) {
                throw ConfigError(path: path, line: entry.line, key: entry.key, message: "unknown key in [\(section.name)]")
            }
        }
        let reader = SectionReader(ini: ini, path: path)

        let table = try reader.table("db", default: "list_certs")
        let timeout = try reader.number("db", "connect_timeout", default: 5, range: 1...3600)
        let backend: Backend
        switch try reader.optional("db", "backend")?.lowercased() {
        case "sqlite":
            backend = .sqlite(path: try reader.required("db", "path"))
        case "mariadb", "mysql":
            backend = .mariadb(try reader.mariadbOptions(sections: ["db"]))
        case nil:
            // OCSP_MySql's files name a server; a file that names only a path means SQLite.
            let socket = try reader.optional("db", "socket")
            let namesServer = try reader.optional("db", "host") != nil || ResponderConfiguration.socketPath(socket) != nil
            if !namesServer, let path = try reader.optional("db", "path") {
                backend = .sqlite(path: path)
            } else {
                backend = .mariadb(try reader.mariadbOptions(sections: ["db"]))
            }
        case let other?:
            throw reader.error("db", "backend", "'\(other)' must be mariadb or sqlite")
        }

        var adminOptions: MariaDBOptions?
        if let admin = ini["db_admin"] {
            guard case .mariadb = backend else {
                throw ConfigError(path: path, line: admin.line, message: "[db_admin] gives the db commands other MariaDB keys than [db]'s; [db] is not MariaDB")
            }
            adminOptions = try reader.mariadbOptions(sections: ["db_admin", "db"])
        }

        var authorities = [try reader.authority(section: "ocsp", name: "ocsp", defaultTable: table)]
        for section in ini.sections {
            guard let name = issuerSectionName(section.name) else { continue }
            authorities.append(try reader.authority(section: section.name, name: name, defaultTable: table))
        }
        let requireSigned = try reader.yesOrNo("ocsp", "require_signed_requests")
        let trustedRequestors = try reader.optional("ocsp", "trusted_requestors")
        if requireSigned, trustedRequestors == nil {
            throw reader.error("ocsp", "require_signed_requests", "yes needs trusted_requestors = FILE in [ocsp] (the requestors' certificates, or the CAs that issue them)")
        }
        let run = Run(
            cachePath: try reader.optional("ocsp", "cache"),
            timeout: Int(try reader.number("ocsp", "timeout", default: 10, range: 1...3600)),
            revalidation: Revalidation(interval: Int64(try reader.number(
                "ocsp", "revalidate", default: UInt32(Revalidation.defaultInterval), range: 0...86_400))),
            user: try reader.optional("ocsp", "user"),
            warnDays: Int(try reader.number("ocsp", "warn_days", default: UInt32(Run.defaultWarnDays), range: 0...3650)),
            requireSignedRequests: requireSigned,
            trustedRequestorsPath: trustedRequestors
        )

        var level = try reader.level("log", "level")
        if level == nil { level = try reader.level("db", "log") }
        let log = Log(file: try reader.optional("log", "file"), level: level)
        var configuration = ResponderConfiguration(
            path: path, database: Database(backend: backend, table: table, timeoutSeconds: timeout), adminOptions: adminOptions,
            authorities: authorities, run: run, log: log
        )
        for section in ini.sections {
            for entry in section.entries { configuration.lines["\(section.name).\(entry.key)"] = entry.line }
        }
        return configuration
    }

    /// NAME for a section header `issuer NAME`, "" for a bare `issuer`, nil for any other section.
    static func issuerSectionName(_ section: String) -> String? {
        guard section == "issuer" || section.hasPrefix("issuer ") || section.hasPrefix("issuer\t") else { return nil }
        return String(Substring(section.dropFirst("issuer".count)).trimmingWhitespace())
    }

    /// `producetime`: a whole number followed by h (hours), d (days), m (30 days) or y (365 days).
    package static func parseValidity(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else { return nil }
        let seconds: Int64
        switch unit.lowercased() {
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "m": seconds = 30 * 86_400
        case "y": seconds = 365 * 86_400
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow || total > 100 * 365 * 86_400 ? nil : total
    }

    /// A log level by swift-log's name or Python logging's (`WARN`, `WARNING`, `CRITICAL`, `NOTSET`).
    package static func parseLevel(_ text: String) -> Logger.Level? {
        switch text.lowercased() {
        case "trace", "notset": .trace
        case "debug": .debug
        case "info": .info
        case "notice": .notice
        case "warn", "warning": .warning
        case "error": .error
        case "critical", "fatal": .critical
        default: nil
        }
    }
}

/// Typed access to an INIFile's values, with errors that name the file, line and key.
struct SectionReader {
    let ini: INIFile
    let path: String

    func entry(_ section: String, _ key: String) -> INIFile.Entry? {
        ini[section]?[key]
    }

    func error(_ section: String, _ key: String, _ message: String) -> ConfigError {
        ConfigError(path: path, line: entry(section, key)?.line ?? ini[section]?.line, key: key, message: message)
    }

    /// The value, or nil when absent (or empty, unless `allowEmpty`).
    func optional(_ section: String, _ key: String, allowEmpty: Bool = false) throws(ConfigError) -> String? {
        guard let entry = entry(section, key) else { return nil }
        return entry.value.isEmpty && !allowEmpty ? nil : entry.value
    }

    func required(_ section: String, _ key: String) throws(ConfigError) -> String {
        guard let value = try optional(section, key) else {
            guard ini[section] != nil else {
                throw ConfigError(path: path, key: key, message: "missing section [\(section)], which must set '\(key)'")
            }
            throw error(section, key, "required in [\(section)] but missing or empty")
        }
        return value
    }

    /// A yes/no key (also true/false, on/off, 1/0); absent: no.
    func yesOrNo(_ section: String, _ key: String) throws(ConfigError) -> Bool {
        switch try optional(section, key)?.lowercased() {
        case nil, "no", "false", "off", "0": false
        case "yes", "true", "on", "1": true
        case let text?: throw error(section, key, "'\(text)' must be yes or no")
        }
    }

    func number(_ section: String, _ key: String, default value: UInt32, range: ClosedRange<UInt32>) throws(ConfigError) -> UInt32 {
        guard let text = try optional(section, key) else { return value }
        guard let number = UInt32(text), range.contains(number) else {
            throw error(section, key, "'\(text)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The MariaDB keys, as OCSP_MySql wrote them and with what came since: each from the first of
    /// `sections` that sets it (`[db_admin]` over `[db]` for the `db` commands).
    func mariadbOptions(sections: [String]) throws(ConfigError) -> MariaDBOptions {
        let layered = Layered(reader: self, sections: sections)
        let socket = ResponderConfiguration.socketPath(try layered.optional("socket"))
        let defaultPort = try layered.number("port", default: 3306, range: 1...65535)
        let hosts = try layered.hosts(defaultPort: defaultPort)
        if socket != nil, hosts.count > 1 {
            throw layered.error("host", "a socket reaches one local server; a list of hosts needs TCP (socket = 0)")
        }
        let timeout = try layered.number("connect_timeout", default: 5, range: 1...3600)
        var options = MariaDBOptions(
            hosts: hosts,
            socket: socket,
            database: try layered.required("db"),
            user: try layered.required("username"),
            password: try layered.optional("password", allowEmpty: true),
            connectTimeout: timeout,
            ioTimeout: timeout,
            tls: try layered.tls()
        )
        options.failbackSeconds = try layered.number("failback", default: 30, range: 1...86_400)
        options.maxLagSeconds = try layered.maxLag()
        return options
    }

    /// A key looked up in several sections in turn: the first that has it answers, and names it in errors.
    struct Layered {
        let reader: SectionReader
        let sections: [String]

        /// The section that sets `key`, else the first.
        func section(_ key: String) -> String {
            sections.first { reader.entry($0, key) != nil } ?? sections[0]
        }

        func optional(_ key: String, allowEmpty: Bool = false) throws(ConfigError) -> String? {
            try reader.optional(section(key), key, allowEmpty: allowEmpty)
        }

        func required(_ key: String) throws(ConfigError) -> String {
            try reader.required(sections.first { reader.entry($0, key) != nil } ?? sections[sections.count - 1], key)
        }

        func number(_ key: String, default value: UInt32, range: ClosedRange<UInt32>) throws(ConfigError) -> UInt32 {
            try reader.number(section(key), key, default: value, range: range)
        }

        func error(_ key: String, _ message: String) -> ConfigError {
            reader.error(section(key), key, message)
        }

        /// `host`: one name or address, or a comma-separated list, each with an optional `:port`
        /// (`[v6]:port` for IPv6); `port` is the port of those without one.
        func hosts(defaultPort: UInt32) throws(ConfigError) -> [MariaDBHost] {
            guard let text = try optional("host") else { return [MariaDBHost(name: "localhost", port: defaultPort)] }
            var hosts: [MariaDBHost] = []
            for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = item.trimmingWhitespace()
                guard !trimmed.isEmpty else {
                    throw error("host", "'\(text)' has an empty entry; list hosts as h1[:port], h2[:port]")
                }
                guard let parsed = HostPort(parsing: trimmed) else {
                    throw error("host", "'\(trimmed)' is not a host, host:port or [IPv6]:port")
                }
                let host = MariaDBHost(name: parsed.host, port: parsed.port.map(UInt32.init) ?? defaultPort)
                guard !hosts.contains(host) else {
                    throw error("host", "\(host.endpoint) is listed twice")
                }
                hosts.append(host)
            }
            return hosts
        }

        /// `max_lag`: seconds, or off (the default; also `0`, `off`, `no`).
        func maxLag() throws(ConfigError) -> UInt32? {
            guard let text = try optional("max_lag") else { return nil }
            if ["0", "off", "no", "false"].contains(text.lowercased()) { return nil }
            guard let seconds = UInt32(text), (1...86_400).contains(seconds) else {
                throw error("max_lag", "'\(text)' must be a whole number of seconds from 1 to 86400, or off")
            }
            return seconds
        }

        /// `ssl_ca`, `ssl_cert`, `ssl_key`, `ssl_verify`: TLS to MariaDB once any of them is set.
        func tls() throws(ConfigError) -> MariaDBOptions.TLS? {
            let ca = try optional("ssl_ca")
            let certificate = try optional("ssl_cert")
            let key = try optional("ssl_key")
            let verifyText = try optional("ssl_verify")
            if (certificate == nil) != (key == nil) {
                throw error(certificate == nil ? "ssl_key" : "ssl_cert", "ssl_cert and ssl_key go together: the client certificate and its key")
            }
            let verifies: Bool
            switch verifyText?.lowercased() {
            case nil: verifies = ca != nil
            case "yes", "true", "on", "1": verifies = true
            case "no", "false", "off", "0": verifies = false
            case let text?: throw error("ssl_verify", "'\(text)' must be yes or no")
            }
            if verifies, ca == nil {
                throw error("ssl_verify", "checking the server's certificate needs ssl_ca, the CA that issued it")
            }
            guard ca != nil || certificate != nil || verifyText != nil else { return nil }
            return MariaDBOptions.TLS(certificateAuthority: ca, certificate: certificate, key: key, verifiesServer: verifies)
        }
    }

    /// A table name from `section`, checked to be a plain identifier (it cannot be a query parameter).
    func table(_ section: String, default value: String) throws(ConfigError) -> String {
        let table = try optional(section, "table") ?? value
        guard StatusTable.isValidName(table) else {
            throw error(section, "table", "must be a plain table name (letters, digits, _ or $)")
        }
        return table
    }

    /// One CA's keys: `[ocsp]`'s, or an `[issuer NAME]` section's.
    func authority(section: String, name: String, defaultTable: String) throws(ConfigError) -> ResponderConfiguration.Signing {
        let validity: Int64
        if let text = try optional(section, "producetime") {
            guard let seconds = ResponderConfiguration.parseValidity(text) else {
                throw error(section, "producetime", "'\(text)' is not a duration such as 12h, 1d, 1m (30 days) or 1y (365 days)")
            }
            validity = seconds
        } else {
            validity = 86_400
        }
        let notFound: NotFoundPolicy
        if let text = try optional(section, "not_found") {
            guard let policy = NotFoundPolicy(rawValue: text.lowercased()) else {
                throw error(section, "not_found", "'\(text)' must be unknown, unauthorized or revoked")
            }
            notFound = policy
        } else {
            notFound = .unknown
        }
        let includeSigner = try yesOrNo(section, "include_signer")
        // Paths are split at commas, not spaces: a path with a space is more likely than one with a comma.
        let ocspResponses = (try optional(section, "ocspresponse") ?? "")
            .split(separator: ",").map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            .filter { !$0.isEmpty }
        let keyPath = try required(section, "pkey")
        var pkcs11: (uri: PKCS11URI, module: String)?
        if PKCS11URI.isURI(keyPath) {
            let uri: PKCS11URI
            do {
                uri = try PKCS11URI(keyPath)
            } catch {
                throw self.error(section, "pkey", error.description)
            }
            guard uri.pinFile != nil else {
                throw self.error(section, "pkey", "the PKCS#11 URI needs the PIN's file: add pin-source=file:/etc/ocsp-responder/token.pin")
            }
            // An [issuer NAME] section uses [ocsp]'s module unless it names its own.
            let own = try optional(section, "pkcs11_module")
            let inherited = try optional("ocsp", "pkcs11_module")
            guard let module = own ?? inherited else {
                throw self.error(section, "pkey", "a pkcs11: key needs pkcs11_module = /path/to/module.so (e.g. /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so)")
            }
            guard module.hasPrefix("/") else { throw self.error(section, "pkcs11_module", "must be an absolute path") }
            pkcs11 = (uri, module)
        }
        return .init(
            section: section,
            name: name,
            certificatePath: try required(section, "cert"),
            keyPath: keyPath,
            keyPassword: try optional(section, "password"),
            pkcs11: pkcs11,
            issuerPath: try optional(section, "issuer"),
            validity: validity,
            notFound: notFound,
            ocspResponsePaths: ocspResponses,
            includeSigner: includeSigner,
            table: try table(section, default: defaultTable)
        )
    }

    func level(_ section: String, _ key: String) throws(ConfigError) -> Logger.Level? {
        guard let text = try optional(section, key) else { return nil }
        guard let level = ResponderConfiguration.parseLevel(text) else {
            throw error(section, key, "'\(text)' is not a log level (debug, info, warning, error, critical)")
        }
        return level
    }
}
