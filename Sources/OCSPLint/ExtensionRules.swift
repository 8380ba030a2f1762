import OCSPCore
import OCSPWire
import SwiftASN1

/// The response extensions: the nonce (RFC 9654 §2.1) and extended revoke (RFC 6960 §2.2, §4.4.8), and
/// what the lightweight profile asks of the whole response (RFC 9919).
extension LintRun {
    /// The nonce's octets, when its extnValue is the DER of an OCTET STRING, with the OCTET STRING's node.
    static func nonce(_ ext: Extension) -> (octets: ArraySlice<UInt8>, node: ASN1Node)? {
        guard let node = try? DER.parse(ext.value), node.encodedBytes.count == ext.value.count,
              let octets = try? ASN1OctetString(derEncoded: node) else { return nil }
        return (octets.bytes, node)
    }

    mutating func lintResponseExtensions(_ data: LintedData) {
        let path = "tbsResponseData.responseExtensions"
        if let nonceExtension = data.extensions.first(where: { $0.value.id == OCSPObjectIdentifier.nonce }) {
            let where_ = location(nonceExtension.node, path + ".nonce")
            if let (octets, node) = Self.nonce(nonceExtension.value) {
                let at = location(node, path + ".nonce.extnValue")
                switch octets.count {
                case 0:
                    add(.error, "nonce-length", "RFC 9654 §2.1", "an empty nonce: it must be at least 1 octet", at: at)
                case 129...:
                    add(.error, "nonce-length", "RFC 9654 §2.1", "a nonce of \(octets.count) octets: at most 128", at: at)
                case 33...128:
                    add(.warning, "nonce-over-32", "RFC 8954 §2.1; RFC 9654 §2.1",
                        "a nonce of \(octets.count) octets: clients of RFC 8954 take at most 32", at: at)
                case 1..<16:
                    add(.notice, "nonce-short", "RFC 9654 §2.1",
                        "a nonce of \(octets.count) octets: responders may ignore nonces under 16 octets and clients send 32", at: at)
                case 32:
                    add(.notice, "nonce-32-octets", "RFC-CHECKLIST 17 (client compatibility)",
                        "a 32-octet nonce: some clients and responders mishandle them (16 is the common size)", at: at, group: .all)
                default:
                    break
                }
            } else {
                add(.error, "nonce-encoding", "RFC 9654 §2.1",
                    "the nonce's extnValue is not the DER of an OCTET STRING (raw octets are an old responders' mistake)", at: where_)
            }
            if nonceExtension.value.critical {
                add(.notice, "nonce-critical", "RFC 6960 §4.4.1", "the nonce is marked critical", at: where_)
            }
        }
        let extendedRevoke = data.extensions.contains { $0.value.id == OCSPObjectIdentifier.extendedRevoke }
        for single in data.singles {
            guard case .revoked(let info) = single.status, info.revocationReason == .certificateHold,
                  UnixTime(info.revocationTime) == .epoch, !extendedRevoke else { continue }
            add(.error, "extended-revoke-missing", "RFC 6960 §2.2",
                "a never-issued certificate answered revoked (certificateHold, 1970-01-01) without the extended-revoke response extension",
                at: location(single.node, single.path))
        }
    }

    /// RFC 9919, the lightweight profile for high-volume responders (RFC 5019's successor).
    mutating func lintLightweight(_ data: LintedData) {
        if case .byName = data.responderID {
            add(.warning, "rfc9919-responder-id", "RFC 9919 §2.2.3", "ResponderID byName: the profile names the signer byKey",
                at: location(data.responderIDNode, "tbsResponseData.responderID"), group: .rfc9919)
        }
        if data.singles.count > 1, let second = data.singles.dropFirst().first {
            add(.warning, "rfc9919-single-response", "RFC 9919 §2.2.1",
                "\(data.singles.count) SingleResponses: the profile answers one CertID per response", at: location(second.node, second.path), group: .rfc9919)
        }
    }

    /// `--request`: every CertID asked has its answer with the CertID echoed, and the nonce is echoed.
    mutating func lintRequestEcho(_ data: LintedData) {
        guard let request = context.request else {
            add(.notice, "cisco-needs-request", "Cisco ASA", "the CertID echo is checked only against the request: give --request", group: .cisco)
            return
        }
        for (index, asked) in request.tbsRequest.requestList.map(\.certID).enumerated() {
            let sameCertificate = data.singles.filter {
                $0.certID.serialNumber == asked.serialNumber
                    && $0.certID.issuerNameHash == asked.issuerNameHash && $0.certID.issuerKeyHash == asked.issuerKeyHash
            }
            guard let answer = sameCertificate.first else {
                add(.error, "certid-missing", "RFC 6960 §2.2; RFC-CHECKLIST 13",
                    "no SingleResponse answers the request's CertID \(index) (serial \(asked.serialNumber.minimalHex)) with its hash algorithm")
                continue
            }
            var coder = DER.Serializer()
            let echoed = (try? coder.serialize(asked)) != nil && coder.serializedBytes.elementsEqual(answer.certIDNode.encodedBytes)
            if !echoed {
                add(.warning, "certid-not-echoed", "RFC 6960 §4.2.1 (CertID); RFC-CHECKLIST 4",
                    "the CertID for serial \(asked.serialNumber.minimalHex) is not the request's byte for byte (hash algorithm parameters?)",
                    at: location(answer.certIDNode, answer.path + ".certID"))
                add(.error, "cisco-certid-echo", "Cisco ASA",
                    "the CertID for serial \(asked.serialNumber.minimalHex) is not the request's byte for byte: the ASA drops the response",
                    at: location(answer.certIDNode, answer.path + ".certID"), group: .cisco)
            }
        }
        let askedNonce = request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce]
        let answered = data.extensions.first { $0.value.id == OCSPObjectIdentifier.nonce }
        switch (askedNonce, answered) {
        case (let asked?, nil):
            let size = Self.nonce(asked).map { " of \($0.octets.count) octets" } ?? ""
            add(.warning, "nonce-not-echoed", "RFC 6960 §4.4.1; RFC 9654 §2.1",
                "the request's nonce\(size) is not echoed: a client that sent it rejects the response")
            add(.error, "java-nonce", "Java (jdk.security.certpath.ocspNonce)",
                "the request's nonce is not echoed: Java, when it sends one, rejects the response", group: .java)
        case (let asked?, let answer?):
            let askedOctets = Self.nonce(asked)?.octets ?? asked.value
            let answerOctets = Self.nonce(answer.value)?.octets ?? answer.value.value
            if !askedOctets.elementsEqual(answerOctets) {
                add(.error, "nonce-mismatch", "RFC 6960 §4.4.1; RFC 9654 §2.1", "the response's nonce is not the request's",
                    at: location(answer.node, "tbsResponseData.responseExtensions.nonce"))
            }
        case (nil, let answer?):
            add(.warning, "nonce-unrequested", "RFC 9654 §2.1", "a nonce in a response to a request without one",
                at: location(answer.node, "tbsResponseData.responseExtensions.nonce"))
        case (nil, nil):
            break
        }
    }

    /// `--issuer`: every CertID names it (an `unknown` answer for another CA's certificate is allowed).
    mutating func lintIssuer(_ data: LintedData) {
        guard let issuer = context.issuer, let verifier = context.verifier else { return }
        let identity = IssuerIdentity(issuer, digester: verifier.digester)
        for single in data.singles where HashAlgorithm(single.certID.hashAlgorithm) != nil && !identity.matches(single.certID) {
            if case .unknown = single.status {
                add(.notice, "certid-other-issuer", "RFC 6960 §2.2", "serial \(single.certID.serialNumber.minimalHex): unknown for another CA than --issuer",
                    at: location(single.certIDNode, single.path + ".certID"))
            } else {
                add(.error, "certid-issuer", "RFC 6960 §4.2.2.2",
                    "serial \(single.certID.serialNumber.minimalHex): the CertID names another CA than --issuer, whose signer cannot answer for it",
                    at: location(single.certIDNode, single.path + ".certID"))
            }
        }
    }
}
