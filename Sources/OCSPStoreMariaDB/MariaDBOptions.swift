import OCSPStore
/// How to reach the MariaDB server holding the status table.
package struct MariaDBOptions: Sendable, Hashable {
    /// Host for TCP; ignored when `socket` is set. Default `localhost`.
    package var host: String
    /// TCP port. Default 3306.
    package var port: UInt32
    /// Unix socket path; nil means TCP to host:port.
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
        host: String = "localhost", port: UInt32 = 3306, socket: String? = nil, database: String,
        user: String, password: String?, connectTimeout: UInt32 = 5, ioTimeout: UInt32 = 5, tls: TLS? = nil
    ) {
        self.host = host
        self.port = port
        self.socket = socket
        self.database = database
        self.user = user
        self.password = password
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.tls = tls
    }

    /// Where we connect, for messages: never the password.
    package var endpoint: String {
        socket.map { "unix socket \($0)" } ?? "\(host):\(port)"
    }
}

extension MariaDBOptions: StatusStoreBackend {
    /// A session on a connection of its own. MariaDB's user decides what may be written, so `access`
    /// changes nothing here; the timeouts are the options'.
    package func openSession(access: StoreAccess) -> any StatusStoreSession {
        MariaDBSession(options: self)
    }
}
