import SwiftASN1

/// The fields of an X.509 certificate that answering needs, read with swift-asn1 (RFC 5280 §4.1):
///
/// ```
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
///
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      validity             Validity,
///      subject              Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo,
///      ... }
///
/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// SubjectPublicKeyInfo  ::=  SEQUENCE  { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// ```
///
/// Why not OpenSSL's parser: OpenSSL 3 decodes the public key of every certificate it parses through
/// its provider decoders, about 6 million instructions a certificate, a third of a one-shot run that is
/// answered from the cache. Names and keys are kept as DER, exactly as the CA wrote them.
package struct CertificateSummary: Hashable, Sendable {
    /// The whole certificate's DER.
    package let der: [UInt8]
    package let serialNumber: CertificateSerialNumber
    /// The DER of the issuer's and the subject's distinguished names.
    package let issuerNameDER: [UInt8]
    package let subjectNameDER: [UInt8]
    package let notBefore: UnixTime
    package let notAfter: UnixTime
    /// The DER of SubjectPublicKeyInfo.
    package let subjectPublicKeyInfoDER: [UInt8]
    /// The subjectPublicKey BIT STRING's value: what issuerKeyHash and ResponderID byKey hash.
    package let publicKeyBits: [UInt8]
    /// The public key's algorithm: rsaEncryption, id-ecPublicKey, id-Ed25519, ...
    package let publicKeyAlgorithm: ASN1ObjectIdentifier

    package init(der: [UInt8]) throws {
        let root = try DER.parse(der[...])
        var fields: (CertificateSerialNumber, [UInt8], [UInt8], UnixTime, UnixTime, [UInt8], [UInt8], ASN1ObjectIdentifier)?
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no tbsCertificate") }
            fields = try DER.sequence(tbs, identifier: .sequence) { nodes in
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
                let serial = try CertificateSerialNumber(derEncoded: &nodes)
                _ = try AlgorithmIdentifier(derEncoded: &nodes)
                guard let issuer = nodes.next(), let validity = nodes.next(), let subject = nodes.next(),
                      let spki = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "tbsCertificate is too short")
                }
                let (notBefore, notAfter) = try DER.sequence(validity, identifier: .sequence) { nodes in
                    (try Self.time(nodes.next()), try Self.time(nodes.next()))
                }
                let (algorithm, bits) = try DER.sequence(spki, identifier: .sequence) { nodes in
                    (try AlgorithmIdentifier(derEncoded: &nodes).algorithm, try ASN1BitString(derEncoded: &nodes))
                }
                while nodes.next() != nil {}
                return (serial, Array(issuer.encodedBytes), Array(subject.encodedBytes), notBefore, notAfter,
                        Array(spki.encodedBytes), Array(bits.bytes), algorithm)
            }
            while nodes.next() != nil {}
        }
        guard let fields else { throw ASN1Error.invalidASN1Object(reason: "no tbsCertificate") }
        self.der = der
        (serialNumber, issuerNameDER, subjectNameDER, notBefore, notAfter, subjectPublicKeyInfoDER, publicKeyBits, publicKeyAlgorithm) = fields
    }

    /// Every certificate in PEM text, in order.
    package static func certificates(pem: [UInt8]) throws -> [CertificateSummary] {
        try PEM.decodeAllBlocks(pem, label: "CERTIFICATE").map { try CertificateSummary(der: $0) }
    }

    private static func time(_ node: ASN1Node?) throws -> UnixTime {
        guard let node else { throw ASN1Error.invalidASN1Object(reason: "validity is too short") }
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return UnixTime(year: time.year, month: time.month, day: time.day, hours: time.hours, minutes: time.minutes, seconds: time.seconds)
        default:
            return UnixTime(try GeneralizedTime(derEncoded: node))
        }
    }
}
