import FoundationEssentials

/// Base64 (RFC 4648 §4) on FoundationEssentials, which swift-asn1 links into every program already.
/// Decoding also takes what OCSP clients put in a GET path (RFC 6960 appendix A.1, RFC 5019 §5): the
/// URL-safe alphabet (§5) and missing padding, which Foundation alone refuses.
package enum Base64 {
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes standard or URL-safe base64; padding is optional. Nil on any other character.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    /// Decodes standard or URL-safe base64 given as ASCII bytes.
    package static func decode(bytes text: [UInt8]) -> [UInt8]? {
        // Foundation takes characters after the padding (`AA=A`); nothing may follow it.
        let padding = text.firstIndex(of: UInt8(ascii: "=")) ?? text.endIndex
        guard text[padding...].allSatisfy({ $0 == UInt8(ascii: "=") }) else { return nil }
        // What most clients send, and every PEM body: padded, standard alphabet; Foundation as it is.
        if text.count % 4 == 0, padding >= text.count - 2, !text.contains(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) {
            return Data(base64Encoded: Data(text)).map { [UInt8]($0) }
        }
        // Otherwise the padding is put back as Foundation wants it, and `-` and `_` become `+` and `/`.
        var standard = Array(text[..<padding])
        for index in standard.indices {
            switch standard[index] {
            case UInt8(ascii: "-"): standard[index] = UInt8(ascii: "+")
            case UInt8(ascii: "_"): standard[index] = UInt8(ascii: "/")
            default: break
            }
        }
        switch standard.count % 4 {
        case 1: return nil
        case 2: standard += [UInt8(ascii: "="), UInt8(ascii: "=")]
        case 3: standard.append(UInt8(ascii: "="))
        default: break
        }
        return Data(base64Encoded: Data(standard)).map { [UInt8]($0) }
    }
}
