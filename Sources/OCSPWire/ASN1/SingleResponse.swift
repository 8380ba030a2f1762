import SwiftASN1

/// The answer about one certificate (RFC 6960 §4.2.1).
///
/// ```
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
package struct SingleResponse: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var certID: CertID
    package var certStatus: CertStatus
    package var thisUpdate: GeneralizedTime
    package var nextUpdate: GeneralizedTime?
    package var singleExtensions: Extensions?

    package init(
        certID: CertID, certStatus: CertStatus, thisUpdate: GeneralizedTime,
        nextUpdate: GeneralizedTime?, singleExtensions: Extensions? = nil
    ) {
        self.certID = certID
        self.certStatus = certStatus
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.singleExtensions = singleExtensions
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let certID = try CertID(derEncoded: &nodes)
            guard let statusNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "SingleResponse has no certStatus")
            }
            let status = try CertStatus(derEncoded: statusNode)
            let thisUpdate = try GeneralizedTime(derEncoded: &nodes)
            let nextUpdate = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try GeneralizedTime(derEncoded: $0)
            }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                try Extensions(derEncoded: $0)
            }
            return SingleResponse(
                certID: certID, certStatus: status, thisUpdate: thisUpdate,
                nextUpdate: nextUpdate, singleExtensions: extensions
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(certID)
            try coder.serialize(certStatus)
            try coder.serialize(thisUpdate)
            if let nextUpdate {
                try coder.serialize(nextUpdate, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
            if let singleExtensions {
                try coder.serialize(singleExtensions, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            }
        }
    }
}
