import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking TCP connection with send and receive timeouts, for `check --host`'s TLS handshake: OpenSSL
/// reads the peer's chain over the descriptor itself (NIO would need swift-nio-ssl, which the package
/// does not use; the HTTP exchanges are on NIO, `HTTPFetch`).
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
        throw Self.failure("cannot connect to \(HostPort(host: host, port: port).text): \(lastError)")
    }

    deinit {
        close(descriptor)
    }

    static func failure(_ message: String) -> CommandFailure {
        CommandFailure(ExitStatus.Check.error, message)
    }
}
