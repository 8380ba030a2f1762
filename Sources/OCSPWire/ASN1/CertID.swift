import SwiftASN1

/// Names one certificate by its issuer's hashes and its serial (RFC 6960 §4.1.1).
///
/// ```
/// CertID          ::=     SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
///
/// A response must echo the request's CertID exactly (§4.2.2.3); since requests are parsed as strict
/// DER and every field is kept as sent, serializing a parsed CertID gives back the same octets.
package struct CertID: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var hashAlgorithm: AlgorithmIdentifier
    package var issuerNameHash: ASN1OctetString
    package var issuerKeyHash: ASN1OctetString
    package var serialNumber: CertificateSerialNumber

    package init(
        hashAlgorithm: AlgorithmIdentifier,
        issuerNameHash: ASN1OctetString,
        issuerKeyHash: ASN1OctetString,
        serialNumber: CertificateSerialNumber
    ) {
        self.hashAlgorithm = hashAlgorithm
        self.issuerNameHash = issuerNameHash
        self.issuerKeyHash = issuerKeyHash
        self.serialNumber = serialNumber
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            CertID(
                hashAlgorithm: try AlgorithmIdentifier(derEncoded: &nodes),
                issuerNameHash: try ASN1OctetString(derEncoded: &nodes),
                issuerKeyHash: try ASN1OctetString(derEncoded: &nodes),
                serialNumber: try CertificateSerialNumber(derEncoded: &nodes)
            )
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(hashAlgorithm)
            try coder.serialize(issuerNameHash)
            try coder.serialize(issuerKeyHash)
            try coder.serialize(serialNumber)
        }
    }
}
