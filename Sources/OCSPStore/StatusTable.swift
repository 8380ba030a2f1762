import OCSPWire
/// What every store of the status table agrees on, so that MariaDB and SQLite accept the same names
/// and write the same times.
package enum StatusTable {
    /// Letters, digits, `_` and `$`, at most 64 characters: what MariaDB allows unquoted. The name goes
    /// into SQL text (a table cannot be a parameter), so nothing else is let through.
    package static func isValidName(_ name: String) -> Bool {
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
    package var tableText: String {
        // ISO 8601 without the T and the Z.
        String(iso8601.dropLast().map { $0 == "T" ? " " : $0 })
    }
}
