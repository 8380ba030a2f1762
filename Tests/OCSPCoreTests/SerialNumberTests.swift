import OCSPWire
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

    /// A negative serial is spelled as Python's `hex()` writes it and by no positive serial's spelling:
    /// −2 (`FE`) must not find row `0xfe`, −130 (`FF 7E`) must not find `0xff7e`.
    @Test(arguments: [
        ([0xFE] as [UInt8], "-0x2"), ([0xFF, 0x7E], "-0x82"), ([0x80], "-0x80"), ([0xFF, 0x7F], "-0x81"), ([0xFF], "-0x1"),
        ([0x80, 0x00], "-0x8000"),
    ])
    func negativeSerialsHavePythonsSpellingOnly(content: [UInt8], python: String) throws {
        let serial = try CertificateSerialNumber(derContent: content)
        #expect(serial.isNegative)
        #expect(serial.canonicalSpelling == python)
        #expect(serial.storedSpellings.allSatisfy { $0.hasPrefix("-") }, "\(serial.storedSpellings)")
        #expect(serial.storedSpellings.contains(python))
        #expect(CertificateSerialNumber(hex: python) == serial)
    }

    /// Negation round-trips at the edges of the sign octet.
    @Test(arguments: ["0x0", "0x1", "0x7f", "0x80", "0xff", "0x100", "0x8000", "0x9a4e31c2d5b6a7f8"])
    func negatedHexIsTheNegativeInteger(hex: String) throws {
        let positive = try #require(CertificateSerialNumber(hex: hex))
        let negative = try #require(CertificateSerialNumber(hex: "-" + hex))
        #expect(negative.magnitude.elementsEqual(positive.magnitude))
        #expect(negative.isNegative == (hex != "0x0"))
        // Minimal DER, and the value Python's int.to_bytes would give.
        #expect((try? CertificateSerialNumber(derContent: negative.derContent)) == negative)
        // −0 is 0, the one serial both signs share.
        #expect(hex == "0x0" || positive.storedSpellings.allSatisfy { !negative.storedSpellings.contains($0) })
    }
}
