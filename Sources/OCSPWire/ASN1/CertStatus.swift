import SwiftASN1

/// A certificate's status in a response (RFC 6960 §4.2.1).
///
/// ```
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
///
/// UnknownInfo ::= NULL
/// ```
package enum CertStatus: DERParseable, DERSerializable, Hashable, Sendable {
    case good
    case revoked(RevokedInfo)
    case unknown

    static let goodTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    static let revokedTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    static let unknownTag = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)

    package init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case Self.goodTag:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.goodTag)
            self = .good
        case Self.revokedTag:
            self = .revoked(try RevokedInfo(derEncoded: node, withIdentifier: Self.revokedTag))
        case Self.unknownTag:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.unknownTag)
            self = .unknown
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    package func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .good: ASN1Null().serialize(into: &coder, withIdentifier: Self.goodTag)
        case .revoked(let info): try info.serialize(into: &coder, withIdentifier: Self.revokedTag)
        case .unknown: ASN1Null().serialize(into: &coder, withIdentifier: Self.unknownTag)
        }
    }

    /// `good`, `revoked` or `unknown`, as logs and JSON print it.
    package var name: String {
        switch self {
        case .good: "good"
        case .revoked: "revoked"
        case .unknown: "unknown"
        }
    }
}

/// When and why a certificate was revoked (RFC 6960 §4.2.1).
///
/// ```
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
package struct RevokedInfo: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var revocationTime: GeneralizedTime
    package var revocationReason: CRLReason?

    package init(revocationTime: GeneralizedTime, revocationReason: CRLReason?) {
        self.revocationTime = revocationTime
        self.revocationReason = revocationReason
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let time = try GeneralizedTime(derEncoded: &nodes)
            let reason = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try CRLReason(derEncoded: $0)
            }
            return RevokedInfo(revocationTime: time, revocationReason: reason)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(revocationTime)
            if let revocationReason {
                try coder.serialize(revocationReason, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            }
        }
    }
}
