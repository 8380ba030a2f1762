import SwiftASN1

/// A signed request's signature (RFC 6960 §4.1.1): over the DER of tbsRequest, with the certificates
/// that help the responder verify it.
///
/// ```
/// Signature       ::=     SEQUENCE {
///     signatureAlgorithm      AlgorithmIdentifier,
///     signature               BIT STRING,
///     certs               [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL}
/// ```
package struct RequestSignature: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var algorithm: AlgorithmIdentifier
    package var signature: ASN1BitString
    /// The certificates, each as its DER; the first is by convention the signer's.
    package var certificates: [[UInt8]]

    package init(algorithm: AlgorithmIdentifier, signature: ASN1BitString, certificates: [[UInt8]] = []) {
        self.algorithm = algorithm
        self.signature = signature
        self.certificates = certificates
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let signature = try ASN1BitString(derEncoded: &nodes)
            let certificates: [[UInt8]] = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node -> [[UInt8]] in
                guard node.identifier == .sequence, case .constructed(let children) = node.content else {
                    throw ASN1Error.invalidASN1Object(reason: "certs is a SEQUENCE OF Certificate")
                }
                return children.map { (child: ASN1Node) -> [UInt8] in Array(child.encodedBytes) }
            } ?? []
            return RequestSignature(algorithm: algorithm, signature: signature, certificates: certificates)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            try coder.serialize(signature)
            if !certificates.isEmpty {
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        for certificate in certificates { coder.serializeRawBytes(certificate) }
                    }
                }
            }
        }
    }
}
