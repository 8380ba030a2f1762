import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
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

    package init?(parsing text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let number = Int(port), (0...65535).contains(number) else { return nil }
        self.host = host.isEmpty ? "0.0.0.0" : String(host)
        self.port = number
    }

    package var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
