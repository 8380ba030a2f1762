import OCSPWire
/// A `--listen` value: `HOST:PORT`, `[IPV6]:PORT`, or `:PORT` for every address.
package struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The port is required; 0 asks the kernel for one.
    package init?(parsing text: String) {
        guard let parsed = HostPort(parsing: text, ports: 0...65535, allowsEmptyHost: true), let port = parsed.port else { return nil }
        self.host = parsed.host.isEmpty ? "0.0.0.0" : parsed.host
        self.port = port
    }

    package var description: String {
        HostPort(host: host, port: port).text
    }
}
