import OCSPCore
import SwiftASN1
import Testing

@Suite struct SerialNumberTests {
    @Test func topBitSerialHasSignOctetAndAllSpellings() throws {
        let serial = try #require(CertificateSerialNumber(hex: "9A4E31C2D5B6A7F8"))
        #expect(serial.derContent == [0x00, 0x9A, 0x4E, 0x31, 0xC2, 0xD5, 0xB6, 0xA7, 0xF8])
        #expect(serial.canonicalSpelling == "0x9a4e31c2d5b6a7f8")
        #expect(serial.storedSpellings.contains("0x9A4E31C2D5B6A7F8"))
        #expect(serial.storedSpellings.contains("0x009a4e31c2d5b6a7f8"))
        #expect(serial.storedSpellings.contains("0X009A4E31C2D5B6A7F8"))
    }

    @Test func pythonHexDropsLeadingZeros() throws {
        let serial = try #require(CertificateSerialNumber(hex: "0x0f"))
        #expect(serial.canonicalSpelling == "0xf")
        #expect(serial.storedSpellings.contains("0x0f"))
        #expect(serial.storedSpellings.contains("0x0F"))
        #expect(CertificateSerialNumber(hex: "12:34") == CertificateSerialNumber(hex: "0x1234"))
        #expect(CertificateSerialNumber(hex: "xyz") == nil)
    }

    @Test func nonMinimalIntegersAreRejected() {
        #expect(throws: (any Error).self) { try CertificateSerialNumber(derContent: [0x00, 0x01]) }
        #expect(throws: (any Error).self) { try CertificateSerialNumber(derContent: [0xFF, 0x80]) }
        #expect(throws: (any Error).self) { try CertificateSerialNumber(derContent: []) }
        #expect((try? CertificateSerialNumber(derContent: [0x00, 0x80])) != nil)
    }
}
