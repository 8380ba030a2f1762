#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// systemd's readiness protocol (`sd_notify(3)`, `Type=notify`), without libsystemd: one datagram of
/// `KEY=VALUE` lines to the unix socket named by `$NOTIFY_SOCKET`.
///
/// A path (`/run/systemd/notify`) or, with a leading `@`, a name in the abstract namespace. Each message
/// opens its own socket, sends, and closes it, as libsystemd does: nothing stays open between messages,
/// and a socket systemd re-created (`daemon-reexec`) is found again. Nothing here blocks on the receiver:
/// a datagram to a unix socket either queues or fails at once (`MSG_DONTWAIT`).
package struct ServiceNotifier: Sendable {
    /// `$NOTIFY_SOCKET` as given.
    package let socketName: String

    /// Why a message did not get through: the socket as named, and what the system said.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var socket: String
        package var reason: String
        package var description: String { "cannot notify systemd on \(socket): \(reason)" }
    }

    /// From `$NOTIFY_SOCKET`; nil when it is unset, empty, or not a unix socket (a `vsock:` address, which
    /// only a virtual machine's supervisor uses, is not supported).
    package static func fromEnvironment() -> ServiceNotifier? {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), let first = value.first,
              first == "/" || first == "@" else { return nil }
        return ServiceNotifier(socketName: value)
    }

    package init(socketName: String) {
        self.socketName = socketName
    }

    /// Start-up is done (the sockets listen): `systemctl start` returns, and units ordered after start.
    package func ready(status: String? = nil) throws(Failure) {
        try send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// A reload began (SIGHUP); `ready()` ends it. systemd 253 and later want the monotonic clock with it,
    /// to tell this reload from an earlier one; 252 reads only `RELOADING=1`.
    package func reloading() throws(Failure) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        try send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    /// A graceful shutdown began (a signal, draining the requests in flight).
    package func stopping() throws(Failure) {
        try send(["STOPPING=1"])
    }

    /// Sends `lines` as one datagram.
    package func send(_ lines: [String]) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(socketName.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        if abstract { name[0] = 0 }
        // A path needs room for its terminating NUL; an abstract name is exactly its bytes.
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard name.count + (abstract ? 0 : 1) <= capacity, name.count > 1 || !abstract else {
            throw Failure(socket: socketName, reason: "the name is longer than a unix socket address allows (\(capacity - 1) bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? MemoryLayout<sa_family_t>.size
        let length = socklen_t(pathOffset + name.count + (abstract ? 0 : 1))

        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(socket: socketName, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let message = Array(lines.joined(separator: "\n").utf8)
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), $0, length)
                }
            }
        }
        guard sent == message.count else {
            throw Failure(socket: socketName, reason: sent < 0 ? String(cString: strerror(errno)) : "sent \(sent) of \(message.count) bytes")
        }
    }
}
