#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCSPWire

/// `serve`'s main thread waiting for a signal of `set` (blocked in every thread), or for a moment.
enum SignalWait {
    /// The signal received, or 0 once `rotationAt` (just past that second) or `orWithin` seconds came
    /// first; without either, waits for a signal alone (`sigwait`).
    static func next(_ set: inout sigset_t, rotationAt: UnixTime?, orWithin limit: Double?) -> Int32 {
        guard let limit else {
            var received: Int32 = 0
            sigwait(&set, &received)
            return received
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let current = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        var wait = limit
        // 10 ms past the second, so that the time read then is that second.
        if let rotationAt { wait = min(wait, max(0.01, Double(rotationAt.seconds) + 0.01 - current)) }
        var timeout = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - Double(Int(wait))) * 1e9))
        let received = sigtimedwait(&set, nil, &timeout)
        return received > 0 ? received : 0
    }
}
