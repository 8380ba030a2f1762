import SwiftASN1

extension Error {
    /// What was wrong with the input, in words, for a log line, an error status's reason or stderr.
    ///
    /// swift-asn1's errors describe themselves as `ASN1Error.CODE: REASON FILE.swift:LINE`: the Swift
    /// source file that noticed the problem means nothing to whoever sent the bytes, and tells an
    /// attacker which parser and version answers. Their code and reason stay; the location goes.
    package var inputReason: String {
        guard let asn1 = self as? ASN1Error else { return "\(self)" }
        var text = Substring(asn1.description)
        if text.hasPrefix("ASN1Error.") { text = text.dropFirst("ASN1Error.".count) }
        // The last word is `File.swift:LINE`.
        if let space = text.lastIndex(of: " "), text[text.index(after: space)...].contains(".swift:") {
            text = text[..<space]
        }
        let code = String(text.prefix(while: { $0 != ":" }))
        let words = Self.asn1CodeWords[code] ?? code
        let reason = text.drop(while: { $0 != ":" }).dropFirst().trimmingPrefix(" ")
        return reason.isEmpty ? words : "\(words): \(reason)"
    }

    /// swift-asn1's error codes, in words.
    private static var asn1CodeWords: [String: String] {
        [
            "unexpectedFieldType": "unexpected field type", "invalidASN1Object": "invalid ASN.1",
            "invalidASN1IntegerEncoding": "invalid ASN.1 integer encoding", "truncatedASN1Field": "truncated ASN.1 field",
            "unsupportedFieldLength": "unsupported field length", "invalidPEMDocument": "invalid PEM document",
            "invalidStringRepresentation": "invalid string", "tooFewOIDComponents": "too few OID components",
        ]
    }
}
