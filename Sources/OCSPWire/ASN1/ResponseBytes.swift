import SwiftASN1

/// The typed payload of a successful response (RFC 6960 §4.2.1).
///
/// ```
/// ResponseBytes ::=       SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
package struct ResponseBytes: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var responseType: ASN1ObjectIdentifier
    /// The DER of the response, a BasicOCSPResponse when `responseType` is `id-pkix-ocsp-basic`.
    package var response: ArraySlice<UInt8>

    package init(responseType: ASN1ObjectIdentifier, response: ArraySlice<UInt8>) {
        self.responseType = responseType
        self.response = response
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            ResponseBytes(
                responseType: try ASN1ObjectIdentifier(derEncoded: &nodes),
                response: try ASN1OctetString(derEncoded: &nodes).bytes
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(responseType)
            try coder.serialize(ASN1OctetString(contentBytes: response))
        }
    }
}
