import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking TCP connection with send and receive timeouts, for `check`'s few requests: an HTTP
/// exchange with a responder or a CA Issuers server, and a TLS handshake.
package final class TCPSocket {
    package let descriptor: Int32

    /// Connects to `host:port` (each address getaddrinfo gives, in order); every step is bounded by `timeout` seconds.
    package init(host: String, port: Int, timeout: Int) throws(CommandFailure) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw Self.failure("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), current.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            // On Linux SO_SNDTIMEO also bounds connect().
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
                descriptor = fd
                return
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw Self.failure("cannot connect to \(host):\(port): \(lastError)")
    }

    deinit {
        close(descriptor)
    }

    package func send(_ bytes: [UInt8]) throws(CommandFailure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw Self.failure("cannot send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Everything until the peer closes, at most `limit` bytes.
    package func receiveAll(limit: Int) throws(CommandFailure) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : String(cString: strerror(errno))
                throw Self.failure("cannot read the answer: \(reason)")
            }
            if count == 0 { return received }
            received += chunk[0..<count]
            guard received.count <= limit else { throw Self.failure("the answer is larger than \(limit) bytes") }
        }
    }

    static func failure(_ message: String) -> CommandFailure {
        CommandFailure(ExitStatus.Check.error, message)
    }
}
