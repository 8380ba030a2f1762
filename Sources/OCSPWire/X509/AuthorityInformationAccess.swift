import SwiftASN1

/// A certificate's Authority Information Access extension (RFC 5280 §4.2.2.1): where its issuer's OCSP
/// responder answers, and where the issuer's certificate can be fetched.
///
/// ```
/// AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
/// AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
/// GeneralName ::= CHOICE { ..., uniformResourceIdentifier [6] IA5String, ... }
/// ```
///
/// Only URI locations are kept (the only kind OCSP and CA Issuers use in practice), in certificate order.
package struct AuthorityInformationAccess: Hashable, Sendable {
    package static let extensionID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]
    package static let ocspMethod: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1]
    package static let caIssuersMethod: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 2]

    package var ocsp: [String]
    package var caIssuers: [String]

    package init(ocsp: [String] = [], caIssuers: [String] = []) {
        self.ocsp = ocsp
        self.caIssuers = caIssuers
    }

    /// Parses the extnValue's content: the AuthorityInfoAccessSyntax DER.
    package init(extensionValue: ArraySlice<UInt8>) throws {
        var ocsp: [String] = []
        var caIssuers: [String] = []
        let uri = ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)
        let root = try DER.parse(extensionValue)
        guard root.identifier == .sequence, case .constructed(let descriptions) = root.content else {
            throw ASN1Error.invalidASN1Object(reason: "AuthorityInfoAccessSyntax is not a SEQUENCE")
        }
        for description in descriptions {
            try DER.sequence(description, identifier: .sequence) { nodes in
                let method = try ASN1ObjectIdentifier(derEncoded: &nodes)
                guard let location = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "AccessDescription without a location") }
                while nodes.next() != nil {}
                guard location.identifier == uri, case .primitive(let bytes) = location.content else { return }
                let text = String(decoding: bytes, as: UTF8.self)
                if method == Self.ocspMethod { ocsp.append(text) }
                if method == Self.caIssuersMethod { caIssuers.append(text) }
            }
        }
        self.ocsp = ocsp
        self.caIssuers = caIssuers
    }
}
