import SwiftASN1

/// One X.509 extension (RFC 5280 §4.1), as OCSP carries them in requests and responses.
///
/// ```
/// Extension  ::=  SEQUENCE  {
///      extnID      OBJECT IDENTIFIER,
///      critical    BOOLEAN DEFAULT FALSE,
///      extnValue   OCTET STRING }
/// ```
package struct Extension: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var id: ASN1ObjectIdentifier
    package var critical: Bool
    /// The DER of the extension's value, without the wrapping OCTET STRING.
    package var value: ArraySlice<UInt8>

    package init(id: ASN1ObjectIdentifier, critical: Bool = false, value: ArraySlice<UInt8>) {
        self.id = id
        self.critical = critical
        self.value = value
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let id = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let critical = try DER.decodeDefault(&nodes, defaultValue: false)
            let value = try ASN1OctetString(derEncoded: &nodes)
            return Extension(id: id, critical: critical, value: value.bytes)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(id)
            if critical {
                try coder.serialize(true)
            }
            try coder.serialize(ASN1OctetString(contentBytes: value))
        }
    }
}

/// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`, with look-up by identifier.
package struct Extensions: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var all: [Extension]

    package init(_ all: [Extension]) {
        self.all = all
    }

    package subscript(id: ASN1ObjectIdentifier) -> Extension? {
        all.first { $0.id == id }
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        let all = try DER.sequence(of: Extension.self, identifier: identifier, rootNode: rootNode)
        guard !all.isEmpty else {
            throw ASN1Error.invalidASN1Object(reason: "Extensions must not be empty")
        }
        // RFC 5280 §4.2: a given extension must not appear more than once.
        for (index, ext) in all.enumerated() where all[..<index].contains(where: { $0.id == ext.id }) {
            throw ASN1Error.invalidASN1Object(reason: "extension \(ext.id) appears twice")
        }
        self.all = all
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.serializeSequenceOf(all, identifier: identifier)
    }
}
