import OCSPCore
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

    @Test func generalizedTimeHasWholeSecondsInUTC() throws {
        let der = try UnixTime(seconds: 1_795_525_509).generalizedTime.derBytes()
        #expect(String(decoding: der.dropFirst(2), as: UTF8.self) == "20261124130509Z")
        #expect(UnixTime(seconds: 1_795_525_509).iso8601 == "2026-11-24T13:05:09Z")
    }
}
