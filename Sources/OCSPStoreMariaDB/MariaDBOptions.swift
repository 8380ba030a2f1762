import OCSPStore
import OCSPWire

/// How to reach the MariaDB server holding the status table.
package struct MariaDBOptions: Sendable, Hashable {
    /// The servers to try, in this order, over TCP; ignored when `socket` is set. A host that cannot
    /// serve now is skipped for `failback` seconds, then tried first again (`MariaDBHostBoard`).
    /// Default `localhost:3306`.
    package var hosts: [MariaDBHost]
    /// Unix socket path; nil means TCP to `hosts`.
    package var socket: String?
    package var database: String
    package var user: String
    package var password: String?
    /// Seconds to wait for the connection. Default 5.
    package var connectTimeout: UInt32
    /// Seconds to wait for each read or write on an open connection. Default 5.
    package var ioTimeout: UInt32
    /// TLS to the server (`[db] ssl_*`); nil: none, as OCSP_MySql connected.
    package var tls: TLS?
    /// Seconds a host that could not serve is left for the next one (`[db] failback`). Default 30.
    package var failbackSeconds: UInt32
    /// The replication lag, in seconds, above which a replica is not used (`[db] max_lag`); nil: any lag.
    /// A replica whose replication stopped has no known lag and is not used either.
    package var maxLagSeconds: UInt32?

    /// TLS to MariaDB: required once set, never a fallback to plain text.
    package struct TLS: Sendable, Hashable {
        /// The CA certificate(s) that must have issued the server's certificate (`ssl_ca`).
        package var certificateAuthority: String?
        /// A client certificate and its key (`ssl_cert`, `ssl_key`), for an account that `REQUIRE X509`.
        package var certificate: String?
        package var key: String?
        /// Check the server's certificate against `certificateAuthority` and its name against the host.
        package var verifiesServer: Bool

        package init(certificateAuthority: String?, certificate: String?, key: String?, verifiesServer: Bool) {
            self.certificateAuthority = certificateAuthority
            self.certificate = certificate
            self.key = key
            self.verifiesServer = verifiesServer
        }
    }

    package init(
        hosts: [MariaDBHost], socket: String? = nil, database: String, user: String, password: String?,
        connectTimeout: UInt32 = 5, ioTimeout: UInt32 = 5, tls: TLS? = nil, failbackSeconds: UInt32 = 30, maxLagSeconds: UInt32? = nil
    ) {
        self.hosts = hosts.isEmpty ? [MariaDBHost(name: "localhost", port: 3306)] : hosts
        self.socket = socket
        self.database = database
        self.user = user
        self.password = password
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.tls = tls
        self.failbackSeconds = failbackSeconds
        self.maxLagSeconds = maxLagSeconds
    }

    /// One server at `host:port`.
    package init(
        host: String = "localhost", port: UInt32 = 3306, socket: String? = nil, database: String,
        user: String, password: String?, connectTimeout: UInt32 = 5, ioTimeout: UInt32 = 5, tls: TLS? = nil
    ) {
        self.init(hosts: [MariaDBHost(name: host, port: port)], socket: socket, database: database, user: user,
                  password: password, connectTimeout: connectTimeout, ioTimeout: ioTimeout, tls: tls)
    }

    /// The first host's name.
    package var host: String { hosts.first?.name ?? "localhost" }

    /// Where we connect, for messages: never the password.
    package var endpoint: String {
        socket.map { "unix socket \($0)" } ?? hosts.map(\.endpoint).joined(separator: ", ")
    }

    /// The places to connect to, in order: the socket alone, or each host.
    var places: [MariaDBHost] {
        socket == nil ? hosts : [MariaDBHost(socket: socket ?? "")]
    }

    /// How the host board names each place, in order (`serve`'s metrics report each one).
    package var endpoints: [String] { places.map(\.endpoint) }
}

/// One MariaDB server of a `[db] host` list: a name (or address) and a TCP port, or a unix socket.
package struct MariaDBHost: Sendable, Hashable {
    package var name: String
    package var port: UInt32
    /// Set for the local server over its unix socket; `name` and `port` are then unused.
    package var socket: String?

    package init(name: String, port: UInt32) {
        self.name = name
        self.port = port
        socket = nil
    }

    init(socket: String) {
        name = "localhost"
        port = 0
        self.socket = socket
    }

    /// `name:port` (an IPv6 address in brackets) or `unix socket PATH`: how messages and the host board
    /// name it.
    package var endpoint: String {
        socket.map { "unix socket \($0)" } ?? HostPort(host: name, port: Int(port)).text
    }
}

extension MariaDBOptions: StatusStoreBackend {
    /// A session on a connection of its own; the timeouts are the options'. MariaDB's user decides what
    /// may be written; a session opened for writing also refuses a server whose `read_only` is on.
    package func openSession(access: StoreAccess) -> any StatusStoreSession {
        MariaDBSession(options: self, access: access)
    }
}
