import SwiftASN1

/// The body of a request (RFC 6960 §4.1.1).
///
/// ```
/// TBSRequest      ::=     SEQUENCE {
///     version             [0]     EXPLICIT Version DEFAULT v1,
///     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
///     requestList                 SEQUENCE OF Request,
///     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
///
/// Version         ::=     INTEGER  {  v1(0) }
/// ```
///
/// The requestor's GeneralName is kept opaque: a responder that does not require signed requests
/// never looks inside it.
package struct TBSRequest: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var version: Int
    package var requestorName: ASN1Any?
    package var requestList: [Request]
    package var requestExtensions: Extensions?

    package init(version: Int = 0, requestorName: ASN1Any? = nil, requestList: [Request], requestExtensions: Extensions? = nil) {
        self.version = version
        self.requestorName = requestorName
        self.requestList = requestList
        self.requestExtensions = requestExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try DER.decodeDefaultExplicitlyTagged(
                &nodes, tagNumber: 0, tagClass: .contextSpecific, defaultValue: 0
            )
            let requestorName = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                ASN1Any(derEncoded: $0)
            }
            guard let listNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "TBSRequest has no requestList")
            }
            let requestList = try DER.sequence(of: Request.self, identifier: .sequence, rootNode: listNode)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                try Extensions(derEncoded: $0)
            }
            return TBSRequest(
                version: version, requestorName: requestorName, requestList: requestList, requestExtensions: extensions
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            if version != 0 {
                try coder.serialize(version, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
            if let requestorName {
                try coder.serialize(requestorName, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            }
            try coder.serializeSequenceOf(requestList)
            if let requestExtensions {
                try coder.serialize(requestExtensions, explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
            }
        }
    }
}
