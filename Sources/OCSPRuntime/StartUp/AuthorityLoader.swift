import OCSPCore
import OCSPCrypto
import OCSPWire
import Logging

/// Turns `[ocsp]` and each `[issuer NAME]` section into an `Authority`: certificates and key loaded and checked.
package enum AuthorityLoader {
    /// A signing certificate this close to its end gets a warning on every run.
    package static let expiryWarning: Int64 = 30 * 86_400

    /// Loads and checks every CA of the config; every failure names the section and key to fix.
    package static func loadAll(_ config: ResponderConfiguration, at now: UnixTime, logger: Logger) throws(ConfigError) -> [Authority] {
        var authorities: [Authority] = []
        for signing in config.authorities {
            let authority = try load(signing, config: config, at: now, logger: logger)
            // Serials are unique within a CA, not across CAs: two CAs in one table would answer for each other.
            for (other, otherSigning) in zip(authorities, config.authorities)
            where otherSigning.table == signing.table && !other.signerIsAuthorized(for: authority) {
                throw config.error(signing.section, "table", "[\(signing.section)] and [\(otherSigning.section)] are different CAs sharing table \(signing.table); serials are unique only within a CA, so give each CA its own table (table = ...)")
            }
            authorities.append(authority)
        }
        return authorities
    }

    /// `[ocsp] require_signed_requests` with the certificates of `trusted_requestors`: what every
    /// responder checks a signed request against (an empty list, without the key: signatures are still
    /// checked, and nobody is trusted).
    package static func requestAuthentication(_ config: ResponderConfiguration) throws(ConfigError) -> RequestAuthentication {
        var certificates: [Certificate] = []
        if let path = config.run.trustedRequestorsPath {
            do {
                certificates = try Certificate.certificates(pem: try FileIO.read(path: path, limit: 16 << 20))
            } catch {
                throw config.error("ocsp", "trusted_requestors", "cannot load the trusted requestors \(path): \(error.inputReason)")
            }
            guard !certificates.isEmpty else {
                throw config.error("ocsp", "trusted_requestors", "\(path) holds no -----BEGIN CERTIFICATE----- block")
            }
        }
        return RequestAuthentication(required: config.run.requireSignedRequests, verifier: TrustedRequestors(certificates: certificates))
    }

    /// Loads and checks one CA.
    package static func load(
        _ signing: ResponderConfiguration.Signing, config: ResponderConfiguration, at now: UnixTime, logger: Logger
    ) throws(ConfigError) -> Authority {
        let section = signing.section
        // Each file is read and parsed here, once; everything below works on these two values.
        let certificate = try loadCertificate(config, section, key: "cert", path: signing.certificatePath)
        let issuer = try signing.issuerPath.map { path throws(ConfigError) in
            path == signing.certificatePath ? certificate : try loadCertificate(config, section, key: "issuer", path: path)
        } ?? certificate

        let delegated = issuer.der != certificate.der
        if delegated, let problem = SigningFiles.delegationProblem(
            responder: certificate, responderPath: signing.certificatePath, issuer: issuer, issuerPath: signing.issuerPath ?? ""
        ) {
            throw config.error(section, "cert", problem)
        }

        let signer = try loadSigner(signing, config: config, certificate: certificate, issuer: issuer, delegated: delegated)
        warnAboutPeriod(signer.period, path: signing.certificatePath, section: section, at: now, logger: logger)

        let digester = OpenSSLDigester()
        let identity = IssuerIdentity(issuer, digester: digester)
        let intermediate = signing.ocspResponsePaths.isEmpty ? nil : IntermediateResponse(
            serial: issuer.serialNumber, issuerNameDER: issuer.issuerNameDER, paths: signing.ocspResponsePaths, digester: digester,
            read: { path in try FileIO.read(path: path, limit: 1 << 20) }
        )
        let store = StoreOpener.open(config.database, table: signing.table, access: .readOnly)
        logger.debug("authority loaded", metadata: [
            "ca": "\(signing.name)", "issuer": "\(signing.issuerPath ?? signing.certificatePath)",
            "signer": "\(signing.certificatePath)", "delegated": "\(delegated)",
        ])
        return Authority(
            issuer: identity, signer: signer, statusSource: store, notFound: signing.notFound, validity: signing.validity,
            intermediate: intermediate, name: signing.name
        )
    }

    /// The signer of `signing`: its key file, or its key on a PKCS#11 token (`pkey = pkcs11:...`).
    static func loadSigner(
        _ signing: ResponderConfiguration.Signing, config: ResponderConfiguration, certificate: Certificate, issuer: Certificate, delegated: Bool
    ) throws(ConfigError) -> any ResponseSigner {
        let section = signing.section
        let includeCertificate = delegated || signing.includeSigner
        if let (uri, modulePath) = signing.pkcs11 {
            let pin: [UInt8]
            do {
                pin = try SigningFiles.pin(path: uri.pinFile ?? "", serviceUser: config.run.user)
            } catch {
                throw config.error(section, "pkey", error.description)
            }
            let module: PKCS11Module
            do {
                module = try PKCS11Module.shared(path: modulePath)
            } catch {
                let key = config.lines["\(section).pkcs11_module"] == nil ? "ocsp" : section
                throw config.error(key, "pkcs11_module", error.description)
            }
            do {
                return try PKCS11Signer(
                    certificate: certificate, module: module, uri: uri, pin: pin, includeCertificate: includeCertificate,
                    issuer: delegated ? issuer : nil
                )
            } catch {
                throw config.error(section, "pkey", "\(uri) with \(signing.certificatePath): \(error.inputReason)")
            }
        }
        let key: PrivateKey
        do {
            key = try SigningFiles.privateKey(
                path: signing.keyPath, passphrase: signing.keyPassword, keyType: PrivateKey.typeName(for: certificate.publicKeyAlgorithm),
                serviceUser: config.run.user
            )
        } catch {
            throw config.error(section, "pkey", "\(error.inputReason)")
        }
        do {
            return try OpenSSLSigner(
                certificate: certificate, key: key, includeCertificate: includeCertificate, issuer: delegated ? issuer : nil
            )
        } catch {
            throw config.error(section, "pkey", "\(signing.keyPath) with \(signing.certificatePath): \(error.inputReason)")
        }
    }

    static func loadCertificate(_ config: ResponderConfiguration, _ section: String, key: String, path: String) throws(ConfigError) -> Certificate {
        do {
            return try SigningFiles.certificate(path: path)
        } catch {
            throw config.error(section, key, "\(error.inputReason)")
        }
    }

    /// A signer outside its period is loaded all the same: its requests get `tryLater` with the reason
    /// (the responder decides that per request, as `serve` must once the period ends while it runs), and
    /// the other CAs of the config are still answered. Said here once, at start-up, as an error; a period
    /// that ends within 30 days is a warning on every run.
    static func warnAboutPeriod(_ period: SigningPeriod, path: String, section: String, at now: UnixTime, logger: Logger) {
        if let problem = period.problem(at: now) {
            logger.error("[\(section)] cert \(path): \(problem); its requests are answered tryLater")
            return
        }
        let notAfter = period.notAfter
        if notAfter < now + expiryWarning {
            let days = (notAfter.seconds - now.seconds) / 86_400
            logger.warning("[\(section)] cert \(path): \(period.notAfterSource) expires at \(notAfter), in \(days) days; renew it before then")
        }
    }
}
