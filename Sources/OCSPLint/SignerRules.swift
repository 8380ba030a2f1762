import OCSPCore
import OCSPWire
import SwiftASN1

/// Who signed (RFC 6960 §4.2.2.2): the CA, or a delegate the CA issued with id-kp-OCSPSigning, carried
/// in `certs`, valid when the response was produced, and (§4.2.2.2.1, CA/B Forum BR §4.9.9) with
/// id-pkix-ocsp-nocheck; and the ResponderID naming that signer (§4.2.2.3).
extension LintRun {
    enum Signer {
        case issuer(Certificate)
        case delegate(LintedCertificate)

        var certificate: Certificate {
            switch self {
            case .issuer(let certificate): certificate
            case .delegate(let linted): linted.certificate
            }
        }
    }

    mutating func lintSigner(data: LintedData, tbs: ASN1Node, algorithm: AlgorithmIdentifier, signature: ASN1BitString,
                             signatureNode: ASN1Node, certificates: [LintedCertificate]) {
        let signer: Signer?
        if let verifier = context.verifier {
            let message = Array(tbs.encodedBytes)
            let signatureBytes = Array(signature.bytes)
            func verifies(_ certificate: Certificate) -> Bool {
                verifier.verifies(signature: signatureBytes, message: message, algorithm: algorithm,
                                  subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER)
            }
            if let issuer = context.issuer, verifies(issuer) {
                signer = .issuer(issuer)
            } else if let delegate = certificates.first(where: { verifies($0.certificate) }) {
                signer = .delegate(delegate)
            } else {
                signer = nil
                if context.issuer == nil && certificates.isEmpty {
                    add(.notice, "signer-unchecked", "RFC 6960 §4.2.2.2",
                        "no certificate in certs and no --issuer: the signature (by the CA itself?) is not checked")
                } else {
                    add(.error, "signature", "RFC 6960 §3.2, §4.2.2.2",
                        "the signature verifies with \(context.issuer == nil ? "no" : "neither the issuer's key nor any") certificate in certs; a delegate's certificate must be there",
                        at: location(signatureNode, "signature"))
                }
            }
        } else {
            signer = presumedSigner(data: data, certificates: certificates)
        }
        guard let signer else { return }
        lintResponderID(data, signer: signer.certificate)
        guard case .delegate(let delegate) = signer else { return }
        lintDelegate(delegate, data: data)
    }

    /// Without cryptography: the certificate the ResponderID names byName, else a lone non-CA certificate in certs.
    func presumedSigner(data: LintedData, certificates: [LintedCertificate]) -> Signer? {
        if case .byName(let name) = data.responderID, let der = try? name.derBytes() {
            if let issuer = context.issuer, issuer.subjectNameDER == der { return .issuer(issuer) }
            return certificates.first { $0.certificate.subjectNameDER == der }.map(Signer.delegate)
        }
        guard certificates.count == 1, let only = certificates.first, (try? only.certificate.basicConstraints)??.isCA != true,
              only.certificate.subjectNameDER != context.issuer?.subjectNameDER else { return nil }
        return .delegate(only)
    }

    mutating func lintResponderID(_ data: LintedData, signer: Certificate) {
        let at = location(data.responderIDNode, "tbsResponseData.responderID")
        switch data.responderID {
        case .byName(let name):
            if (try? name.derBytes()) != signer.subjectNameDER {
                add(.error, "responder-id", "RFC 6960 §4.2.2.3", "ResponderID byName is not the signer's subject \(signer.subject)", at: at)
            }
        case .byKey(let hash):
            guard let digester = context.verifier?.digester else { return }
            if !hash.bytes.elementsEqual(digester.digest(.sha1, signer.publicKeyBits)) {
                add(.error, "responder-id", "RFC 6960 §4.2.2.3, §4.2.1",
                    "ResponderID byKey is not the SHA-1 of the signer's key (\(signer.subject)): the hash covers the subjectPublicKey BIT STRING's value only", at: at)
            }
        }
    }

    mutating func lintDelegate(_ delegate: LintedCertificate, data: LintedData) {
        let certificate = delegate.certificate
        let at = location(delegate.node, delegate.path)
        let subject = certificate.subject
        if !certificate.hasOCSPSigningUsage {
            add(.error, "delegate-eku", "RFC 6960 §4.2.2.2", "the delegated signer \(subject) lacks extendedKeyUsage id-kp-OCSPSigning", at: at)
        }
        if let producedAt = data.producedAt, !(certificate.notBefore <= producedAt && producedAt <= certificate.notAfter) {
            add(.error, "delegate-validity", "RFC 6960 §4.2.2.2; RFC 5280 §4.1.2.5",
                "producedAt \(producedAt) is outside the signer's validity (\(certificate.notBefore) to \(certificate.notAfter))", at: at)
        }
        if let now = context.now, !(certificate.notBefore.seconds - ResponseLinter.clockSkew <= now.seconds && now <= certificate.notAfter) {
            add(.error, "delegate-expired", "RFC 6960 §4.2.2.2; RFC-CHECKLIST 14",
                "the signer \(subject) is outside its validity now (\(certificate.notBefore) to \(certificate.notAfter))", at: at)
        }
        for single in data.singles {
            guard let next = single.nextUpdate, next > certificate.notAfter else { continue }
            add(.warning, "delegate-outlived", "RFC-CHECKLIST 14",
                "nextUpdate \(next) is after the signer's notAfter \(certificate.notAfter): clients reject the response before it is due",
                at: location(single.nextUpdateNode ?? single.node, single.path + ".nextUpdate"))
        }
        if certificate.extensionValue(OCSPObjectIdentifier.noCheck) == nil {
            add(.warning, "delegate-nocheck", "RFC 6960 §4.2.2.2.1",
                "the delegated signer \(subject) lacks id-pkix-ocsp-nocheck: clients may look for its own revocation status", at: at)
            add(.error, "cabf-nocheck", "CA/B Forum BR §4.9.9", "an OCSP responder certificate must carry id-pkix-ocsp-nocheck", at: at, group: .cabf)
        }
        guard let issuer = context.issuer else { return }
        let issued = context.verifier.map { $0.isIssued(certificate, by: issuer) } ?? (certificate.issuerNameDER == issuer.subjectNameDER)
        if !issued {
            add(.error, "delegate-issuer", "RFC 6960 §4.2.2.2",
                "the delegated signer \(subject) is not issued by --issuer \(issuer.subject)", at: at)
        }
    }
}
