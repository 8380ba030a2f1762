import OCSPWire
import SwiftASN1

/// Every field of a request or a response, as text in the spirit of `openssl ocsp -req_text` /
/// `-resp_text`, or as one JSON object whose keys are documented in the README and do not change.
///
/// Hashes, nonces and unknown values are lowercase hex; serials are lowercase hex without leading zeros;
/// times are ISO 8601 in UTC; names are RFC 4514 (`CN=Leaf,O=Example`).
package enum InspectionReport {
    // MARK: text

    package static func text(_ document: OCSPDocument, verification: VerificationReport?) -> String {
        var lines: [String] = []
        switch document {
        case .request(let request): requestText(request, into: &lines)
        case .response(let response, let basic): responseText(response, basic: basic, into: &lines)
        }
        if let verification { lines.append(verification.verdictLine) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func requestText(_ request: OCSPRequest, into lines: inout [String]) {
        let tbs = request.tbsRequest
        lines.append("OCSP Request Data:")
        lines.append("    Version: \(tbs.version + 1) (0x\(String(tbs.version, radix: 16)))")
        if let name = tbs.requestorName {
            lines.append("    Requestor Name: \(generalNameText(name))")
        }
        lines.append("    Requestor List:")
        for single in tbs.requestList {
            certIDText(single.certID, indent: "        ", into: &lines)
            if let extensions = single.singleRequestExtensions {
                lines.append("        Request Single Extensions:")
                extensionsText(extensions, indent: "            ", into: &lines)
            }
        }
        if let extensions = tbs.requestExtensions {
            lines.append("    Request Extensions:")
            extensionsText(extensions, indent: "        ", into: &lines)
        }
        lines.append("Signed: \(request.optionalSignature == nil ? "no" : "yes (the signature is not checked)")")
    }

    private static func responseText(_ response: OCSPResponse, basic: BasicOCSPResponse?, into lines: inout [String]) {
        let status = response.responseStatus
        lines.append("OCSP Response Data:")
        lines.append("    OCSP Response Status: \(status) (0x\(String(status.rawValue, radix: 16)))")
        guard let bytes = response.responseBytes else { return }
        let type = bytes.responseType == OCSPObjectIdentifier.basicResponse
            ? "Basic OCSP Response" : ObjectIdentifierNames.name(of: bytes.responseType)
        lines.append("    Response Type: \(type)")
        guard let basic else { return }
        let data = basic.tbsResponseData
        lines.append("    Version: \(data.version + 1) (0x\(String(data.version, radix: 16)))")
        switch data.responderID {
        case .byKey(let hash): lines.append("    Responder Id: byKey \(Hex.encode(hash.bytes))")
        case .byName(let name): lines.append("    Responder Id: byName \(nameText(name))")
        }
        lines.append("    Produced At: \(UnixTime(data.producedAt))")
        lines.append("    Responses:")
        for single in data.responses {
            certIDText(single.certID, indent: "    ", into: &lines)
            lines.append("    Cert Status: \(single.certStatus.name)")
            if case .revoked(let info) = single.certStatus {
                lines.append("    Revocation Time: \(UnixTime(info.revocationTime))")
                if let reason = info.revocationReason {
                    lines.append("    Revocation Reason: \(reasonName(reason)) (0x\(String(reason.rawValue, radix: 16)))")
                }
            }
            lines.append("    This Update: \(UnixTime(single.thisUpdate))")
            if let next = single.nextUpdate { lines.append("    Next Update: \(UnixTime(next))") }
            if let extensions = single.singleExtensions {
                lines.append("    Response Single Extensions:")
                extensionsText(extensions, indent: "        ", into: &lines)
            }
            lines.append("")
        }
        if let extensions = data.responseExtensions {
            lines.append("    Response Extensions:")
            extensionsText(extensions, indent: "        ", into: &lines)
        }
        lines.append("    Signature Algorithm: \(ObjectIdentifierNames.name(of: basic.signatureAlgorithm.algorithm))")
        lines.append("    Signature: \(Hex.encode(basic.signature.bytes))")
        let certificates = basic.certs ?? []
        lines.append("    Certificates: \(certificates.count)")
        for certificate in certificates.map(certificateFields) {
            lines.append("        Subject: \(certificate.subject ?? "(unreadable certificate)")")
            if let issuer = certificate.issuer { lines.append("        Issuer: \(issuer)") }
            if let serial = certificate.serial { lines.append("        Serial Number: \(serial)") }
        }
    }

    private static func certIDText(_ certID: CertID, indent: String, into lines: inout [String]) {
        lines.append("\(indent)Certificate ID:")
        lines.append("\(indent)  Hash Algorithm: \(ObjectIdentifierNames.name(of: certID.hashAlgorithm.algorithm))")
        lines.append("\(indent)  Issuer Name Hash: \(Hex.encode(certID.issuerNameHash.bytes))")
        lines.append("\(indent)  Issuer Key Hash: \(Hex.encode(certID.issuerKeyHash.bytes))")
        lines.append("\(indent)  Serial Number: \(serialText(certID.serialNumber))")
    }

    private static func extensionsText(_ extensions: Extensions, indent: String, into lines: inout [String]) {
        for ext in extensions.all {
            let critical = ext.critical ? " (critical)" : ""
            switch ext.id {
            case OCSPObjectIdentifier.nonce:
                lines.append("\(indent)OCSP Nonce\(critical): \(Hex.encode(OCSPDocument.nonceOctets(ext)))")
            case OCSPObjectIdentifier.extendedRevoke:
                lines.append("\(indent)OCSP Extended Revoke\(critical)")
            default:
                lines.append("\(indent)\(ObjectIdentifierNames.name(of: ext.id))\(critical): \(Hex.encode(ext.value))")
            }
        }
    }

    // MARK: JSON

    package static func json(_ document: OCSPDocument, verification: VerificationReport?) -> JSONValue {
        var members: [(String, JSONValue)]
        switch document {
        case .request(let request): members = requestJSON(request)
        case .response(let response, let basic): members = responseJSON(response, basic: basic)
        }
        if let verification { members.append(("verification", verificationJSON(verification))) }
        return .object(members)
    }

    private static func requestJSON(_ request: OCSPRequest) -> [(String, JSONValue)] {
        let tbs = request.tbsRequest
        return [
            ("type", .string("request")),
            ("version", .int(tbs.version + 1)),
            ("requestor_name", .string(tbs.requestorName.map(generalNameText))),
            ("signed", .bool(request.optionalSignature != nil)),
            ("requests", .array(tbs.requestList.map { single in
                .object(certIDJSON(single.certID) + [("extensions", extensionsJSON(single.singleRequestExtensions))])
            })),
            ("nonce", nonceJSON(tbs.requestExtensions)),
            ("extensions", extensionsJSON(tbs.requestExtensions)),
        ]
    }

    private static func responseJSON(_ response: OCSPResponse, basic: BasicOCSPResponse?) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("type", .string("response")),
            ("response_status", .string(response.responseStatus.description)),
            ("response_status_code", .int(response.responseStatus.rawValue)),
        ]
        guard let bytes = response.responseBytes else { return members }
        members.append(("response_type", .string(ObjectIdentifierNames.name(of: bytes.responseType))))
        members.append(("response_type_oid", .string(bytes.responseType.description)))
        guard let basic else { return members }
        let data = basic.tbsResponseData
        let responderID: JSONValue = switch data.responderID {
        case .byKey(let hash): .object([("by_key", .string(Hex.encode(hash.bytes)))])
        case .byName(let name): .object([("by_name", .string(nameText(name)))])
        }
        members += [
            ("version", .int(data.version + 1)),
            ("responder_id", responderID),
            ("produced_at", .string(UnixTime(data.producedAt).iso8601)),
            ("responses", .array(data.responses.map(singleResponseJSON))),
            ("nonce", nonceJSON(data.responseExtensions)),
            ("extended_revoke", .bool(data.responseExtensions?[OCSPObjectIdentifier.extendedRevoke] != nil)),
            ("extensions", extensionsJSON(data.responseExtensions)),
            ("signature_algorithm", .string(ObjectIdentifierNames.name(of: basic.signatureAlgorithm.algorithm))),
            ("signature_algorithm_oid", .string(basic.signatureAlgorithm.algorithm.description)),
            ("signature", .string(Hex.encode(basic.signature.bytes))),
            ("certificates", .array((basic.certs ?? []).map(certificateFields).map { certificate in
                .object([
                    ("subject", .string(certificate.subject)),
                    ("issuer", .string(certificate.issuer)),
                    ("serial", .string(certificate.serial)),
                ])
            })),
        ]
        return members
    }

    private static func singleResponseJSON(_ single: SingleResponse) -> JSONValue {
        var revocationTime: String?
        var reason: CRLReason?
        if case .revoked(let info) = single.certStatus {
            revocationTime = UnixTime(info.revocationTime).iso8601
            reason = info.revocationReason
        }
        return .object(certIDJSON(single.certID) + [
            ("cert_status", .string(single.certStatus.name)),
            ("revocation_time", .string(revocationTime)),
            ("revocation_reason", .string(reason.map(reasonName))),
            ("revocation_reason_code", reason.map { .int($0.rawValue) } ?? .null),
            ("this_update", .string(UnixTime(single.thisUpdate).iso8601)),
            ("next_update", .string(single.nextUpdate.map { UnixTime($0).iso8601 })),
            ("extensions", extensionsJSON(single.singleExtensions)),
        ])
    }

    private static func certIDJSON(_ certID: CertID) -> [(String, JSONValue)] {
        [
            ("hash_algorithm", .string(ObjectIdentifierNames.name(of: certID.hashAlgorithm.algorithm))),
            ("hash_algorithm_oid", .string(certID.hashAlgorithm.algorithm.description)),
            ("issuer_name_hash", .string(Hex.encode(certID.issuerNameHash.bytes))),
            ("issuer_key_hash", .string(Hex.encode(certID.issuerKeyHash.bytes))),
            ("serial", .string(serialText(certID.serialNumber))),
        ]
    }

    private static func nonceJSON(_ extensions: Extensions?) -> JSONValue {
        .string(extensions?[OCSPObjectIdentifier.nonce].map { Hex.encode(OCSPDocument.nonceOctets($0)) })
    }

    private static func extensionsJSON(_ extensions: Extensions?) -> JSONValue {
        .array((extensions?.all ?? []).map { ext in
            .object([
                ("oid", .string(ext.id.description)),
                ("name", .string(ObjectIdentifierNames.name(of: ext.id))),
                ("critical", .bool(ext.critical)),
                ("value", .string(Hex.encode(ext.value))),
            ])
        })
    }

    package static func verificationJSON(_ report: VerificationReport) -> JSONValue {
        func flag(_ value: Bool?) -> JSONValue { value.map { .bool($0) } ?? .null }
        let signer: String?
        let signerSubject: String?
        switch report.signer {
        case .issuer?: (signer, signerSubject) = ("issuer", report.issuerSubject)
        case .delegate(let subject)?: (signer, signerSubject) = ("delegate", subject)
        case nil: (signer, signerSubject) = (nil, nil)
        }
        return .object([
            ("verified", .bool(report.verified)),
            ("issuer", .string(report.issuerSubject)),
            ("signer", .string(signer)),
            ("signer_subject", .string(signerSubject)),
            ("signature_valid", flag(report.signatureValid)),
            ("delegate_authorized", flag(report.delegateAuthorized)),
            ("responder_id_matches", flag(report.responderIDMatches)),
            ("cert_ids_match_issuer", .bool(report.certIDsMatchIssuer)),
            ("times_valid", flag(report.timesValid)),
            ("checked_at", .string(report.checkedAt.iso8601)),
            ("problems", .array(report.problems.map { .string($0) })),
        ])
    }

    // MARK: shared

    /// Lowercase hex without leading zeros; a negative serial (which RFC 5280 forbids) as `-` and its
    /// absolute value, as Python's `hex()` writes it (`-82` for −130, not its octets `ff7e`).
    static func serialText(_ serial: CertificateSerialNumber) -> String {
        serial.minimalHex
    }

    /// RFC 5280's names, as openssl prints them.
    package static func reasonName(_ reason: CRLReason) -> String {
        let names = [
            "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
            "cessationOfOperation", "certificateHold", "reason(7)", "removeFromCRL", "privilegeWithdrawn", "aACompromise",
        ]
        return names.indices.contains(reason.rawValue) ? names[reason.rawValue] : "reason(\(reason.rawValue))"
    }

    /// A Name kept as ASN1Any, RFC 4514 style, or its hex DER when it does not parse as a Name.
    static func nameText(_ name: ASN1Any) -> String {
        guard let der = try? name.derBytes() else { return "(unencodable name)" }
        return (try? DistinguishedName.string(fromDER: der)) ?? "#" + Hex.encode(der)
    }

    /// A requestorName GeneralName: a directoryName ([4] EXPLICIT Name) as a name, anything else as hex DER.
    static func generalNameText(_ name: ASN1Any) -> String {
        guard let der = try? name.derBytes() else { return "(unencodable name)" }
        if let node = try? DER.parse(der[...]), node.identifier == ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific),
           case .constructed(let children) = node.content, let inner = children.first(where: { _ in true }),
           let text = try? DistinguishedName.string(fromDER: inner.encodedBytes) {
            return text
        }
        return "#" + Hex.encode(der)
    }

    /// A certificate from a response's `certs`: its subject, issuer and serial, nil where it does not parse.
    static func certificateFields(_ certificate: ASN1Any) -> (subject: String?, issuer: String?, serial: String?) {
        guard let der = try? certificate.derBytes(), let parsed = try? Certificate(der: der) else { return (nil, nil, nil) }
        return (
            try? DistinguishedName.string(fromDER: parsed.subjectNameDER),
            try? DistinguishedName.string(fromDER: parsed.issuerNameDER),
            serialText(parsed.serialNumber)
        )
    }
}
