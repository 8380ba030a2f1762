#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

extension SocketAddress {
    /// The client's address as the access log writes it: `192.0.2.1`, `2001:db8::1`, `-` for a unix socket.
    /// IPv4 is formatted here, from the address's four bytes: NIO's `ipAddress` goes through `inet_ntop` and
    /// its printf, a measurable share of an answer repeated by the event loop (`perf`, `serve` under `ab`).
    var logText: String {
        guard case .v4(let address) = self else { return ipAddress ?? "-" }
        let bytes = UInt32(bigEndian: address.address.sin_addr.s_addr)
        return "\(bytes >> 24).\((bytes >> 16) & 0xFF).\((bytes >> 8) & 0xFF).\(bytes & 0xFF)"
    }
}
