import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
/// A minimal HTTP/1.1 client for `check`: one request per connection (`Connection: close`), plain
/// `http://` as OCSP responders and CA Issuers URLs use (RFC 5019 §5, RFC 5280 §4.2.2.1), a bounded answer.
package enum HTTPFetch {
    /// An `http://host[:port]/path` URL.
    package struct URL: Hashable, Sendable, CustomStringConvertible {
        package var host: String
        package var port: Int
        /// The path and query, starting with `/`.
        package var target: String

        package init?(parsing text: String) {
            guard text.lowercased().hasPrefix("http://") else { return nil }
            let rest = text.dropFirst("http://".count)
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let authority = rest[..<slash]
            var target = String(rest[slash...])
            if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
            guard let hostPort = HostPort(parsing: authority) else { return nil }
            self.host = hostPort.host
            self.port = hostPort.port ?? 80
            self.target = target
        }

        package var description: String {
            "http://\(hostHeader)\(target)"
        }

        /// The Host header's value: the port left out when it is HTTP's own.
        var hostHeader: String {
            HostPort(host: host, port: port == 80 ? nil : port).text
        }
    }

    package struct Response: Sendable {
        package var status: Int
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]

        package func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Answers larger than this are refused: an OCSP response or a CA certificate is a few KiB.
    package static let maximumAnswer = 1 << 20

    package static func get(_ url: URL, accept: String, timeout: Int) throws(CommandFailure) -> Response {
        try exchange(url, head: "GET \(url.target) HTTP/1.1\r\nAccept: \(accept)\r\n", body: [], timeout: timeout)
    }

    package static func post(_ url: URL, body: [UInt8], contentType: String, accept: String, timeout: Int) throws(CommandFailure) -> Response {
        try exchange(
            url, head: "POST \(url.target) HTTP/1.1\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nAccept: \(accept)\r\n",
            body: body, timeout: timeout
        )
    }

    static func exchange(_ url: URL, head: String, body: [UInt8], timeout: Int) throws(CommandFailure) -> Response {
        let socket = try TCPSocket(host: url.host, port: url.port, timeout: timeout)
        let request = head + "Host: \(url.hostHeader)\r\nUser-Agent: ocsp-responder-check\r\nConnection: close\r\n\r\n"
        try socket.send(Array(request.utf8) + body)
        let answer = try socket.receiveAll(limit: maximumAnswer)
        guard let response = parse(answer) else {
            throw CommandFailure(CheckRun.ExitStatus.error, "\(url) did not answer with HTTP (\(answer.count) bytes)")
        }
        return response
    }

    /// Parses a whole HTTP/1.x answer read until the connection closed; nil when it is not one.
    static func parse(_ bytes: [UInt8]) -> Response? {
        guard let end = bytes.firstRange(of: [13, 10, 13, 10])?.lowerBound else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces))
        }
        var body = Array(bytes[(end + 4)...])
        var response = Response(status: status, headers: headers, body: body)
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            guard let decoded = dechunk(body) else { return nil }
            body = decoded
        } else if let length = response.header("content-length").flatMap(Int.init), length <= body.count {
            body = Array(body[0..<length])
        }
        response.body = body
        return response
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10])?.lowerBound else { return nil }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16) else { return nil }
            index = lineEnd + 2
            if size == 0 { return out }
            guard index + size <= bytes.count else { return nil }
            out += bytes[index..<(index + size)]
            index += size + 2
        }
        return out
    }
}
