import SwiftASN1

/// A certificate's serial number, kept as the content octets of its DER INTEGER.
///
/// ```
/// CertificateSerialNumber  ::=  INTEGER
/// ```
///
/// Serials are up to 20 octets (RFC 5280 §4.1.2.2), more than any Swift integer, and must be echoed
/// exactly, so they stay bytes. A serial whose top bit is set carries a leading zero octet in DER.
package struct CertificateSerialNumber: DERImplicitlyTaggable, Hashable, Sendable, CustomStringConvertible {
    package static var defaultIdentifier: ASN1Identifier { .integer }

    /// The two's-complement content octets, minimally encoded as DER requires.
    package let derContent: [UInt8]

    /// Builds a serial from its DER content octets, checking DER's minimal encoding.
    package init(derContent: [UInt8]) throws {
        guard let first = derContent.first else {
            throw ASN1Error.invalidASN1IntegerEncoding(reason: "empty INTEGER")
        }
        if derContent.count > 1 {
            let second = derContent[1]
            if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw ASN1Error.invalidASN1IntegerEncoding(reason: "INTEGER not minimally encoded")
            }
        }
        self.derContent = derContent
    }

    /// Builds a non-negative serial from its magnitude, big-endian, leading zeros allowed.
    package init(magnitude: some Collection<UInt8>) {
        var bytes = Array(magnitude.drop(while: { $0 == 0 }))
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        self.derContent = bytes
    }

    /// Parses hexadecimal, with or without `0x`, colons or spaces (as `openssl x509 -serial` or a browser
    /// shows it); a leading `-` is a negative serial, as Python's `hex()` writes one (`-0x82`).
    package init?(hex: String) {
        var text = Substring(hex.filter { $0 != ":" && $0 != " " })
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        guard !text.isEmpty, let bytes = Hex.decode(text.count % 2 == 0 ? String(text) : "0" + text) else { return nil }
        let positive = CertificateSerialNumber(magnitude: bytes)
        self.derContent = negative ? Self.negated(positive.derContent) : positive.derContent
    }

    /// The minimal two's-complement octets of minus the INTEGER `content`.
    private static func negated(_ content: [UInt8]) -> [UInt8] {
        // Invert and add one, from the last octet.
        var bytes = content.map { ~$0 }
        var carry = true
        for index in bytes.indices.reversed() where carry {
            (bytes[index], carry) = bytes[index].addingReportingOverflow(1)
        }
        // -(-128) = 128 needs a sign octet; the result of negating a positive number may have a
        // redundant one (0xFF before a set top bit) that DER forbids.
        if !carry, content[0] & 0x80 != 0, bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        while bytes.count > 1, (bytes[0] == 0xFF && bytes[1] & 0x80 != 0) || (bytes[0] == 0 && bytes[1] & 0x80 == 0) {
            bytes.removeFirst()
        }
        return bytes
    }

    package init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        guard node.identifier == identifier, case .primitive(let content) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        try self.init(derContent: Array(content))
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        coder.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: derContent) }
    }

    /// True for a negative INTEGER, which RFC 5280 forbids but some CAs have issued.
    package var isNegative: Bool { derContent[0] & 0x80 != 0 }

    /// The absolute value's octets without a sign octet (the octets themselves for a non-negative serial).
    package var magnitude: ArraySlice<UInt8> {
        let absolute = isNegative ? Self.negated(derContent) : derContent
        return absolute.count > 1 && absolute[0] == 0 ? absolute.dropFirst() : absolute[...]
    }

    /// Lowercase hex without leading zeros, as Python's `hex()` writes it but without `0x`: `-82` for
    /// −130, so that a negative serial's cache files and messages never take a positive one's name.
    package var minimalHex: String {
        let padded = Hex.encode(magnitude)
        let trimmed = padded.drop(while: { $0 == "0" })
        return (isNegative ? "-" : "") + (trimmed.isEmpty ? "0" : String(trimmed))
    }

    /// The spellings of this serial that tools write into a `cert_num` column: OCSP_MySql's `0x` plus
    /// Python's `hex()`, the zero-padded octets, the DER octets with a sign octet, each also in capitals.
    /// A negative serial has only Python's spelling, `-0x82`: its DER octets (`ff7e`) are a positive
    /// serial's spelling, whose row must never answer for it.
    package var storedSpellings: [String] {
        let spellings: [(sign: String, digits: String)] = isNegative
            ? [("-", String(minimalHex.dropFirst()))]
            : [minimalHex, Hex.encode(magnitude), Hex.encode(derContent)].map { ("", $0) }
        var forms: [String] = []
        for (sign, digits) in spellings {
            for spelling in [sign + "0x" + digits, sign + "0x" + digits.uppercased(), sign + "0X" + digits.uppercased()]
            where !forms.contains(spelling) {
                forms.append(spelling)
            }
        }
        return forms
    }

    /// OCSP_MySql's canonical spelling, Python's `hex()`: `0x` plus lowercase hex without leading zeros,
    /// after a `-` for a negative serial.
    package var canonicalSpelling: String { isNegative ? "-0x" + minimalHex.dropFirst() : "0x" + minimalHex }

    package var description: String { minimalHex }
}
