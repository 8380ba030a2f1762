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
