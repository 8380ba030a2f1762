import OCSPWire

extension Certificate {
    /// True when `issuer` issued this certificate: its name and key identifiers fit (`namesAsIssuer`) and
    /// its key verifies the signature over tbsCertificate, what OpenSSL's `X509_check_issued` and
    /// `X509_verify` check together.
    ///
    /// - Parameter key: `issuer`'s public key when the caller decoded it once to check many certificates.
    package func isIssued(by issuer: Certificate, key: PublicKey? = nil) -> Bool {
        guard namesAsIssuer(issuer), let signature else { return false }
        do {
            let key = try key ?? PublicKey(subjectPublicKeyInfoDER: issuer.subjectPublicKeyInfoDER)
            return try SignatureVerifier.verify(signature: signature, message: Array(tbsCertificateDER), algorithm: signatureAlgorithm, key: key, legacyDigests: true)
        } catch {
            return false
        }
    }
}

extension CertificateList {
    /// Why `issuer` did not issue this CRL, or nil when it did: RFC 5280 §6.3.3's checks of a CRL's
    /// issuer. Its name is the CRL's issuer, its keyUsage (when present) allows cRLSign, the
    /// authorityKeyIdentifier (when present) names its key, the CRL names one signature algorithm inside
    /// and outside tbsCertList, and `issuer`'s key verifies the signature.
    package func issuanceProblem(by issuer: Certificate, key: PublicKey? = nil) -> String? {
        guard issuerNameDER == issuer.subjectNameDER else {
            return "the CRL's issuer (\(self.issuer)) is not \(issuer.subject)"
        }
        guard tbsSignatureAlgorithm == signatureAlgorithm else {
            return "the CRL names two signature algorithms (tbsCertList and the outer signatureAlgorithm differ)"
        }
        do {
            if let usage = try issuer.keyUsage, !usage.crlSign {
                return "\(issuer.subject)'s keyUsage does not allow cRLSign"
            }
            if let value = extensions.first(where: { $0.id == Self.authorityKeyIdentifierID })?.value,
               let keyID = try AuthorityKeyIdentifier(extensionValue: value).keyIdentifier,
               let issuerKeyID = try issuer.subjectKeyIdentifier, keyID != issuerKeyID {
                return "the CRL's authorityKeyIdentifier names another key than \(issuer.subject)'s"
            }
        } catch {
            return "an extension does not parse: \(error.inputReason)"
        }
        guard let signature else { return "the CRL's signature has unused bits" }
        do {
            let key = try key ?? PublicKey(subjectPublicKeyInfoDER: issuer.subjectPublicKeyInfoDER)
            guard try SignatureVerifier.verify(signature: signature, message: Array(tbsCertListDER), algorithm: signatureAlgorithm,
                                               key: key, legacyDigests: true) else {
                return "the CRL's signature does not verify with \(issuer.subject)'s key"
            }
        } catch {
            return "the CRL's signature cannot be checked: \(error.inputReason)"
        }
        return nil
    }
}
