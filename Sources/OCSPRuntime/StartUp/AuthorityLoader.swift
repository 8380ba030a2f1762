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

    /// Loads and checks one CA.
    package static func load(
        _ signing: ResponderConfiguration.Signing, config: ResponderConfiguration, at now: UnixTime, logger: Logger
    ) throws(ConfigError) -> Authority {
        let section = signing.section
        let pairs: [SigningFiles.Pair]?
        do {
            pairs = try SigningFiles.pairs(certificate: signing.certificatePath, key: signing.keyPath)
        } catch {
            throw config.error(section, "cert", "\(error.inputReason)")
        }
        let issuer: Certificate
        let signer: OpenSSLSigner
        let delegated: Bool
        var rotation: SignerRotation?
        if let pairs {
            // Several pairs: each a delegate of `issuer`, each checked as one alone; a bad one is skipped.
            guard let issuerPath = signing.issuerPath else {
                throw config.error(section, "issuer", "cert names several signer pairs (\(signing.certificatePath)): they are delegated responders, so issuer must name the CA certificate")
            }
            issuer = try loadCertificate(config, section, key: "issuer", path: issuerPath)
            var usable: [(path: String, signer: OpenSSLSigner)] = []
            var reasons: [String] = []
            for pair in pairs {
                do throws(ConfigError) {
                    let loaded = try loadPair(signing, config: config, certificatePath: pair.certificatePath, keyPath: pair.keyPath, issuer: issuer)
                    usable.append((pair.certificatePath, loaded.signer))
                } catch {
                    logger.error("[\(section)] signer pair \(pair.certificatePath) skipped: \(error.message)")
                    reasons.append(error.message)
                }
            }
            let series = SignerRotation(periods: usable.map(\.signer.period), certificatePaths: usable.map(\.path), scanned: pairs.map(\.certificatePath))
            guard let chosen = series.choice(at: now) else {
                throw config.error(section, "cert", "no usable signer pair in \(signing.certificatePath): \(reasons.joined(separator: "; "))")
            }
            rotation = series
            rotation?.chosen = chosen
            signer = usable[chosen].signer
            delegated = true
            if let problem = signer.period.problem(at: now) {
                logger.error("[\(section)] cert \(usable[chosen].path): \(problem); no signer pair is valid now, so its requests are answered tryLater")
            } else {
                logger.info("[\(section)] signing with \(usable[chosen].path), valid until \(signer.period.notAfter), of \(usable.count) signer pairs")
            }
            if let last = series.lastNotAfter, let lastIndex = series.periods.firstIndex(where: { $0.notAfter == last }) {
                warnAboutPeriod(series.periods[lastIndex], path: "\(series.certificatePaths[lastIndex]) (the last signer pair)", section: section, at: now, logger: logger, expiryOnly: true)
            }
        } else {
            // Each file is read and parsed here, once; everything below works on these two values.
            let certificate = try loadCertificate(config, section, key: "cert", path: signing.certificatePath)
            issuer = try signing.issuerPath.map { path throws(ConfigError) in
                path == signing.certificatePath ? certificate : try loadCertificate(config, section, key: "issuer", path: path)
            } ?? certificate
            let loaded = try loadPair(signing, config: config, certificatePath: signing.certificatePath, keyPath: signing.keyPath, issuer: issuer, certificate: certificate)
            signer = loaded.signer
            delegated = loaded.delegated
            warnAboutPeriod(signer.period, path: signing.certificatePath, section: section, at: now, logger: logger)
        }

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
            intermediate: intermediate, name: signing.name, rotation: rotation
        )
    }

    /// One certificate and key, checked: a delegate must be the issuer's (RFC 6960 §4.2.2.2), the key
    /// unreadable by others and matching the certificate.
    static func loadPair(
        _ signing: ResponderConfiguration.Signing, config: ResponderConfiguration, certificatePath: String, keyPath: String,
        issuer: Certificate, certificate loaded: Certificate? = nil
    ) throws(ConfigError) -> (signer: OpenSSLSigner, delegated: Bool) {
        let section = signing.section
        let certificate: Certificate
        if let loaded { certificate = loaded } else { certificate = try loadCertificate(config, section, key: "cert", path: certificatePath) }
        let delegated = issuer.der != certificate.der
        if delegated, let problem = SigningFiles.delegationProblem(
            responder: certificate, responderPath: certificatePath, issuer: issuer, issuerPath: signing.issuerPath ?? ""
        ) {
            throw config.error(section, "cert", problem)
        }
        let key: PrivateKey
        do {
            key = try SigningFiles.privateKey(
                path: keyPath, passphrase: signing.keyPassword, keyType: PrivateKey.typeName(for: certificate.publicKeyAlgorithm),
                serviceUser: config.run.user
            )
        } catch {
            throw config.error(section, "pkey", "\(error.inputReason)")
        }
        do {
            let signer = try OpenSSLSigner(
                certificate: certificate, key: key, includeCertificate: delegated || signing.includeSigner,
                issuer: delegated ? issuer : nil
            )
            return (signer, delegated)
        } catch {
            throw config.error(section, "pkey", "\(keyPath) with \(certificatePath): \(error.inputReason)")
        }
    }

    /// Why `serve` must load the signers again at `now`, or nil: a CA with signer pairs whose choice
    /// changed (a newer pair became valid, the one signing ended) or whose directory now holds other files.
    package static func rotationDue(_ config: ResponderConfiguration, _ authorities: [Authority], at now: UnixTime) -> String? {
        for (authority, signing) in zip(authorities, config.authorities) {
            guard let rotation = authority.rotation else { continue }
            if let choice = rotation.choice(at: now), choice != rotation.chosen {
                return "[\(signing.section)] \(rotation.certificatePaths[choice]) takes over from \(rotation.certificatePaths[rotation.chosen])"
            }
            let scanned = (try? SigningFiles.pairs(certificate: signing.certificatePath, key: signing.keyPath))??.map(\.certificatePath)
            if let scanned, scanned != rotation.scanned {
                return "[\(signing.section)] the signer pairs in \(signing.certificatePath) changed"
            }
        }
        return nil
    }

    /// When `rotationDue` may next say yes by time alone (a pair starts or ends); nil: no signer pairs.
    package static func nextRotation(_ authorities: [Authority], after now: UnixTime) -> UnixTime? {
        authorities.compactMap { $0.rotation?.nextChange(after: now) }.min()
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
    static func warnAboutPeriod(_ period: SigningPeriod, path: String, section: String, at now: UnixTime, logger: Logger, expiryOnly: Bool = false) {
        if let problem = period.problem(at: now) {
            guard !expiryOnly else { return }
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
