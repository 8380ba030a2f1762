import XCTest
@testable import OCSPCore
import OCSPWire

final class SignerRotationTests: XCTestCase {
    private func period(_ from: Int64, _ to: Int64) -> SigningPeriod {
        SigningPeriod(notBefore: UnixTime(seconds: from), notAfter: UnixTime(seconds: to))
    }

    /// days=6 overlap=3: [0,6) [3,9) [6,12) [9,15); the newest valid one signs.
    func testChoosesTheValidPairWithTheLatestNotAfter() {
        let rotation = SignerRotation(periods: [period(0, 6), period(3, 9), period(6, 12), period(9, 15)])
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 0)), 0)
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 2)), 0)
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 3)), 1)
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 8)), 2)
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 14)), 3)
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: 15)), 3, "all ended: the last to end, answered tryLater")
        XCTAssertEqual(rotation.choice(at: UnixTime(seconds: -5)), 0, "none started: the next to start")
        XCTAssertEqual(rotation.nextChange(after: UnixTime(seconds: 3)), UnixTime(seconds: 6))
        XCTAssertEqual(rotation.lastNotAfter, UnixTime(seconds: 15))
        XCTAssertNil(SignerRotation(periods: []).choice(at: UnixTime(seconds: 0)))
    }
}
