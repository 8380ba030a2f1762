import SwiftASN1

/// The signed part of a basic response (RFC 6960 §4.2.1).
///
/// ```
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
package struct ResponseData: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var version: Int
    package var responderID: ResponderID
    package var producedAt: GeneralizedTime
    package var responses: [SingleResponse]
    package var responseExtensions: Extensions?

    package init(
        version: Int = 0, responderID: ResponderID, producedAt: GeneralizedTime,
        responses: [SingleResponse], responseExtensions: Extensions?
    ) {
        self.version = version
        self.responderID = responderID
        self.producedAt = producedAt
        self.responses = responses
        self.responseExtensions = responseExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try DER.decodeDefaultExplicitlyTagged(
                &nodes, tagNumber: 0, tagClass: .contextSpecific, defaultValue: 0
            )
            guard let responderNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "ResponseData has no responderID")
            }
            let responderID = try ResponderID(derEncoded: responderNode)
            let producedAt = try GeneralizedTime(derEncoded: &nodes)
            guard let listNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "ResponseData has no responses")
            }
            let responses = try DER.sequence(of: SingleResponse.self, identifier: .sequence, rootNode: listNode)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                try Extensions(derEncoded: $0)
            }
            return ResponseData(
                version: version, responderID: responderID, producedAt: producedAt,
                responses: responses, responseExtensions: extensions
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            if version != 0 {
                try coder.serialize(version, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
            try coder.serialize(responderID)
            try coder.serialize(producedAt)
            try coder.serializeSequenceOf(responses)
            if let responseExtensions {
                try coder.serialize(responseExtensions, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            }
        }
    }
}
