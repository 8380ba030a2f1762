#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCSPCore

/// Times as HTTP writes them: `Tue, 25 Nov 2026 10:00:00 GMT` (RFC 9110 §5.6.7, IMF-fixdate), and as
/// the common log format writes them: `25/Nov/2026:10:00:00 +0000`.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func imfFixdate(_ time: UnixTime) -> String {
        let t = broken(time)
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }

    public static func commonLog(_ time: UnixTime) -> String {
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
