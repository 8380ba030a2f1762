import SwiftASN1

/// An ENUMERATED value: encoded like an INTEGER under its own tag. swift-asn1 has no type for it.
struct ASN1Enumerated: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .enumerated }

    var value: Int

    init(_ value: Int) {
        self.value = value
    }

    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        // Same content rules as INTEGER; parse it as one by swapping the tag.
        guard node.identifier == identifier else { throw ASN1Error.unexpectedFieldType(node.identifier) }
        value = try Int(derEncoded: node, withIdentifier: identifier)
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try value.serialize(into: &coder, withIdentifier: identifier)
    }
}
