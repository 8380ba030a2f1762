import OCSPWire
import Testing

/// Base64 as the GET path and PEM use it: RFC 4648's vectors, the URL-safe alphabet, optional padding,
/// and nothing after the padding.
@Suite struct Base64Tests {
    @Test("RFC 4648 §10's vectors, encoded and decoded")
    func vectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                                 ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test("The URL-safe alphabet and missing padding decode as the standard form does")
    func lenientForms() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF, 0x3E, 0x3F]
        #expect(Base64.encode(bytes) == "+/+/Pj8=")
        #expect(Base64.decode("+/+/Pj8=") == bytes)
        #expect(Base64.decode("+/+/Pj8") == bytes)
        #expect(Base64.decode("-_-_Pj8=") == bytes)
        #expect(Base64.decode("-_-_Pj8") == bytes)
        #expect(Base64.decode("Zg") == [0x66])
        #expect(Base64.decode("Zg===") == [0x66])
    }

    @Test("Characters outside both alphabets, anything after the padding, and a lone sextet are refused")
    func refused() {
        for text in ["Zm9v!", "Zm 9v", "Zm9v\n", "AA=A", "Zg==Zg==", "=Zg=", "Z", "Zm9vY", "Zm9vY===", "é"] {
            #expect(Base64.decode(text) == nil, "\(text)")
        }
    }

    @Test("Round trip over every length up to 300 and every octet value")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { index in length == 256 ? UInt8(index) : UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(encoded.utf8.count == (length + 2) / 3 * 4)
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(encoded.filter { $0 != "=" }) == bytes)
        }
    }
}
