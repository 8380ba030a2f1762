@testable import OCSPClient
import Foundation
import TestSupport
import Testing

/// `check`'s HTTP client against a loopback listener that sends canned bytes: framings, limits, errors.
@Suite("HTTP client", .serialized)
struct HTTPFetchTests {
    /// Listens on 127.0.0.1 (or ::1), takes one connection, reads the request head (and `bodyLength`
    /// octets of body), keeps it, answers `answer` unless nil (then waits until closed), and closes.
    final class CannedServer: @unchecked Sendable {
        // @unchecked Sendable: `request` is written by the serving thread before `done` is signalled, and
        // read only after waiting for it.
        let port: Int
        private let listener: Int32
        private(set) var request: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(answer: [UInt8]?, bodyLength: Int = 0, ipv6: Bool = false) throws {
            let listener = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard listener >= 0 else { throw TestFailure("socket") }
            self.listener = listener
            var storage = sockaddr_storage()
            var length: socklen_t
            if ipv6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_addr = in6addr_loopback
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
                withUnsafeBytes(of: &address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
                withUnsafeBytes(of: &address) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            }
            let bound = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
                }
            }
            guard bound else { close(listener); throw TestFailure("cannot listen") }
            port = withUnsafeBytes(of: &storage) { bytes in
                Int(UInt16(bigEndian: bytes.load(fromByteOffset: 2, as: UInt16.self)))
            }
            let listening = listener
            Thread.detachNewThread { [self] in
                let connection = accept(listening, nil, nil)
                guard connection >= 0 else {
                    done.signal()
                    return
                }
                var received: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    if let end = received.firstRange(of: [13, 10, 13, 10])?.upperBound, received.count - end >= bodyLength { break }
                    let count = recv(connection, &chunk, chunk.count, 0)
                    guard count > 0 else { break }
                    received += chunk[0..<count]
                }
                request = received
                if let answer {
                    _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                } else {
                    while recv(connection, &chunk, chunk.count, 0) > 0 {}
                }
                close(connection)
                done.signal()
            }
        }

        deinit { close(listener) }

        var requestText: String {
            done.wait()
            return String(decoding: request, as: UTF8.self)
        }
    }

    static func fetch(_ server: CannedServer, host: String = "127.0.0.1", path: String = "/ocsp", timeout: Int = 5) throws -> HTTPFetch.Response {
        let url = try #require(HTTPFetch.URL(parsing: "http://\(host):\(server.port)\(path)"))
        return try HTTPFetch.get(url, accept: "application/ocsp-response", timeout: timeout)
    }

    static func failure(_ body: () throws -> HTTPFetch.Response) -> String {
        do {
            let response = try body()
            return "no failure: HTTP \(response.status)"
        } catch {
            return "\(error)"
        }
    }

    @Test("A Content-Length answer; the request names the path, the host and the port, and closes")
    func contentLength() throws {
        let server = try CannedServer(answer: Array("HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: 3\r\n\r\nabc".utf8))
        let response = try Self.fetch(server, path: "/ocsp/MEIw%2B")
        #expect(response.status == 200)
        #expect(response.body == Array("abc".utf8))
        #expect(response.header("content-type") == "application/ocsp-response")
        let request = server.requestText
        #expect(request.hasPrefix("GET /ocsp/MEIw%2B HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("\r\nConnection: close\r\n"))
        #expect(request.contains("\r\nAccept: application/ocsp-response\r\n"))
    }

    @Test("A chunked answer is put together; an HTTP/1.0 answer without a length runs to the close")
    func framings() throws {
        let chunked = try CannedServer(answer: Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8))
        #expect(try Self.fetch(chunked).body == Array("abcde".utf8))
        let untilClose = try CannedServer(answer: Array("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n\r\nwhole body".utf8))
        #expect(try Self.fetch(untilClose).body == Array("whole body".utf8))
        let notFound = try CannedServer(answer: Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(try Self.fetch(notFound).status == 404)
    }

    @Test("A POST carries its body with its length and type")
    func post() throws {
        let server = try CannedServer(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx".utf8), bodyLength: 4)
        let url = try #require(HTTPFetch.URL(parsing: "http://127.0.0.1:\(server.port)/"))
        let response = try HTTPFetch.post(url, body: [0x30, 0x02, 0x05, 0x00], contentType: "application/ocsp-request",
                                          accept: "application/ocsp-response", timeout: 5)
        #expect(response.body == Array("x".utf8))
        let request = server.requestText
        #expect(request.hasPrefix("POST / HTTP/1.1\r\n"))
        #expect(request.contains("\r\nContent-Length: 4\r\n") && request.contains("\r\nContent-Type: application/ocsp-request\r\n"))
        #expect(Array(request.utf8.suffix(4)) == [0x30, 0x02, 0x05, 0x00])
    }

    @Test("Too large, not HTTP, cut short, silent and refused are failures with the reason")
    func failures() throws {
        let large = try CannedServer(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: \(HTTPFetch.maximumAnswer + 1)\r\n\r\n".utf8)
                                          + [UInt8](repeating: 0x41, count: HTTPFetch.maximumAnswer + 1))
        #expect(Self.failure { try Self.fetch(large) }.contains("the answer is larger than \(HTTPFetch.maximumAnswer) bytes"))
        let ssh = try CannedServer(answer: Array("SSH-2.0-OpenSSH_9.2\r\n".utf8))
        #expect(Self.failure { try Self.fetch(ssh) }.contains("did not answer with HTTP"))
        let short = try CannedServer(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        #expect(Self.failure { try Self.fetch(short) }.contains("closed the connection before a whole HTTP answer"))
        let silent = try CannedServer(answer: nil)
        #expect(Self.failure { try Self.fetch(silent, timeout: 1) }.contains("cannot read the answer: timed out"))
        let port = try freePort()
        let url = try #require(HTTPFetch.URL(parsing: "http://127.0.0.1:\(port)/"))
        #expect(Self.failure { try HTTPFetch.get(url, accept: "*/*", timeout: 5) } .contains("cannot connect to 127.0.0.1:\(port): Connection refused"))
        let unresolvable = try #require(HTTPFetch.URL(parsing: "http://no-such-host.invalid/"))
        #expect(Self.failure { try HTTPFetch.get(unresolvable, accept: "*/*", timeout: 5) }.contains("no-such-host.invalid"))
    }

    @Test("IPv6 in brackets: the connection and the Host header")
    func ipv6() throws {
        guard let server = try? CannedServer(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6".utf8), ipv6: true) else { return }
        #expect(try Self.fetch(server, host: "[::1]").body == Array("v6".utf8))
        #expect(server.requestText.contains("\r\nHost: [::1]:\(server.port)\r\n"))
    }
}
