import SwiftASN1

/// An X.509 certificate (RFC 5280 §4.1), read with swift-asn1: the one certificate model of the package.
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
///      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
///      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
///      extensions      [3]  EXPLICIT Extensions OPTIONAL }
///
/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// SubjectPublicKeyInfo  ::=  SEQUENCE  { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// ```
///
/// Why not OpenSSL's parser: OpenSSL 3 decodes the public key of every certificate it parses through
/// its provider decoders, about 6 million instructions a certificate, a third of a one-shot run that is
/// answered from the cache. Names and keys are kept as DER, exactly as the CA wrote them; the extensions
/// are split into their list here and each value is decoded only when asked for.
package struct Certificate: Hashable, Sendable {
    /// The whole certificate's DER.
    package let der: [UInt8]
    /// The DER of tbsCertificate: what the issuer signed.
    package let tbsCertificateDER: ArraySlice<UInt8>
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
    /// The v3 extensions; empty for a certificate without any.
    package let extensions: [Extension]
    /// tbsCertificate's `signature` and the outer `signatureAlgorithm`: RFC 5280 §4.1.1.2 wants them equal.
    package let tbsSignatureAlgorithm: AlgorithmIdentifier
    package let signatureAlgorithm: AlgorithmIdentifier
    /// The signatureValue BIT STRING's bytes; nil when it has unused bits (no signature scheme makes those).
    package let signature: [UInt8]?

    package init(der: [UInt8]) throws {
        let envelope = try SignedEnvelope(der: der, what: "a certificate")
        let tbs = envelope.tbs
        self.der = der
        self.tbsCertificateDER = tbs.encodedBytes
        self.signatureAlgorithm = envelope.signatureAlgorithm
        self.signature = envelope.signature
        (serialNumber, tbsSignatureAlgorithm, issuerNameDER, notBefore, notAfter, subjectNameDER,
         subjectPublicKeyInfoDER, publicKeyBits, publicKeyAlgorithm, extensions) = try DER.sequence(tbs, identifier: .sequence) { nodes in
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            let serial = try CertificateSerialNumber(derEncoded: &nodes)
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            guard let issuer = nodes.next(), let validity = nodes.next(), let subject = nodes.next(),
                  let spki = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "tbsCertificate is too short")
            }
            guard issuer.identifier == .sequence, subject.identifier == .sequence else {
                throw ASN1Error.invalidASN1Object(reason: "a Name is a SEQUENCE")
            }
            let (notBefore, notAfter) = try DER.sequence(validity, identifier: .sequence) { nodes in
                (try Self.time(nodes.next()), try Self.time(nodes.next()))
            }
            let (keyAlgorithm, bits) = try DER.sequence(spki, identifier: .sequence) { nodes in
                (try AlgorithmIdentifier(derEncoded: &nodes).algorithm, try ASN1BitString(derEncoded: &nodes))
            }
            var extensions: [Extension] = []
            let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
            while let node = nodes.next() {
                guard node.identifier == extensionsTag else { continue }
                extensions = try DER.explicitlyTagged(node, tagNumber: 3, tagClass: .contextSpecific) { try Self.extensions($0) }
            }
            return (serial, algorithm, Array(issuer.encodedBytes), notBefore, notAfter, Array(subject.encodedBytes),
                    Array(spki.encodedBytes), Array(bits.bytes), keyAlgorithm, extensions)
        }
    }

    /// The Extensions SEQUENCE, read as leniently as OpenSSL reads it: CAs in use write `critical FALSE`
    /// out (which DER forbids) and some repeat an extension; neither may make a CA's own certificate
    /// unloadable. A repeated extension is refused where it is used (`value(of:)`).
    static func extensions(_ node: ASN1Node) throws -> [Extension] {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw ASN1Error.invalidASN1Object(reason: "Extensions is a SEQUENCE")
        }
        return try children.map { node in
            try DER.sequence(node, identifier: .sequence) { nodes in
                let id = try ASN1ObjectIdentifier(derEncoded: &nodes)
                let critical = try DER.optionalImplicitlyTagged(&nodes, tag: .boolean) as Bool? ?? false
                let value = try ASN1OctetString(derEncoded: &nodes)
                return Extension(id: id, critical: critical, value: value.bytes)
            }
        }
    }

    /// Every certificate in PEM text, in order.
    package static func certificates(pem: [UInt8]) throws -> [Certificate] {
        try PEM.decodeAllBlocks(pem, label: "CERTIFICATE").map { try Certificate(der: $0) }
    }

    static func time(_ node: ASN1Node?) throws -> UnixTime {
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

// MARK: names

extension Certificate {
    /// The subject as one line, RFC 4514 (`CN=Leaf,O=Example`), for messages and reports.
    package var subject: String { Self.text(ofName: subjectNameDER) }

    /// The issuer's name as one line, RFC 4514.
    package var issuer: String { Self.text(ofName: issuerNameDER) }

    /// A name's one-line form, or `#` and its hex DER when it is not a well-formed Name.
    static func text(ofName der: [UInt8]) -> String {
        (try? DistinguishedName.string(fromDER: der)) ?? "#" + Hex.encode(der)
    }
}

// MARK: extensions

extension Certificate {
    package static let keyUsageID: ASN1ObjectIdentifier = [2, 5, 29, 15]
    package static let extendedKeyUsageID: ASN1ObjectIdentifier = [2, 5, 29, 37]
    package static let basicConstraintsID: ASN1ObjectIdentifier = [2, 5, 29, 19]
    package static let subjectKeyIdentifierID: ASN1ObjectIdentifier = [2, 5, 29, 14]
    package static let authorityKeyIdentifierID: ASN1ObjectIdentifier = [2, 5, 29, 35]
    package static let ocspSigningUsage: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 9]

    /// The value of extension `id`, nil when the certificate has none.
    package func extensionValue(_ id: ASN1ObjectIdentifier) -> ArraySlice<UInt8>? {
        extensions.first { $0.id == id }?.value
    }

    /// The same, refusing an extension the certificate repeats (RFC 5280 §4.2), as OpenSSL's checks do.
    private func value(of id: ASN1ObjectIdentifier) throws -> ArraySlice<UInt8>? {
        let matching = extensions.filter { $0.id == id }
        guard matching.count <= 1 else { throw ASN1Error.invalidASN1Object(reason: "extension \(id) appears twice") }
        return matching.first?.value
    }

    /// keyUsage (RFC 5280 §4.2.1.3): `KeyUsage ::= BIT STRING`, bit 0 first; nil when absent.
    package var keyUsage: KeyUsage? {
        get throws {
            guard let value = try value(of: Self.keyUsageID) else { return nil }
            return KeyUsage(bits: try ASN1BitString(derEncoded: value))
        }
    }

    /// extKeyUsage (RFC 5280 §4.2.1.12): `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`; nil when absent.
    package var extendedKeyUsage: [ASN1ObjectIdentifier]? {
        get throws {
            guard let value = try value(of: Self.extendedKeyUsageID) else { return nil }
            return try DER.sequence(of: ASN1ObjectIdentifier.self, identifier: .sequence, rootNode: try DER.parse(value))
        }
    }

    /// True when the extended key usage includes id-kp-OCSPSigning (RFC 6960 §4.2.2.2); false when it does
    /// not, is absent, or does not parse.
    package var hasOCSPSigningUsage: Bool {
        ((try? extendedKeyUsage) ?? nil)?.contains(Self.ocspSigningUsage) == true
    }

    /// basicConstraints (RFC 5280 §4.2.1.9): `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
    package var basicConstraints: (isCA: Bool, pathLength: Int?)? {
        get throws {
            guard let value = try value(of: Self.basicConstraintsID) else { return nil }
            return try DER.sequence(try DER.parse(value), identifier: .sequence) { nodes in
                // `cA FALSE` written out is not DER, but CAs write it; read it as OpenSSL does.
                let isCA = try DER.optionalImplicitlyTagged(&nodes, tag: .boolean) as Bool? ?? false
                let pathLength: Int? = try DER.optionalImplicitlyTagged(&nodes)
                return (isCA, pathLength)
            }
        }
    }

    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2): `KeyIdentifier ::= OCTET STRING`; nil when absent.
    package var subjectKeyIdentifier: [UInt8]? {
        get throws {
            guard let value = try value(of: Self.subjectKeyIdentifierID) else { return nil }
            return Array(try ASN1OctetString(derEncoded: value).bytes)
        }
    }

    /// authorityKeyIdentifier (RFC 5280 §4.2.1.1); nil when absent.
    package var authorityKeyIdentifier: AuthorityKeyIdentifier? {
        get throws {
            guard let value = try value(of: Self.authorityKeyIdentifierID) else { return nil }
            return try AuthorityKeyIdentifier(derEncoded: value)
        }
    }

    /// authorityInfoAccess (RFC 5280 §4.2.2.1); nil when absent.
    package var authorityInformationAccess: AuthorityInformationAccess? {
        get throws {
            guard let value = try value(of: AuthorityInformationAccess.extensionID) else { return nil }
            return try AuthorityInformationAccess(extensionValue: value)
        }
    }
}

/// The bits of keyUsage this package looks at.
package struct KeyUsage: Hashable, Sendable {
    /// The BIT STRING's bytes: bit 0 (digitalSignature) is the first byte's high bit.
    package var bytes: [UInt8]

    init(bits: ASN1BitString) {
        bytes = Array(bits.bytes)
    }

    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    package func contains(bit: Int) -> Bool {
        bit / 8 < bytes.count && bytes[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0
    }

    package var digitalSignature: Bool { contains(bit: 0) }
    package var keyCertSign: Bool { contains(bit: 5) }
    package var crlSign: Bool { contains(bit: 6) }
}

/// ```
/// AuthorityKeyIdentifier ::= SEQUENCE {
///     keyIdentifier             [0] KeyIdentifier           OPTIONAL,
///     authorityCertIssuer       [1] GeneralNames            OPTIONAL,
///     authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
/// ```
/// The tags are implicit (the module's default); of authorityCertIssuer only the directoryNames are kept.
package struct AuthorityKeyIdentifier: Hashable, Sendable {
    package var keyIdentifier: [UInt8]?
    /// The DER of each directoryName ([4] EXPLICIT Name) in authorityCertIssuer.
    package var issuerNameDERs: [[UInt8]]
    package var serialNumber: CertificateSerialNumber?

    /// From an authorityKeyIdentifier extension's value (the DER inside extnValue).
    package init(extensionValue value: ArraySlice<UInt8>) throws {
        try self.init(derEncoded: value)
    }

    init(derEncoded value: ArraySlice<UInt8>) throws {
        let tag0 = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        let tag1 = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
        let tag2 = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)
        let directoryName = ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific)
        var keyIdentifier: [UInt8]?
        var names: [[UInt8]] = []
        var serial: CertificateSerialNumber?
        try DER.sequence(try DER.parse(value), identifier: .sequence) { nodes in
            while let node = nodes.next() {
                switch node.identifier {
                case tag0:
                    keyIdentifier = Array(try ASN1OctetString(derEncoded: node, withIdentifier: tag0).bytes)
                case tag1:
                    guard case .constructed(let generalNames) = node.content else {
                        throw ASN1Error.invalidASN1Object(reason: "authorityCertIssuer is GeneralNames")
                    }
                    for name in generalNames where name.identifier == directoryName {
                        guard case .constructed(let inner) = name.content, let first = inner.first(where: { _ in true }) else {
                            throw ASN1Error.invalidASN1Object(reason: "directoryName holds a Name")
                        }
                        names.append(Array(first.encodedBytes))
                    }
                case tag2:
                    serial = try CertificateSerialNumber(derEncoded: node, withIdentifier: tag2)
                default:
                    throw ASN1Error.invalidASN1Object(reason: "unexpected field in AuthorityKeyIdentifier")
                }
            }
        }
        self.keyIdentifier = keyIdentifier
        self.issuerNameDERs = names
        self.serialNumber = serial
    }
}

// MARK: issuance

extension Certificate {
    /// What RFC 5280 and OpenSSL's `X509_check_issued` ask of `issuer` before its signature is checked:
    /// its subject is this certificate's issuer, the authorityKeyIdentifier (when present) points at it,
    /// its keyUsage (when present) allows keyCertSign, and this certificate names one signature algorithm
    /// inside and outside tbsCertificate. An extension that does not parse fails the check.
    ///
    /// Names are compared byte for byte: a CertID hashes the issuer's name as it is encoded, so a CA
    /// whose encoding differs is not the issuer an OCSP request names either.
    package func namesAsIssuer(_ issuer: Certificate) -> Bool {
        guard issuerNameDER == issuer.subjectNameDER, tbsSignatureAlgorithm == signatureAlgorithm else { return false }
        do {
            if let authorityKey = try authorityKeyIdentifier {
                if let keyID = authorityKey.keyIdentifier, let issuerKeyID = try issuer.subjectKeyIdentifier, keyID != issuerKeyID {
                    return false
                }
                if let serial = authorityKey.serialNumber, serial != issuer.serialNumber { return false }
                if !authorityKey.issuerNameDERs.isEmpty, !authorityKey.issuerNameDERs.contains(issuer.issuerNameDER) { return false }
            }
            if let usage = try issuer.keyUsage, !usage.keyCertSign { return false }
        } catch {
            return false
        }
        return true
    }
}
