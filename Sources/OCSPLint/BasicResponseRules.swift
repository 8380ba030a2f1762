import OCSPCore
import OCSPWire
import SwiftASN1

/// The BasicOCSPResponse and its ResponseData (RFC 6960 §4.2.1), walked node by node.
extension LintRun {
    mutating func lintBasic(_ basic: ASN1Node) {
        guard basic.identifier == .sequence, let parts = Self.children(basic), parts.count >= 3, parts.count <= 4 else {
            add(.error, "structure", "RFC 6960 §4.2.1", "not a BasicOCSPResponse: SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] OPTIONAL }",
                at: location(basic, "BasicOCSPResponse"))
            return
        }
        let tbs = parts[0]
        guard let algorithm = try? AlgorithmIdentifier(derEncoded: parts[1]) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "signatureAlgorithm is not an AlgorithmIdentifier", at: location(parts[1], "signatureAlgorithm"))
            return
        }
        guard let signature = try? ASN1BitString(derEncoded: parts[2]) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "signature is not a BIT STRING", at: location(parts[2], "signature"))
            return
        }
        var certificates: [LintedCertificate] = []
        if parts.count == 4 {
            let certsNode = parts[3]
            if certsNode.identifier == Self.explicit0, let list = Self.explicitContent(certsNode), list.identifier == .sequence,
               let nodes = Self.children(list) {
                for (index, node) in nodes.enumerated() {
                    let path = "certs[\(index)]"
                    do {
                        certificates.append(LintedCertificate(certificate: try Certificate(der: Array(node.encodedBytes)), node: node, path: path))
                    } catch {
                        add(.error, "certificate-parse", "RFC 5280 §4.1", "the certificate does not parse: \(error)", at: location(node, path))
                    }
                }
            } else {
                add(.error, "structure", "RFC 6960 §4.2.1", "certs is not [0] EXPLICIT SEQUENCE OF Certificate", at: location(certsNode, "certs"))
            }
        }
        lintSignatureAlgorithm(algorithm, node: parts[1])
        guard let data = lintResponseData(tbs) else { return }
        lintSigner(data: data, tbs: tbs, algorithm: algorithm, signature: signature, signatureNode: parts[2], certificates: certificates)
        lintRequestEcho(data)
        lintIssuer(data)
        lintTimes(data)
    }

    /// What the walk of ResponseData found.
    struct LintedData {
        var responderID: ResponderID
        var responderIDNode: ASN1Node
        var producedAt: UnixTime?
        var producedAtNode: ASN1Node
        var singles: [LintedSingle]
        var extensions: [LintedExtension]
        var extensionsNode: ASN1Node?
    }

    mutating func lintResponseData(_ tbs: ASN1Node) -> LintedData? {
        guard tbs.identifier == .sequence, let items = Self.children(tbs), !items.isEmpty else {
            add(.error, "structure", "RFC 6960 §4.2.1", "tbsResponseData is not a SEQUENCE", at: location(tbs, "tbsResponseData"))
            return nil
        }
        var index = 0
        if items[0].identifier == Self.explicit0 {
            let versionNode = items[0]
            if let inner = Self.explicitContent(versionNode), let version = try? Int(derEncoded: inner) {
                if version == 0 {
                    add(.error, "version-default-encoded", "X.690 §11.5 (DER); RFC 6960 §4.2.1",
                        "version v1 is the DEFAULT and must be omitted in DER", at: location(versionNode, "tbsResponseData.version"))
                } else {
                    add(.error, "version", "RFC 6960 §4.2.1", "version \(version + 1): only v1 is defined", at: location(versionNode, "tbsResponseData.version"))
                }
            } else {
                add(.error, "structure", "RFC 6960 §4.2.1", "version is not [0] EXPLICIT INTEGER", at: location(versionNode, "tbsResponseData.version"))
            }
            index = 1
        }
        guard items.count >= index + 3 else {
            add(.error, "structure", "RFC 6960 §4.2.1", "tbsResponseData lacks responderID, producedAt or responses", at: location(tbs, "tbsResponseData"))
            return nil
        }
        let responderNode = items[index]
        guard let responderID = try? ResponderID(derEncoded: responderNode) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "responderID is neither byName [1] nor byKey [2]", at: location(responderNode, "tbsResponseData.responderID"))
            return nil
        }
        if case .byKey(let hash) = responderID, hash.bytes.count != 20 {
            add(.error, "responder-id-key-hash", "RFC 6960 §4.2.1", "byKey holds \(hash.bytes.count) octets, not the 20 of a SHA-1 hash",
                at: location(responderNode, "tbsResponseData.responderID"))
        }
        let producedAtNode = items[index + 1]
        let producedAt = time(producedAtNode, "tbsResponseData.producedAt")
        let listNode = items[index + 2]
        guard listNode.identifier == .sequence, let singleNodes = Self.children(listNode) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "responses is not a SEQUENCE OF SingleResponse", at: location(listNode, "tbsResponseData.responses"))
            return nil
        }
        if singleNodes.isEmpty {
            add(.error, "responses-empty", "RFC 6960 §4.2.1; RFC-CHECKLIST 13", "a successful response with no SingleResponse answers nothing",
                at: location(listNode, "tbsResponseData.responses"))
        }
        var singles: [LintedSingle] = []
        for (number, node) in singleNodes.enumerated() {
            if let single = lintSingle(node, path: "tbsResponseData.responses[\(number)]") { singles.append(single) }
        }
        var extensions: [LintedExtension] = []
        var extensionsNode: ASN1Node?
        var next = index + 3
        if next < items.count, items[next].identifier == Self.explicit1 {
            extensionsNode = items[next]
            extensions = lintExtensions(items[next], path: "tbsResponseData.responseExtensions")
            next += 1
        }
        if next < items.count {
            add(.error, "structure", "RFC 6960 §4.2.1", "tbsResponseData has elements after responseExtensions", at: location(items[next], "tbsResponseData"))
        }
        let data = LintedData(responderID: responderID, responderIDNode: responderNode, producedAt: producedAt, producedAtNode: producedAtNode,
                              singles: singles, extensions: extensions, extensionsNode: extensionsNode)
        lintResponseExtensions(data)
        lintLightweight(data)
        return data
    }

    mutating func lintSingle(_ node: ASN1Node, path: String) -> LintedSingle? {
        guard node.identifier == .sequence, let items = Self.children(node), items.count >= 3 else {
            add(.error, "structure", "RFC 6960 §4.2.1", "not a SingleResponse SEQUENCE { certID, certStatus, thisUpdate, … }", at: location(node, path))
            return nil
        }
        guard let certID = try? CertID(derEncoded: items[0]) else {
            add(.error, "structure", "RFC 6960 §4.1.1", "certID is not a CertID", at: location(items[0], path + ".certID"))
            return nil
        }
        guard let status = try? CertStatus(derEncoded: items[1]) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "certStatus is not good [0], revoked [1] or unknown [2]", at: location(items[1], path + ".certStatus"))
            return nil
        }
        if HashAlgorithm(certID.hashAlgorithm) == nil {
            add(.warning, "certid-hash", "RFC 6960 §4.1.1", "CertID hash \(ObjectIdentifierNames.name(of: certID.hashAlgorithm.algorithm)) is not one clients match (SHA-1, SHA-256, SHA-384, SHA-512)",
                at: location(items[0], path + ".certID.hashAlgorithm"))
        }
        var single = LintedSingle(path: path, node: node, certID: certID, certIDNode: items[0], status: status,
                                  thisUpdate: time(items[2], path + ".thisUpdate"), thisUpdateNode: items[2])
        var index = 3
        if index < items.count, items[index].identifier == Self.explicit0 {
            if let inner = Self.explicitContent(items[index]) {
                single.nextUpdate = time(inner, path + ".nextUpdate")
            } else {
                add(.error, "structure", "RFC 6960 §4.2.1", "nextUpdate is not [0] EXPLICIT GeneralizedTime", at: location(items[index], path + ".nextUpdate"))
            }
            single.nextUpdateNode = items[index]
            index += 1
        }
        if index < items.count, items[index].identifier == Self.explicit1 {
            _ = lintExtensions(items[index], path: path + ".singleExtensions")
            index += 1
        }
        if index < items.count {
            add(.error, "structure", "RFC 6960 §4.2.1", "the SingleResponse has elements after singleExtensions", at: location(items[index], path))
        }
        return single
    }

    /// A GeneralizedTime, held to the RFC 5280 §4.1.2.5.2 profile (`YYYYMMDDHHMMSSZ`).
    mutating func time(_ node: ASN1Node, _ path: String) -> UnixTime? {
        guard let time = try? GeneralizedTime(derEncoded: node) else {
            add(.error, "time", "RFC 6960 §4.2.1", "not a DER GeneralizedTime", at: location(node, path))
            return nil
        }
        if case .primitive(let content) = node.content, content.count != 15 {
            add(.warning, "time-format", "RFC 5280 §4.1.2.5.2",
                "GeneralizedTime of \(content.count) characters: the profile is YYYYMMDDHHMMSSZ, seconds and no fraction", at: location(node, path))
        }
        return UnixTime(time)
    }

    /// `[n] EXPLICIT Extensions`: not empty, no duplicate, no unknown critical extension.
    mutating func lintExtensions(_ tagged: ASN1Node, path: String) -> [LintedExtension] {
        guard let list = Self.explicitContent(tagged), list.identifier == .sequence, let nodes = Self.children(list) else {
            add(.error, "structure", "RFC 5280 §4.1", "not EXPLICIT Extensions (a SEQUENCE OF Extension)", at: location(tagged, path))
            return []
        }
        if nodes.isEmpty {
            add(.error, "extensions-empty", "RFC 5280 §4.1 (SIZE (1..MAX)); Mozilla root store policy",
                "an empty Extensions SEQUENCE: omit the field instead", at: location(tagged, path))
        }
        var result: [LintedExtension] = []
        for (index, node) in nodes.enumerated() {
            let elementPath = "\(path)[\(index)]"
            guard let value = try? Extension(derEncoded: node) else {
                add(.error, "structure", "RFC 5280 §4.1", "not an Extension SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }", at: location(node, elementPath))
                continue
            }
            if result.contains(where: { $0.value.id == value.id }) {
                add(.error, "extension-duplicate", "RFC 5280 §4.2", "\(ObjectIdentifierNames.name(of: value.id)) appears twice", at: location(node, elementPath))
            }
            if value.critical, !Self.knownExtensions.contains(value.id) {
                add(.warning, "extension-critical-unknown", "RFC 6960 §4.4; RFC 5280 §4.2",
                    "critical \(ObjectIdentifierNames.name(of: value.id)): a client that does not know it rejects the response", at: location(node, elementPath))
            }
            if let fields = Self.children(node), fields.count == 3, fields[1].identifier == .boolean, !value.critical {
                let criticalNode = fields[1]
                add(.error, "extension-critical-default", "X.690 §11.5 (DER)", "critical FALSE is the DEFAULT and must be omitted",
                    at: location(criticalNode, elementPath + ".critical"))
            }
            result.append(LintedExtension(value: value, node: node))
        }
        return result
    }

    /// The response extensions RFC 6960 §4.4 defines.
    static let knownExtensions: [ASN1ObjectIdentifier] = [
        OCSPObjectIdentifier.nonce, [1, 3, 6, 1, 5, 5, 7, 48, 1, 3], OCSPObjectIdentifier.acceptableResponses,
        [1, 3, 6, 1, 5, 5, 7, 48, 1, 6], OCSPObjectIdentifier.serviceLocator, OCSPObjectIdentifier.preferredSignatureAlgorithms,
        OCSPObjectIdentifier.extendedRevoke,
    ]

    mutating func lintSignatureAlgorithm(_ algorithm: AlgorithmIdentifier, node: ASN1Node) {
        let sha1: [ASN1ObjectIdentifier] = [AlgorithmObjectIdentifier.sha1WithRSAEncryption, AlgorithmObjectIdentifier.ecdsaWithSHA1]
        guard sha1.contains(algorithm.algorithm) else { return }
        add(.notice, "signature-sha1", "RFC 6960 §4.3", "signed with SHA-1: clients on current security policies refuse it",
            at: location(node, "signatureAlgorithm"))
        add(.warning, "rfc9919-signature-sha1", "RFC 9919 §2.2", "the lightweight profile signs with SHA-256 or stronger",
            at: location(node, "signatureAlgorithm"), group: .rfc9919)
        add(.error, "cabf-signature-sha1", "CA/B Forum BR §7.1.3.2", "SHA-1 signatures on OCSP responses are not allowed",
            at: location(node, "signatureAlgorithm"), group: .cabf)
    }
}
