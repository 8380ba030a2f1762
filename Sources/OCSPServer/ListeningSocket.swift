#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOPosix

/// A TCP socket bound and listening before `serve` has any thread, so that root can bind port 80 and
/// then drop to `[ocsp] user` before the first NIO thread exists; NIO takes it over afterwards.
///
/// `ServerBootstrap.bind` would need the event loops (threads) first, and then they would have been
/// started as root. The descriptor is closed here unless NIO took it.
final class ListeningSocket {
    /// Why an address cannot be listened on; `serve` exits 69 with it.
    struct Failure: Error, CustomStringConvertible {
        enum Step: String, Sendable {
            case resolve, socket, bind, listen, handOver = "hand over"
        }

        var step: Step
        var address: ListenAddress
        var reason: String

        var description: String { "\(step.rawValue): \(reason)" }
    }

    let address: ListenAddress
    let backlog: Int32
    /// -1 once NIO owns it.
    private var fd: Int32

    init(_ address: ListenAddress, backlog: Int32) throws(Failure) {
        self.address = address
        self.backlog = backlog
        let resolved: SocketAddress
        do {
            resolved = try SocketAddress.makeAddressResolvingHost(address.host, port: address.port)
        } catch {
            throw Failure(step: .resolve, address: address, reason: "\(error.inputReason)")
        }
        fd = socket(resolved.protocol.rawValue, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.failure(.socket, address) }
        // As NIO's bind did: a restarted server binds again at once, despite connections in TIME_WAIT.
        var on: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw Self.failure(.socket, address)
        }
        // IPv6 only on an IPv6 address, as nginx does: `--listen 0.0.0.0:80 --listen [::]:80` then binds
        // both, where a dual-stack [::]:80 (Linux's default, bindv6only=0) would already hold IPv4's port 80.
        if resolved.protocol == .inet6 {
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw Self.failure(.socket, address)
            }
        }
        let descriptor = fd
        guard resolved.withSockAddr({ bind(descriptor, $0, socklen_t($1)) }) == 0 else { throw Self.failure(.bind, address) }
        guard listen(fd, backlog) == 0 else { throw Self.failure(.listen, address) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Gives the socket to `bootstrap`'s event loops, which own and close it from now on.
    func handOver(to bootstrap: ServerBootstrap) throws(Failure) -> any Channel {
        let channel: any Channel
        do {
            channel = try bootstrap.withBoundSocket(fd).wait()
        } catch {
            throw Failure(step: .handOver, address: address, reason: "\(error.inputReason)")
        }
        // NIO listens again as it takes the socket, with its default backlog of 128 (before any channel
        // option applies); a further listen() on a listening socket only sets the backlog, back to ours.
        _ = listen(fd, backlog)
        fd = -1
        return channel
    }

    private static func failure(_ step: Failure.Step, _ address: ListenAddress) -> Failure {
        let number = errno
        return Failure(step: step, address: address, reason: String(cString: strerror(number)))
    }
}
