import SwiftASN1

/// A whole OCSP request (RFC 6960 §4.1.1).
///
/// ```
/// OCSPRequest     ::=     SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// ```
///
/// Signed requests are accepted but their signature is not checked: this responder answers anyone,
/// as RFC 5019 profiles expect. The signature is kept opaque.
package struct OCSPRequest: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var tbsRequest: TBSRequest
    package var optionalSignature: ASN1Any?

    package init(tbsRequest: TBSRequest, optionalSignature: ASN1Any? = nil) {
        self.tbsRequest = tbsRequest
        self.optionalSignature = optionalSignature
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let tbsRequest = try TBSRequest(derEncoded: &nodes)
            let signature = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                ASN1Any(derEncoded: $0)
            }
            return OCSPRequest(tbsRequest: tbsRequest, optionalSignature: signature)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(tbsRequest)
            if let optionalSignature {
                try coder.serialize(optionalSignature, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
        }
    }
}
