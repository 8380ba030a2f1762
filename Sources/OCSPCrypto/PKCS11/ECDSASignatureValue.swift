/// An ECDSA signature as X.509 carries it (RFC 3279 §2.2.3), made from the raw `r || s` a PKCS#11
/// token returns for CKM_ECDSA (PKCS#11 3.0 §2.3.1: both halves as big-endian octets of the order's length).
///
/// ```asn1
/// Ecdsa-Sig-Value  ::=  SEQUENCE  {
///      r     INTEGER,
///      s     INTEGER  }
/// ```
enum ECDSASignatureValue {
    /// The DER of Ecdsa-Sig-Value for `raw` (`r || s`), or nil when `raw` is empty or of odd length.
    static func der(raw: [UInt8]) -> [UInt8]? {
        guard !raw.isEmpty, raw.count % 2 == 0 else { return nil }
        let half = raw.count / 2
        let content = integer(raw[..<half]) + integer(raw[half...])
        return [0x30] + length(content.count) + content
    }

    /// A DER INTEGER of an unsigned big-endian value: no leading zero octets but one before a high bit.
    static func integer(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var digits = Array(magnitude.drop { $0 == 0 })
        if digits.isEmpty || digits[0] & 0x80 != 0 { digits.insert(0, at: 0) }
        return [0x02] + length(digits.count) + digits
    }

    /// A DER length: short form below 128, else long form.
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var octets: [UInt8] = []
        var rest = count
        while rest > 0 { octets.insert(UInt8(rest & 0xff), at: 0); rest >>= 8 }
        return [0x80 | UInt8(octets.count)] + octets
    }
}
