import OCSPCore
import OCSPWire

/// The database `openssl ca` keeps (`index.txt`), so that `openssl ocsp -index` users can switch.
///
/// One certificate a line, six tab-separated fields:
///
///     V	351231235959Z		1001	unknown	/CN=leaf
///     R	351231235959Z	260101000000Z,keyCompromise	1002	unknown	/CN=gone
///     E	200101000000Z		0F	unknown	/CN=old
///
/// status (V valid, R revoked, E expired), expiry, revocation time and reason (R only), serial in hex,
/// file name, subject. Times are UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime.
package enum OpenSSLIndex {
    package struct Entry: Hashable, Sendable {
        package var serial: CertificateSerialNumber
        package var status: RecordedStatus
        package var subject: String
        /// The line's status and revocation fields as written (`V`, `E`, `R 260101000000Z,removeFromCRL`),
        /// for messages that set the index against the table.
        package var indexStatus: String = ""
    }

    package struct ParseError: Error, Hashable, Sendable {
        package var line: Int
        package var message: String
    }

    package static func parse(_ text: String) throws(ParseError) -> [Entry] {
        var entries: [Entry] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else {
                throw ParseError(line: number, message: "expected 6 tab-separated fields, found \(fields.count)")
            }
            guard let serial = CertificateSerialNumber(hex: fields[3]) else {
                throw ParseError(line: number, message: "'\(fields[3])' is not a hex serial")
            }
            let status: RecordedStatus
            switch fields[0] {
            // An expired certificate was never revoked: its status is good (the client judges expiry).
            case "V", "E":
                status = .good
            case "R":
                let parts = fields[2].split(separator: ",").map(String.init)
                guard let first = parts.first, let time = time(first) else {
                    throw ParseError(line: number, message: "revoked without a revocation time ('\(fields[2])')")
                }
                switch parts.count > 1 ? parts[1] : "" {
                case "":
                    status = .revoked(at: time, reason: nil)
                case "removeFromCRL":
                    // The hold was lifted: the certificate is valid again.
                    status = .good
                case "holdInstruction":
                    status = .revoked(at: time, reason: .certificateHold)
                case "keyTime":
                    status = .revoked(at: time, reason: .keyCompromise)
                case "CAkeyTime":
                    status = .revoked(at: time, reason: .caCompromise)
                case let name:
                    guard let reason = CRLReason(name: name) else {
                        throw ParseError(line: number, message: "unknown revocation reason '\(name)'")
                    }
                    status = .revoked(at: time, reason: reason)
                }
            default:
                throw ParseError(line: number, message: "status '\(fields[0])' is not V, R or E")
            }
            entries.append(Entry(serial: serial, status: status, subject: fields.count > 5 ? fields[5] : "",
                                 indexStatus: fields[2].isEmpty ? fields[0] : "\(fields[0]) \(fields[2])"))
        }
        return entries
    }

    /// `YYMMDDHHMMSSZ` (years 50–99 are 19xx, as RFC 5280 reads UTCTime) or `YYYYMMDDHHMMSSZ`.
    static func time(_ text: String) -> UnixTime? {
        let digits = Array(text.utf8)
        guard digits.last == UInt8(ascii: "Z"), digits.count == 13 || digits.count == 15,
              digits.dropLast().allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        let values = digits.dropLast().map { Int($0 - UInt8(ascii: "0")) }
        func number(_ start: Int, _ count: Int) -> Int { values[start..<start + count].reduce(0) { $0 * 10 + $1 } }
        var year: Int
        var offset: Int
        if digits.count == 13 {
            year = number(0, 2)
            year += year >= 50 ? 1900 : 2000
            offset = 2
        } else {
            year = number(0, 4)
            offset = 4
        }
        let month = number(offset, 2), day = number(offset + 2, 2)
        let hours = number(offset + 4, 2), minutes = number(offset + 6, 2), seconds = number(offset + 8, 2)
        guard (1...12).contains(month), (1...31).contains(day), hours < 24, minutes < 60, seconds < 60 else { return nil }
        return UnixTime(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
    }
}
