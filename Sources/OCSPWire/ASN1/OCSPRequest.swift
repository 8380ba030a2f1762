import SwiftASN1

/// A whole OCSP request (RFC 6960 §4.1.1).
///
/// ```
/// OCSPRequest     ::=     SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// ```
///
/// A signed request's signature is checked by the responder (`RequestSignatureVerifier`) over the DER
/// of tbsRequest as it came, which a parsed request keeps.
package struct OCSPRequest: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var tbsRequest: TBSRequest
    package var optionalSignature: RequestSignature?
    /// The DER of tbsRequest as received: what a signature covers; nil for a request made here.
    package var tbsRequestDER: ArraySlice<UInt8>?

    package init(tbsRequest: TBSRequest, optionalSignature: RequestSignature? = nil, tbsRequestDER: ArraySlice<UInt8>? = nil) {
        self.tbsRequest = tbsRequest
        self.optionalSignature = optionalSignature
        self.tbsRequestDER = tbsRequestDER
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            guard let tbsNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "OCSPRequest has no tbsRequest") }
            let tbsRequest = try TBSRequest(derEncoded: tbsNode)
            let signature = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try RequestSignature(derEncoded: $0)
            }
            return OCSPRequest(tbsRequest: tbsRequest, optionalSignature: signature, tbsRequestDER: tbsNode.encodedBytes)
        }
    }

    /// Equal requests say the same; where their tbsRequest bytes came from does not matter.
    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.tbsRequest == rhs.tbsRequest && lhs.optionalSignature == rhs.optionalSignature
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(tbsRequest)
        hasher.combine(optionalSignature)
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
