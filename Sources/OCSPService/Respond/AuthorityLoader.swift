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
        if delegated, let problem = SigningFiles.delegationProblem(
            responder: certificate, responderPath: signing.certificatePath,
            issuer: issuer, issuerPath: signing.issuerPath ?? ""
        ) {
            throw config.error("ocsp", "cert", problem)
        }

        let key: PrivateKey
        do {
            key = try SigningFiles.privateKey(path: signing.keyPath, passphrase: signing.keyPassword, keyType: certificate.publicKeyTypeName)
        } catch {
            throw config.error("ocsp", "pkey", "\(error)")
        }
        let signer: OpenSSLSigner
        do {
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
            return try SigningFiles.certificate(path: path)
        } catch {
            throw config.error("ocsp", key, "\(error)")
        }
    }
}
