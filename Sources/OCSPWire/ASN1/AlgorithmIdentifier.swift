import SwiftASN1

/// An algorithm and its optional parameters (RFC 5280 §4.1.1.2).
///
/// ```
/// AlgorithmIdentifier  ::=  SEQUENCE  {
///      algorithm               OBJECT IDENTIFIER,
///      parameters              ANY DEFINED BY algorithm OPTIONAL  }
/// ```
///
/// The parameters are kept as they were encoded, so that a CertID's hash algorithm is echoed exactly
/// as the client sent it: SHA-1 with an explicit NULL and SHA-1 with no parameters are different bytes.
package struct AlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var algorithm: ASN1ObjectIdentifier
    package var parameters: ASN1Any?

    package init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return AlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters {
                try coder.serialize(parameters)
            }
        }
    }

    /// A NULL parameter, as RSA signature algorithms and (by convention) CertID hashes carry.
    package static let nullParameters: ASN1Any = try! ASN1Any(erasing: ASN1Null())
}
