import OCSPStoreMariaDB

/// The files a config names, checked to be the service's own before a run under sudo uses any of them.
///
/// The caller may pass `--config`; the config then decides which key signs, which store answers, and
/// where the cache and the log are written. So under sudo the config file must be a `TrustedPath`, and so
/// must every certificate, key, pre-signed response, store, cache directory and log file it names. Each
/// path is replaced by its resolved form (no links left), which nobody untrusted can redirect.
package struct ServiceFiles: Sendable {
    /// Device and inode of every file named, so that a request file or `--out` can be told from them.
    package private(set) var identities: Set<FileIdentity> = []

    package init() {}

    /// Resolves the config file's own path: it must be the service's before it is read.
    package static func resolveConfigPath(_ path: String) throws(ConfigError) -> TrustedPath {
        do {
            return try TrustedPath.resolve(path, kind: .file)
        } catch {
            throw ConfigError(path: path, message: "under sudo only a config owned by root or the service user, writable by nobody else, is used: \(error.inputReason)", quotesContent: false)
        }
    }

    /// Checks every path `config` (read from `configFile`, see `resolveConfigPath`) names and rewrites
    /// each to its resolved form. A cache directory that does not exist yet is created (mode 0700) and
    /// checked again, so that it cannot be one somebody else made first in a shared directory.
    package static func check(_ config: inout ResponderConfiguration, configFile: TrustedPath) throws(ConfigError) -> ServiceFiles {
        var files = ServiceFiles()
        if let identity = configFile.identity { files.identities.insert(identity) }

        for index in config.authorities.indices {
            let section = config.authorities[index].section
            config.authorities[index].certificatePath = try files.resolve(config.authorities[index].certificatePath, .file, config, section, "cert")
            config.authorities[index].keyPath = try files.resolve(config.authorities[index].keyPath, .file, config, section, "pkey")
            if let issuer = config.authorities[index].issuerPath {
                config.authorities[index].issuerPath = try files.resolve(issuer, .file, config, section, "issuer")
            }
            for (position, response) in config.authorities[index].ocspResponsePaths.enumerated() {
                config.authorities[index].ocspResponsePaths[position] = try files.resolve(response, .fileOrAbsent, config, section, "ocspresponse")
            }
        }
        if case .sqlite(let path) = config.database.backend {
            config.database.backend = .sqlite(path: try files.resolve(path, .fileOrAbsent, config, "db", "path"))
        }
        if case .mariadb(let options) = config.database.backend {
            config.database.backend = .mariadb(try files.resolveTLS(options, config, "db"))
        }
        if let options = config.adminOptions {
            config.adminOptions = try files.resolveTLS(options, config, "db_admin")
        }
        if let cache = config.run.cachePath {
            var resolved = try files.resolve(cache, .directoryOrAbsent, config, "ocsp", "cache")
            do {
                try FileIO.makeDirectory(path: resolved, mode: 0o700)
            } catch {
                throw Self.refusal(config, "ocsp", "cache", "\(error.inputReason)")
            }
            resolved = try files.resolve(resolved, .directory, config, "ocsp", "cache")
            config.run.cachePath = resolved
        }
        if let log = config.log.file {
            let trusted = try files.trusted(log, .fileOrAbsent, config, "log", "file")
            // Another name for the log (a hard link elsewhere) changes nothing it receives, so only its
            // being one of the files above is refused: log lines must never be appended to the key.
            if let identity = trusted.identity, files.identities.contains(identity) {
                throw Self.refusal(config, "log", "file", "\(trusted.path) is another file this config names; the log must be a file of its own")
            }
            if let identity = trusted.identity { files.identities.insert(identity) }
            config.log.file = trusted.path
        }
        return files
    }

    /// `options` with its `ssl_*` files resolved like the others (a section's keys may come from `[db]`).
    private mutating func resolveTLS(_ options: MariaDBOptions, _ config: ResponderConfiguration, _ section: String) throws(ConfigError) -> MariaDBOptions {
        guard var tls = options.tls else { return options }
        var options = options
        func from(_ key: String) -> String { config.lines["\(section).\(key)"] != nil ? section : "db" }
        tls.certificateAuthority = try tls.certificateAuthority.map { path throws(ConfigError) in try resolve(path, .file, config, from("ssl_ca"), "ssl_ca") }
        tls.certificate = try tls.certificate.map { path throws(ConfigError) in try resolve(path, .file, config, from("ssl_cert"), "ssl_cert") }
        tls.key = try tls.key.map { path throws(ConfigError) in try resolve(path, .file, config, from("ssl_key"), "ssl_key") }
        options.tls = tls
        return options
    }

    private mutating func resolve(
        _ path: String, _ kind: TrustedPath.Kind, _ config: ResponderConfiguration, _ section: String, _ key: String
    ) throws(ConfigError) -> String {
        let trusted = try trusted(path, kind, config, section, key)
        if let identity = trusted.identity { identities.insert(identity) }
        return trusted.path
    }

    private func trusted(
        _ path: String, _ kind: TrustedPath.Kind, _ config: ResponderConfiguration, _ section: String, _ key: String
    ) throws(ConfigError) -> TrustedPath {
        do {
            return try TrustedPath.resolve(path, kind: kind)
        } catch {
            throw Self.refusal(config, section, key, "not used under sudo: \(error.inputReason)")
        }
    }

    /// A refusal told in full even to a caller through sudo: it names a path of a file that parsed as a
    /// config, and the component at fault, never other text of the file.
    private static func refusal(_ config: ResponderConfiguration, _ section: String, _ key: String, _ message: String) -> ConfigError {
        var error = config.error(section, key, message)
        error.quotesContent = false
        return error
    }
}
