import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The clocks a run reads: the time of day for validity periods, a monotonic clock for durations.
package enum RunClock {
    package static func currentTime() -> UnixTime {
        UnixTime(seconds: Int64(time(nil)))
    }

    /// The time of day in nanoseconds since the epoch, for deadlines finer than `currentTime`'s seconds.
    package static func wallClockNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    package static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Milliseconds since `started` (`monotonicNanoseconds`), to the hundredth, as log lines give durations.
    package static func milliseconds(since started: Int64) -> Double {
        (Double(monotonicNanoseconds() - started) / 10_000).rounded() / 100
    }
}
