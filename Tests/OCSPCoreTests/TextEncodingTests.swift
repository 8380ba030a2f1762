import OCSPWire
import Testing

/// Base64 (RFC 4648) as PEM bodies and GET request paths use it. (Random round trips are in
/// RoundTripPropertyTests.)
@Suite struct Base64VectorTests {
    /// RFC 4648 §10's test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        // Padding is optional on decoding.
        #expect(Base64.decode(encoded.filter { $0 != "=" }) == Array(plain.utf8))
    }

    /// The standard alphabet's last two characters, and their URL-safe counterparts (RFC 4648 §5).
    @Test func bothAlphabets() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.decode("+/+/") == bytes)
        #expect(Base64.decode("-_-_") == bytes)
        #expect(Base64.decode(bytes: Array("-_-_".utf8)) == bytes)
    }

    @Test(arguments: [
        "Zm9v!", "Zm 9v", "Zm9v\n", "Zg==Zg", "Zg=a", "Z", "Zm9vY", "é",
    ])
    func invalidInputIsRefused(text: String) {
        #expect(Base64.decode(text) == nil, "\(text)")
    }

    @Test func aDERRequestRoundTrips() {
        let der: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x06, 0x00, 0xFF]
        #expect(Base64.encode(der) == "MAMKAQYA/w==")
        #expect(Base64.decode("MAMKAQYA/w==") == der)
    }
}

@Suite struct HexTests {
    @Test func encodesLowercaseTwoDigitsPerOctet() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.encode([0x9A, 0x4E, 0x31, 0xC2, 0xD5, 0xB6, 0xA7, 0xF8]) == "9a4e31c2d5b6a7f8")
    }

    @Test func decodesEitherCase() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("000fA0Ff") == [0x00, 0x0F, 0xA0, 0xFF])
        #expect(Hex.decode("DEADBEEF") == [0xDE, 0xAD, 0xBE, 0xEF])
    }

    @Test(arguments: ["0", "abc", "0g", "zz", " 00", "00 ", "0x00", "-1", "é0"])
    func refusesOddLengthsAndOtherCharacters(text: String) {
        #expect(Hex.decode(text) == nil, "\(text)")
    }

    @Test func digitValues() {
        let digits = Array("0123456789abcdefABCDEF".utf8)
        #expect(digits.map { Hex.digitValue($0) } == (0...15).map { UInt8($0) } + (10...15).map { UInt8($0) })
        for byte in UInt8.min...UInt8.max where !digits.contains(byte) {
            #expect(Hex.digitValue(byte) == nil, "\(byte)")
        }
    }
}
