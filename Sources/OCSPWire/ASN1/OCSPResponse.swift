import SwiftASN1

/// A whole OCSP response (RFC 6960 §4.2.1).
///
/// ```
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
package struct OCSPResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var responseStatus: OCSPResponseStatus
    package var responseBytes: ResponseBytes?

    package init(responseStatus: OCSPResponseStatus, responseBytes: ResponseBytes? = nil) {
        self.responseStatus = responseStatus
        self.responseBytes = responseBytes
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let status = try OCSPResponseStatus(derEncoded: &nodes)
            let bytes = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try ResponseBytes(derEncoded: $0)
            }
            return OCSPResponse(responseStatus: status, responseBytes: bytes)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(responseStatus)
            if let responseBytes {
                try coder.serialize(responseBytes, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
        }
    }

    /// The unsigned response for an error status: only the status, no responseBytes (§2.3).
    /// `successful` has no unsigned form (it must carry a signed body): asked for one, this says
    /// `internalError`, what a client should hear of our own mistake, rather than trapping mid-answer.
    package static func error(_ status: OCSPResponseStatus) -> [UInt8] {
        let status = status == .successful ? .internalError : status
        return [0x30, 0x03, 0x0A, 0x01, UInt8(status.rawValue)]
    }

    /// The BasicOCSPResponse inside, if this is a successful basic response.
    package func basicResponse() throws -> BasicOCSPResponse? {
        guard let responseBytes, responseBytes.responseType == OCSPObjectIdentifier.basicResponse else { return nil }
        return try BasicOCSPResponse(derEncoded: responseBytes.response)
    }
}

extension DERSerializable {
    /// This value's DER.
    package func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
