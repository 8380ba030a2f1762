/// How to reach the MariaDB server holding the status table.
public struct MariaDBOptions: Sendable, Hashable {
    /// Host for TCP; ignored when `socket` is set. Default `localhost`.
    public var host: String
    /// TCP port. Default 3306.
    public var port: UInt32
    /// Unix socket path; nil means TCP to host:port.
    public var socket: String?
    public var database: String
    public var user: String
    public var password: String?
    /// Seconds to wait for the connection. Default 5.
    public var connectTimeout: UInt32
    /// Seconds to wait for each read or write on an open connection. Default 5.
    public var ioTimeout: UInt32

    public init(
        host: String = "localhost", port: UInt32 = 3306, socket: String? = nil, database: String,
        user: String, password: String?, connectTimeout: UInt32 = 5, ioTimeout: UInt32 = 5
    ) {
        self.host = host
        self.port = port
        self.socket = socket
        self.database = database
        self.user = user
        self.password = password
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
    }

    /// Where we connect, for messages: never the password.
    public var endpoint: String {
        socket.map { "unix socket \($0)" } ?? "\(host):\(port)"
    }
}
