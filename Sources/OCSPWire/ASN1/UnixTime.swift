import SwiftASN1

/// A point in time as whole seconds since 1970-01-01T00:00:00Z.
///
/// OCSP times are whole seconds in UTC (RFC 5280 §4.1.2.5.2), so this is all the precision we need,
/// and it avoids Foundation's `Date` and its start-up cost in a process that runs once per request.
package struct UnixTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var seconds: Int64

    package init(seconds: Int64) {
        self.seconds = seconds
    }

    package static let epoch = UnixTime(seconds: 0)

    package static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.seconds < rhs.seconds }

    /// Saturates instead of trapping: `now + producetime` comes from a config file, and a huge value
    /// must not kill the process (the result is clamped again by `generalizedTime`).
    package static func + (lhs: UnixTime, rhs: Int64) -> UnixTime {
        let (sum, overflow) = lhs.seconds.addingReportingOverflow(rhs)
        return UnixTime(seconds: overflow ? (rhs > 0 ? .max : .min) : sum)
    }

    /// The first and last second GeneralizedTime can carry (years 0000 to 9999).
    package static let earliestGeneralizedTime = UnixTime(year: 0, month: 1, day: 1)
    package static let latestGeneralizedTime = UnixTime(year: 9999, month: 12, day: 31, hours: 23, minutes: 59, seconds: 59)

    /// Builds a time from a UTC calendar date; fields are not range-checked beyond what the arithmetic needs.
    package init(year: Int, month: Int, day: Int, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
        // Days from civil, after Howard Hinnant's public-domain algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = Int64(era * 146_097 + dayOfEra - 719_468)
        self.seconds = days * 86_400 + Int64(hours * 3600 + minutes * 60 + seconds)
    }

    /// Parses a UTC time as people write it: `2026-01-02T03:04:05Z`, `2026-01-02 03:04:05` (read as
    /// UTC, like the table's `revocation_time`) or a date alone, `2026-01-02`, meaning its midnight.
    /// Returns nil for anything else, or for a field out of range (month 13, February 30, hour 24).
    package init?(parsing text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes.indices.contains(index), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        func character(_ index: Int, in allowed: String) -> Bool {
            bytes.indices.contains(index) && allowed.utf8.contains(bytes[index])
        }
        guard bytes.count == 10 || bytes.count == 19 || (bytes.count == 20 && character(19, in: "Zz")),
              let year = number(0..<4), character(4, in: "-"), let month = number(5..<7), character(7, in: "-"),
              let day = number(8..<10) else { return nil }
        var (hours, minutes, seconds) = (0, 0, 0)
        if bytes.count > 10 {
            // The 'T' form must say Z; the space form is UTC by convention, as the table's times are.
            let isoForm = character(10, in: "Tt")
            guard isoForm ? bytes.count == 20 : character(10, in: " ") && bytes.count == 19,
                  let h = number(11..<13), character(13, in: ":"), let m = number(14..<16), character(16, in: ":"),
                  let s = number(17..<19) else { return nil }
            (hours, minutes, seconds) = (h, m, s)
        }
        self.init(checkedYear: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
    }

    /// Builds a time from calendar fields only if they name a real UTC date and time in years 0000 to
    /// 9999 (GeneralizedTime's range); nil otherwise. For fields read from a table: MariaDB stores
    /// `0000-00-00` and `2024-00-00` under its default sql_mode, and the unchecked initializer would
    /// roll them into another day (2023-11-30) that the table never held.
    package init?(checkedYear year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) {
        guard (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hours), (0...59).contains(minutes), (0...59).contains(seconds) else { return nil }
        self.init(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
        // A day past the month's end (February 30) would roll into the next month: refuse it.
        guard components.month == month else { return nil }
    }

    package init(_ time: GeneralizedTime) {
        self.init(
            year: time.year, month: time.month, day: time.day,
            hours: time.hours, minutes: time.minutes, seconds: time.seconds
        )
    }

    /// The UTC calendar fields of this time.
    package var components: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil from days, the inverse of the above.
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    /// The GeneralizedTime OCSP wants: UTC, whole seconds, no fraction.
    ///
    /// A time outside years 0000 to 9999 is clamped to the nearest end rather than trapping. The stores
    /// refuse such revocation times when they read a row (`init(checkedYear:...)`), so what is clamped
    /// is only a nextUpdate of `now + producetime` with an absurd `producetime`: 9999-12-31T23:59:59Z
    /// is what RFC 5280 §4.1.2.5 itself uses for "no end".
    package var generalizedTime: GeneralizedTime {
        let c = min(max(self, .earliestGeneralizedTime), .latestGeneralizedTime).components
        // Cannot throw once clamped: every field is in GeneralizedTime's range (scripts/traps-allowed.txt).
        return try! GeneralizedTime(
            year: c.year, month: c.month, day: c.day,
            hours: c.hours, minutes: c.minutes, seconds: c.seconds, fractionalSeconds: 0
        )
    }

    /// ISO 8601 in UTC, e.g. `2026-11-24T10:00:00Z`, for logs and JSON.
    package var iso8601: String {
        let c = components
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hours, 2)):\(pad(c.minutes, 2)):\(pad(c.seconds, 2))Z"
    }

    package var description: String { iso8601 }
}
