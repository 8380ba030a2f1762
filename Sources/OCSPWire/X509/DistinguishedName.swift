import SwiftASN1

/// A distinguished name as one line, RFC 4514 style (`CN=Leaf,O=Example`), from its DER, for
/// every message, report and log line that names a certificate (the package's one DN formatter).
///
/// ```
/// Name ::= CHOICE { rdnSequence  RDNSequence }
/// RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
/// RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
/// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY -- DirectoryString }
/// ```
///
/// As RFC 4514 writes it: the last RDN first, RDNs joined by `,`, the attributes of one RDN by `+` (in
/// their DER order), values that are not strings as `#` and their DER in hex. Text outside ASCII stays
/// UTF-8, as RFC 4514 and Python cryptography write it (`openssl -nameopt RFC2253` escapes it as `\C3\BC`).
package enum DistinguishedName {
    private static let shortNames: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN", [2, 5, 4, 7]: "L", [2, 5, 4, 8]: "ST", [2, 5, 4, 10]: "O", [2, 5, 4, 11]: "OU",
        [2, 5, 4, 6]: "C", [2, 5, 4, 9]: "STREET", [2, 5, 4, 5]: "serialNumber", [2, 5, 4, 4]: "SN",
        [2, 5, 4, 42]: "GN", [2, 5, 4, 12]: "title", [0, 9, 2342, 19_200_300, 100, 1, 25]: "DC",
        [0, 9, 2342, 19_200_300, 100, 1, 1]: "UID", [1, 2, 840, 113_549, 1, 9, 1]: "emailAddress",
    ]

    /// The one-line form of the Name whose DER is `der`; throws when it is not a Name.
    package static func string(fromDER der: some Collection<UInt8>) throws -> String {
        let root = try DER.parse(Array(der)[...])
        var relativeNames: [String] = []
        try DER.sequence(root, identifier: .sequence) { nodes in
            while let rdn = nodes.next() {
                var attributes: [String] = []
                try DER.set(rdn, identifier: .set) { nodes in
                    while let attribute = nodes.next() {
                        attributes.append(try DER.sequence(attribute, identifier: .sequence) { nodes in
                            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                            guard let value = nodes.next() else {
                                throw ASN1Error.invalidASN1Object(reason: "attribute without a value")
                            }
                            return "\(shortNames[type] ?? type.description)=\(valueText(value))"
                        })
                    }
                }
                relativeNames.append(attributes.joined(separator: "+"))
            }
        }
        return relativeNames.reversed().joined(separator: ",")
    }

    /// The string types a DirectoryString (and emailAddress, DC) may be, as text with RFC 4514 escapes;
    /// anything else as `#` and hex DER.
    private static func valueText(_ node: ASN1Node) -> String {
        if case .primitive(let content) = node.content {
            switch node.identifier {
            case .utf8String, .printableString, .ia5String, .teletexString, .visibleString, .numericString:
                // T61 is read as Latin-1 would be only by accident; CAs put ASCII there in practice.
                return escaped(String(decoding: content, as: UTF8.self))
            case .bmpString where content.count % 2 == 0:
                let units = stride(from: content.startIndex, to: content.endIndex, by: 2).map {
                    UInt16(content[$0]) << 8 | UInt16(content[$0 + 1])
                }
                return escaped(String(decoding: units, as: UTF16.self))
            default:
                break
            }
        }
        return "#" + Hex.encode(node.encodedBytes)
    }

    /// RFC 4514 §2.4: a backslash before `"+,;<>\`, a leading `#` or space, and a trailing space; a control
    /// character (NUL, which §2.4 requires, and the others, which would break a log line) as `\` and its hex.
    private static func escaped(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(value.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out.append(contentsOf: ("\\" + Hex.encode([UInt8(scalar.value)]).uppercased()).unicodeScalars)
                continue
            }
            let special = "\"+,;<>\\".unicodeScalars.contains(scalar)
                || (index == 0 && (scalar == "#" || scalar == " "))
                || (index == scalars.count - 1 && scalar == " ")
            if special { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }
}
