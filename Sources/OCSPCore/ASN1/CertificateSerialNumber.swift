import SwiftASN1

/// A certificate's serial number, kept as the content octets of its DER INTEGER.
///
/// ```
/// CertificateSerialNumber  ::=  INTEGER
/// ```
///
/// Serials are up to 20 octets (RFC 5280 §4.1.2.2), more than any Swift integer, and must be echoed
/// exactly, so they stay bytes. A serial whose top bit is set carries a leading zero octet in DER.
public struct CertificateSerialNumber: DERImplicitlyTaggable, Hashable, Sendable, CustomStringConvertible {
    public static var defaultIdentifier: ASN1Identifier { .integer }

    /// The two's-complement content octets, minimally encoded as DER requires.
    public let derContent: [UInt8]

    /// Builds a serial from its DER content octets, checking DER's minimal encoding.
    public init(derContent: [UInt8]) throws {
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
    public init(magnitude: some Collection<UInt8>) {
        var bytes = Array(magnitude.drop(while: { $0 == 0 }))
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        self.derContent = bytes
    }

    /// Parses hexadecimal, with or without `0x`, colons or spaces (as `openssl x509 -serial` or a browser shows it).
    public init?(hex: String) {
        var text = Substring(hex.filter { $0 != ":" && $0 != " " })
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        guard !text.isEmpty, let bytes = Hex.decode(text.count % 2 == 0 ? String(text) : "0" + text) else { return nil }
        self.init(magnitude: bytes)
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        guard node.identifier == identifier, case .primitive(let content) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        try self.init(derContent: Array(content))
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        coder.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: derContent) }
    }

    /// True for a negative INTEGER, which RFC 5280 forbids but some CAs have issued.
    public var isNegative: Bool { derContent[0] & 0x80 != 0 }

    /// The magnitude's octets without the sign octet (for a non-negative serial).
    public var magnitude: ArraySlice<UInt8> {
        derContent.count > 1 && derContent[0] == 0 ? derContent.dropFirst() : derContent[...]
    }

    /// Lowercase hex without leading zeros, as Python's `hex()` writes it but without `0x`.
    public var minimalHex: String {
        let padded = Hex.encode(magnitude)
        let trimmed = padded.drop(while: { $0 == "0" })
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// The spellings of this serial that tools write into a `cert_num` column: OCSP_MySql's `0x` plus
    /// Python's `hex()`, the zero-padded octets, the DER octets with a sign octet, each also in capitals.
    public var storedSpellings: [String] {
        var forms: [String] = []
        for digits in [minimalHex, Hex.encode(magnitude), Hex.encode(derContent)] {
            for spelling in ["0x" + digits, "0x" + digits.uppercased(), "0X" + digits.uppercased()]
            where !forms.contains(spelling) {
                forms.append(spelling)
            }
        }
        return forms
    }

    /// OCSP_MySql's canonical spelling: `0x` plus lowercase hex without leading zeros.
    public var canonicalSpelling: String { "0x" + minimalHex }

    public var description: String { minimalHex }
}
