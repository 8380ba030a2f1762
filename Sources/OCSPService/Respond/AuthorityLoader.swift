import Logging
import OCSPCore
import OCSPCrypto
import OCSPMariaDB

/// Turns the `[ocsp]` and `[db]` sections into an `Authority`: certificates and key loaded and checked.
public enum AuthorityLoader {
    /// Loads and checks the signing material; every failure names the config key to fix.
    public static func load(_ config: ResponderConfiguration, logger: Logger) throws(ConfigError) -> Authority {
        let signing = config.signing
        let certificate = try loadCertificate(config, key: "cert", path: signing.certificatePath)
        let issuer = try signing.issuerPath.map { path throws(ConfigError) in try loadCertificate(config, key: "issuer", path: path) }
            ?? certificate

        let delegated: Bool
        do {
            delegated = try issuer.der != certificate.der
        } catch {
            throw config.error("ocsp", "cert", "cannot encode the certificate: \(error)")
        }
        if delegated {
            // RFC 6960 §4.2.2.2: a delegate is issued directly by the CA and marked for OCSP signing.
            guard certificate.isIssued(by: issuer) else {
                throw config.error("ocsp", "cert", "\(signing.certificatePath) (\(certificate.subject)) is not issued by the issuer \(signing.issuerPath ?? "") (\(issuer.subject))")
            }
            guard certificate.hasOCSPSigningUsage else {
                throw config.error("ocsp", "cert", "\(signing.certificatePath) is a delegated responder but lacks the OCSPSigning extended key usage")
            }
        }

        try checkKeyPermissions(config)
        let keyBytes: [UInt8]
        do {
            keyBytes = try FileIO.read(path: signing.keyPath, limit: 1 << 20)
        } catch {
            throw config.error("ocsp", "pkey", "cannot read the private key: \(error)")
        }
        let signer: OpenSSLSigner
        do {
            let key = try PrivateKey(pem: keyBytes, passphrase: signing.keyPassword, keyType: certificate.publicKeyTypeName)
            signer = try OpenSSLSigner(certificate: certificate, key: key, includeCertificate: delegated)
        } catch {
            throw config.error("ocsp", "pkey", "\(signing.keyPath): \(error)")
        }

        let identity: IssuerIdentity
        do {
            identity = IssuerIdentity(subjectNameDER: try issuer.subjectNameDER, publicKeyBits: issuer.publicKeyBits, digester: OpenSSLDigester())
        } catch {
            throw config.error("ocsp", signing.issuerPath == nil ? "cert" : "issuer", "cannot read the issuer's name: \(error)")
        }
        let store = MariaDBStatusStore(options: config.database.options, table: config.database.table)
        logger.debug("authority loaded", metadata: [
            "issuer": "\(issuer.subject)", "signer": "\(certificate.subject)", "delegated": "\(delegated)",
        ])
        return Authority(issuer: identity, signer: signer, statusSource: store, notFound: signing.notFound, validity: signing.validity)
    }

    static func loadCertificate(_ config: ResponderConfiguration, key: String, path: String) throws(ConfigError) -> X509Certificate {
        do {
            let pem = try FileIO.read(path: path, limit: 1 << 20)
            return try X509Certificate.certificates(pem: pem)[0]
        } catch {
            throw config.error("ocsp", key, "cannot load the certificate \(path): \(error)")
        }
    }

    /// A private key that group or others can read is refused, as ssh refuses such keys.
    static func checkKeyPermissions(_ config: ResponderConfiguration) throws(ConfigError) {
        let path = config.signing.keyPath
        if let mode = FileIO.permissions(of: path), mode & 0o077 != 0 {
            throw config.error("ocsp", "pkey", "the private key \(path) can be read by group or others (mode \(String(mode, radix: 8))); fix with: chmod 600 \(path)")
        }
    }
}
