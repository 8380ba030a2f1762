import OCSPWire
import SwiftASN1
import Testing

@Suite struct UnixTimeTests {
    @Test(arguments: [
        (1_795_525_509 as Int64, (2026, 11, 24, 13, 5, 9)),
        (951_868_799, (2000, 2, 29, 23, 59, 59)),
        (0, (1970, 1, 1, 0, 0, 0)),
        (-1, (1969, 12, 31, 23, 59, 59)),
    ])
    func convertsBothWays(seconds: Int64, fields: (Int, Int, Int, Int, Int, Int)) {
        let time = UnixTime(seconds: seconds)
        let c = time.components
        #expect(c.year == fields.0 && c.month == fields.1 && c.day == fields.2)
        #expect(c.hours == fields.3 && c.minutes == fields.4 && c.seconds == fields.5)
        #expect(UnixTime(year: fields.0, month: fields.1, day: fields.2, hours: fields.3, minutes: fields.4, seconds: fields.5) == time)
    }

    /// Fields no calendar holds (what MariaDB's zero dates decode to) are refused, not rolled into
    /// another day: `2024-00-00` would be 2023-11-30 and `0000-00-00` a year −1 that traps GeneralizedTime.
    @Test(arguments: [(0, 0, 0), (2024, 0, 0), (2024, 1, 0), (2024, 0, 1), (2023, 2, 29), (2024, 13, 1), (10000, 1, 1), (-1, 1, 1)])
    func checkedFieldsRefuseImpossibleDates(date: (Int, Int, Int)) {
        #expect(UnixTime(checkedYear: date.0, month: date.1, day: date.2, hours: 0, minutes: 0, seconds: 0) == nil)
    }

    @Test func checkedFieldsReadRealDates() {
        #expect(UnixTime(checkedYear: 2024, month: 2, day: 29, hours: 23, minutes: 59, seconds: 59)?.iso8601 == "2024-02-29T23:59:59Z")
        #expect(UnixTime(checkedYear: 0, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0) == .earliestGeneralizedTime)
        #expect(UnixTime(checkedYear: 0, month: 1, day: 1, hours: 24, minutes: 0, seconds: 0) == nil)
    }

    /// Times past GeneralizedTime's years (an absurd `producetime`) are clamped, never a trap; adding
    /// saturates rather than overflowing.
    @Test(arguments: [Int64.max, Int64.min, UnixTime.latestGeneralizedTime.seconds + 1, UnixTime.earliestGeneralizedTime.seconds - 1])
    func generalizedTimeClampsInsteadOfTrapping(seconds: Int64) throws {
        let year = UnixTime(seconds: seconds).generalizedTime.year
        #expect(year == (seconds > 0 ? 9999 : 0))
    }

    @Test func addingSaturates() {
        #expect((UnixTime(seconds: .max) + 1).seconds == .max)
        #expect((UnixTime(seconds: .min) + -1).seconds == .min)
        #expect((UnixTime(seconds: 10) + -3).seconds == 7)
    }

    @Test func generalizedTimeHasWholeSecondsInUTC() throws {
        let der = try UnixTime(seconds: 1_795_525_509).generalizedTime.derBytes()
        #expect(String(decoding: der.dropFirst(2), as: UTF8.self) == "20261124130509Z")
        #expect(UnixTime(seconds: 1_795_525_509).iso8601 == "2026-11-24T13:05:09Z")
    }
}

/// `--revoked-at` spellings, and what they must refuse.
@Suite struct UnixTimeParsingTests {
    @Test(arguments: [
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02 03:04:05", "2026-01-02T03:04:05Z"),
        ("2026-01-02", "2026-01-02T00:00:00Z"),
        ("2000-02-29", "2000-02-29T00:00:00Z"),
        ("1999-12-31t23:59:59z", "1999-12-31T23:59:59Z"),
    ])
    func readsTheAcceptedForms(text: String, iso: String) throws {
        let time = try #require(UnixTime(parsing: text))
        #expect(time.iso8601 == iso)
    }

    @Test(arguments: [
        "", "now", "2026-1-2", "2026-01-02T03:04:05", "2026-01-02T03:04:05+01:00", "2026-13-01", "2026-02-29",
        "2026-04-31", "2026-01-00", "2026-01-02 24:00:00", "2026-01-02 03:60:00", "2026/01/02", "2026-01-02 03:04",
        "2026-01-02 03:04:05Z",
    ])
    func refusesOtherText(text: String) {
        #expect(UnixTime(parsing: text) == nil)
    }
}

/// `--reason` names: the table's and RFC 5280's.
@Suite struct CRLReasonNameTests {
    @Test(arguments: [
        ("key_compromise", CRLReason.keyCompromise), ("keyCompromise", .keyCompromise), ("KEY_COMPROMISE", .keyCompromise),
        ("ca_compromise", .caCompromise), ("cACompromise", .caCompromise), ("aACompromise", .aaCompromise),
        ("superseded", .superseded), ("certificate_hold", .certificateHold), ("certificateHold", .certificateHold),
        ("removeFromCRL", .removeFromCRL), ("remove_from_crl", .removeFromCRL), ("unspecified", .unspecified),
        ("privilegeWithdrawn", .privilegeWithdrawn), ("cessation_of_operation", .cessationOfOperation),
        ("affiliationChanged", .affiliationChanged),
    ])
    func readsBothSpellings(name: String, reason: CRLReason) {
        #expect(CRLReason(name: name) == reason)
    }

    @Test(arguments: ["", "compromise", "7", "key compromise", "_"])
    func refusesOtherNames(name: String) {
        #expect(CRLReason(name: name) == nil)
    }
}
