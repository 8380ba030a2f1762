/// A host and an optional port as written on a command line, in a URL's authority or a `--listen`
/// value: `HOST`, `HOST:PORT`, `[IPV6]` or `[IPV6]:PORT` (RFC 3986 §3.2.2 and §3.2.3, no userinfo).
///
/// An IPv6 address must be in brackets: `2001:db8::1:443` could be either an address or an address and
/// a port. The port is decimal digits only; a colon with no digits after it is an error, not "no port".
package struct HostPort: Hashable, Sendable {
    /// The host as given, without the brackets of an IPv6 literal; empty only when `allowsEmptyHost`.
    package var host: String
    /// Nil when the text has no port.
    package var port: Int?

    package init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// Nil when `text` is none of the forms above, when its port is outside `ports`, or when its host is
    /// empty and `allowsEmptyHost` is false (`:8080` means every address only for a listener).
    package init?(parsing text: some StringProtocol, ports: ClosedRange<Int> = 1...65535, allowsEmptyHost: Bool = false) {
        let host: Substring
        let portText: Substring?
        let text = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            guard !host.isEmpty else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                portText = nil
            } else {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty || allowsEmptyHost else { return nil }
        } else {
            host = text
            portText = nil
            guard !host.isEmpty else { return nil }
        }
        guard !host.contains(where: { $0 == "[" || $0 == "]" || $0 == "/" || $0 == " " }) else { return nil }
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let port = Int(portText), ports.contains(port)
            else { return nil }
            self.port = port
        } else {
            self.port = nil
        }
        self.host = String(host)
    }

    /// `host:port`, the host in brackets when it is an IPv6 address; the port left out when nil.
    package var text: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shownHost):\($0)" } ?? shownHost
    }
}
