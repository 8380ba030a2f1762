import SwiftASN1

/// The signed response body (RFC 6960 §4.2.1).
///
/// ```
/// BasicOCSPResponse       ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
///
/// `tbsResponseDataBytes` keeps the signed octets as received, so a parsed response can be verified
/// without re-encoding; certificates stay as DER.
package struct BasicOCSPResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var tbsResponseData: ResponseData
    package var tbsResponseDataBytes: ArraySlice<UInt8>
    package var signatureAlgorithm: AlgorithmIdentifier
    package var signature: ASN1BitString
    package var certs: [ASN1Any]?

    package init(
        tbsResponseData: ResponseData, tbsResponseDataBytes: ArraySlice<UInt8>,
        signatureAlgorithm: AlgorithmIdentifier, signature: ASN1BitString, certs: [ASN1Any]?
    ) {
        self.tbsResponseData = tbsResponseData
        self.tbsResponseDataBytes = tbsResponseDataBytes
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
        self.certs = certs
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            guard let dataNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "BasicOCSPResponse has no tbsResponseData")
            }
            let data = try ResponseData(derEncoded: dataNode)
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let signature = try ASN1BitString(derEncoded: &nodes)
            let certs = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                try DER.sequence(of: ASN1Any.self, identifier: .sequence, rootNode: node)
            }
            return BasicOCSPResponse(
                tbsResponseData: data, tbsResponseDataBytes: dataNode.encodedBytes,
                signatureAlgorithm: algorithm, signature: signature, certs: certs
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            coder.serializeRawBytes(tbsResponseDataBytes)
            try coder.serialize(signatureAlgorithm)
            try coder.serialize(signature)
            if let certs {
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                    try coder.serializeSequenceOf(certs)
                }
            }
        }
    }
}
