import SwiftASN1

/// One certificate asked about in a request (RFC 6960 §4.1.1).
///
/// ```
/// Request         ::=     SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// ```
package struct Request: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var certID: CertID
    package var singleRequestExtensions: Extensions?

    package init(certID: CertID, singleRequestExtensions: Extensions? = nil) {
        self.certID = certID
        self.singleRequestExtensions = singleRequestExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let certID = try CertID(derEncoded: &nodes)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try Extensions(derEncoded: $0)
            }
            return Request(certID: certID, singleRequestExtensions: extensions)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(certID)
            if let singleRequestExtensions {
                try coder.serialize(singleRequestExtensions, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
        }
    }
}
