/// What every store of the status table agrees on, so that MariaDB and SQLite accept the same names
/// and write the same times.
public enum StatusTable {
    /// Letters, digits, `_` and `$`, at most 64 characters: what MariaDB allows unquoted. The name goes
    /// into SQL text (a table cannot be a parameter), so nothing else is let through.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
    }
}

extension UnixTime {
    /// The time as `revocation_time` holds it: `YYYY-MM-DD HH:MM:SS` in UTC, MariaDB's DATETIME text.
    /// `UnixTime(parsing:)` reads it back.
    public var tableText: String {
        let c = components
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hours, 2)):\(pad(c.minutes, 2)):\(pad(c.seconds, 2))"
    }
}
