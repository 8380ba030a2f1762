import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOConcurrencyHelpers

/// Times as HTTP writes them: `Tue, 25 Nov 2026 10:00:00 GMT` (RFC 9110 §5.6.7, IMF-fixdate), and as
/// the common log format writes them: `25/Nov/2026:10:00:00 +0000`.
package enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    package static func imfFixdate(_ time: UnixTime) -> String {
        let t = broken(time)
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }

    /// `imfFixdate` of the current second, for every response's `Date` (RFC 9110 §6.6.1): formatted once a
    /// second and shared by the event loops, since a cached answer costs little more than formatting it.
    static func current() -> String {
        let now = time(nil)
        return currentSecond.withLockedValue { cached in
            if cached.second != now {
                cached = (now, imfFixdate(UnixTime(seconds: Int64(now))))
            }
            return cached.text
        }
    }

    private static let currentSecond = NIOLockedValueBox<(second: time_t, text: String)>((-1, ""))

    package static func commonLog(_ time: UnixTime) -> String {
        let t = broken(time)
        return "\(two(t.tm_mday))/\(months[Int(t.tm_mon)])/\(t.tm_year + 1900):\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) +0000"
    }

    private static func broken(_ time: UnixTime) -> tm {
        var seconds = time_t(time.seconds)
        var result = tm()
        gmtime_r(&seconds, &result)
        return result
    }

    private static func two(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
