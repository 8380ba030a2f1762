import SwiftASN1

/// The typed payload of a successful response (RFC 6960 §4.2.1).
///
/// ```
/// ResponseBytes ::=       SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
public struct ResponseBytes: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public var responseType: ASN1ObjectIdentifier
    /// The DER of the response, a BasicOCSPResponse when `responseType` is `id-pkix-ocsp-basic`.
    public var response: ArraySlice<UInt8>

    public init(responseType: ASN1ObjectIdentifier, response: ArraySlice<UInt8>) {
        self.responseType = responseType
        self.response = response
    }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            ResponseBytes(
                responseType: try ASN1ObjectIdentifier(derEncoded: &nodes),
                response: try ASN1OctetString(derEncoded: &nodes).bytes
            )
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(responseType)
            try coder.serialize(ASN1OctetString(contentBytes: response))
        }
    }
}
