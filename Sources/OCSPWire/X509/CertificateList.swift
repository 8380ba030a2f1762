import SwiftASN1

/// A certificate revocation list (RFC 5280 §5.1), full or delta, read with swift-asn1, so that a CA that
/// publishes only CRLs can be given a responder (`db import --crl`).
///
/// ```
/// CertificateList  ::=  SEQUENCE  {
///      tbsCertList          TBSCertList,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
///
/// TBSCertList  ::=  SEQUENCE  {
///      version                 Version OPTIONAL,  -- if present, MUST be v2
///      signature               AlgorithmIdentifier,
///      issuer                  Name,
///      thisUpdate              Time,
///      nextUpdate              Time OPTIONAL,
///      revokedCertificates     SEQUENCE OF SEQUENCE  {
///           userCertificate         CertificateSerialNumber,
///           revocationDate          Time,
///           crlEntryExtensions      Extensions OPTIONAL  -- if present, version MUST be v2
///                                }  OPTIONAL,
///      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL  -- if present, version MUST be v2
///                                }
/// ```
///
/// Extensions are kept as a list and decoded where they are used (`Entry.reason`, `crlNumber`,
/// `baseCRLNumber`); `unhandledCriticalExtension` names one a reader must refuse the CRL for (§5.2, §5.3).
package struct CertificateList: Hashable, Sendable {
    /// One revoked certificate.
    package struct Entry: Hashable, Sendable {
        package let serial: CertificateSerialNumber
        package let revocationDate: UnixTime
        package let extensions: [Extension]

        /// reasonCode (RFC 5280 §5.3.1): `CRLReason ::= ENUMERATED`; nil when absent.
        package var reason: CRLReason? {
            get throws {
                guard let value = extensions.first(where: { $0.id == CertificateList.reasonCodeID })?.value else { return nil }
                return try CRLReason(derEncoded: value)
            }
        }

        /// True when the entry names another issuer (an indirect CRL's certificateIssuer, §5.3.3).
        package var namesAnotherIssuer: Bool { extensions.contains { $0.id == CertificateList.certificateIssuerID } }
    }

    package static let reasonCodeID: ASN1ObjectIdentifier = [2, 5, 29, 21]
    package static let invalidityDateID: ASN1ObjectIdentifier = [2, 5, 29, 24]
    package static let certificateIssuerID: ASN1ObjectIdentifier = [2, 5, 29, 29]
    package static let crlNumberID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    package static let deltaCRLIndicatorID: ASN1ObjectIdentifier = [2, 5, 29, 27]
    package static let issuingDistributionPointID: ASN1ObjectIdentifier = [2, 5, 29, 28]
    package static let freshestCRLID: ASN1ObjectIdentifier = [2, 5, 29, 46]
    package static let authorityKeyIdentifierID: ASN1ObjectIdentifier = [2, 5, 29, 35]

    /// The whole CRL's DER.
    package let der: [UInt8]
    /// The DER of tbsCertList: what the issuer signed.
    package let tbsCertListDER: ArraySlice<UInt8>
    package let tbsSignatureAlgorithm: AlgorithmIdentifier
    package let signatureAlgorithm: AlgorithmIdentifier
    /// The signatureValue BIT STRING's bytes; nil when it has unused bits.
    package let signature: [UInt8]?
    package let issuerNameDER: [UInt8]
    package let thisUpdate: UnixTime
    package let nextUpdate: UnixTime?
    package let entries: [Entry]
    package let extensions: [Extension]

    package init(der: [UInt8]) throws {
        let envelope = try SignedEnvelope(der: der, what: "a CRL")
        let tbs = envelope.tbs
        self.der = der
        self.tbsCertListDER = tbs.encodedBytes
        self.signatureAlgorithm = envelope.signatureAlgorithm
        self.signature = envelope.signature
        (tbsSignatureAlgorithm, issuerNameDER, thisUpdate, nextUpdate, entries, extensions) = try DER.sequence(tbs, identifier: .sequence) { nodes in
            var node = nodes.next()
            if let version = node, version.identifier == .integer {
                guard try Int(derEncoded: version) == 1 else { throw ASN1Error.invalidASN1Object(reason: "a CRL's version, when present, is v2") }
                node = nodes.next()
            }
            guard let algorithmNode = node else { throw ASN1Error.invalidASN1Object(reason: "tbsCertList is too short") }
            let algorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
            guard let issuer = nodes.next(), issuer.identifier == .sequence else {
                throw ASN1Error.invalidASN1Object(reason: "a CRL's issuer is a Name")
            }
            let thisUpdate = try Certificate.time(nodes.next())
            var nextUpdate: UnixTime?
            var entries: [Entry] = []
            var extensions: [Extension] = []
            let extensionsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
            while let node = nodes.next() {
                switch node.identifier {
                case .utcTime, .generalizedTime:
                    guard nextUpdate == nil, entries.isEmpty, extensions.isEmpty else {
                        throw ASN1Error.invalidASN1Object(reason: "a CRL's nextUpdate follows thisUpdate")
                    }
                    nextUpdate = try Certificate.time(node)
                case .sequence:
                    guard entries.isEmpty, extensions.isEmpty else {
                        throw ASN1Error.invalidASN1Object(reason: "a CRL has one revokedCertificates list, before its extensions")
                    }
                    entries = try DER.sequence(of: Entry.self, identifier: .sequence, rootNode: node)
                case extensionsTag:
                    extensions = try DER.explicitlyTagged(node, tagNumber: 0, tagClass: .contextSpecific) { try Certificate.extensions($0) }
                default:
                    throw ASN1Error.invalidASN1Object(reason: "unexpected field in tbsCertList")
                }
            }
            return (algorithm, Array(issuer.encodedBytes), thisUpdate, nextUpdate, entries, extensions)
        }
    }

    /// Every CRL in PEM text (`X509 CRL` blocks), or the one DER CRL when the bytes are not PEM.
    package static func lists(pemOrDER bytes: [UInt8]) throws -> [CertificateList] {
        if bytes.first == 0x30 { return [try CertificateList(der: bytes)] }
        return try PEM.decodeAllBlocks(bytes, label: "X509 CRL").map { try CertificateList(der: $0) }
    }

    /// The issuer as one line, RFC 4514.
    package var issuer: String { Certificate.text(ofName: issuerNameDER) }

    /// cRLNumber (§5.2.3): `CRLNumber ::= INTEGER (0..MAX)`; nil when absent.
    package var crlNumber: CertificateSerialNumber? {
        get throws { try integer(Self.crlNumberID) }
    }

    /// The deltaCRLIndicator's BaseCRLNumber (§5.2.4) of a delta CRL; nil for a full CRL.
    package var baseCRLNumber: CertificateSerialNumber? {
        get throws { try integer(Self.deltaCRLIndicatorID) }
    }

    /// True when the CRL covers only part of what its issuer revokes (an issuingDistributionPoint, §5.2.5:
    /// a partition by distribution point, reasons or certificate type, or an indirect CRL), so that a
    /// serial it does not list may still be revoked elsewhere.
    package var isPartitioned: Bool { extensions.contains { $0.id == Self.issuingDistributionPointID } }

    /// The first critical extension, on the CRL or an entry, that this reader does not act on: RFC 5280
    /// §5.2 and §5.3 forbid using a CRL with one. Those handled: cRLNumber, deltaCRLIndicator,
    /// authorityKeyIdentifier, freshestCRL, and on entries reasonCode and invalidityDate (an
    /// issuingDistributionPoint and certificateIssuer are refused by the importer with their own reason).
    package var unhandledCriticalExtension: ASN1ObjectIdentifier? {
        let known: Set<ASN1ObjectIdentifier> = [Self.crlNumberID, Self.deltaCRLIndicatorID, Self.authorityKeyIdentifierID,
                                                Self.freshestCRLID, Self.issuingDistributionPointID]
        if let unknown = extensions.first(where: { $0.critical && !known.contains($0.id) }) { return unknown.id }
        let entryKnown: Set<ASN1ObjectIdentifier> = [Self.reasonCodeID, Self.invalidityDateID, Self.certificateIssuerID]
        for entry in entries {
            if let unknown = entry.extensions.first(where: { $0.critical && !entryKnown.contains($0.id) }) { return unknown.id }
        }
        return nil
    }

    private func integer(_ id: ASN1ObjectIdentifier) throws -> CertificateSerialNumber? {
        let matching = extensions.filter { $0.id == id }
        guard matching.count <= 1 else { throw ASN1Error.invalidASN1Object(reason: "extension \(id) appears twice") }
        guard let value = matching.first?.value else { return nil }
        return try CertificateSerialNumber(derEncoded: value)
    }
}

extension CertificateList.Entry: DERParseable {
    package init(derEncoded rootNode: ASN1Node) throws {
        self = try DER.sequence(rootNode, identifier: .sequence) { nodes in
            let serial = try CertificateSerialNumber(derEncoded: &nodes)
            let date = try Certificate.time(nodes.next())
            var extensions: [Extension] = []
            if let node = nodes.next() { extensions = try Certificate.extensions(node) }
            guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "a CRL entry has at most three fields") }
            return Self(serial: serial, revocationDate: date, extensions: extensions)
        }
    }
}
