import SwiftASN1

/// Who signed a response (RFC 6960 §4.2.1).
///
/// ```
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
///
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
///
/// The OCSP module uses explicit tagging, so each choice wraps its value. We always sign byKey, as
/// RFC 5019 and RFC 9919 require of new responders; byName is parsed for `inspect`, kept opaque.
package enum ResponderID: DERParseable, DERSerializable, Hashable, Sendable {
    case byName(ASN1Any)
    case byKey(ASN1OctetString)

    package init(derEncoded node: ASN1Node) throws {
        if let name = try DER.optionalExplicitlyTaggedSingle(node, tagNumber: 1, { ASN1Any(derEncoded: $0) }) {
            self = .byName(name)
        } else if let key = try DER.optionalExplicitlyTaggedSingle(node, tagNumber: 2, { try ASN1OctetString(derEncoded: $0) }) {
            self = .byKey(key)
        } else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    package func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .byName(let name): try coder.serialize(name, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        case .byKey(let hash): try coder.serialize(hash, explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
        }
    }
}

extension DER {
    /// Unwraps one context-specific explicit tag around a single node, or returns nil if the tag differs.
    static func optionalExplicitlyTaggedSingle<T>(
        _ node: ASN1Node, tagNumber: UInt, _ builder: (ASN1Node) throws -> T
    ) throws -> T? {
        guard node.identifier == ASN1Identifier(tagWithNumber: tagNumber, tagClass: .contextSpecific) else { return nil }
        return try DER.explicitlyTagged(node, tagNumber: tagNumber, tagClass: .contextSpecific, builder)
    }
}
