import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The clocks a run reads: the time of day for validity periods; for durations and deadlines,
/// `ContinuousClock` (monotonic), used directly.
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

    /// Monotonic nanoseconds (`CLOCK_MONOTONIC`), for a duration measured on every request: a plain
    /// integer, without `ContinuousClock`'s `Duration` arithmetic (`serve`'s request-duration histogram).
    package static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Milliseconds since `started`, to the hundredth, as log lines give durations.
    package static func milliseconds(since started: ContinuousClock.Instant) -> Double {
        (seconds(started.duration(to: .now)) * 100_000).rounded() / 100
    }

    /// `duration` in seconds, as summaries and rates give it.
    package static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
