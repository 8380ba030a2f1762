#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import OCSPCore
import OCSPStoreMariaDB
import OCSPWire

/// What every command that reads `config.ini` starts with, in this order: the config read (under sudo,
/// only one that is the service's own, and so is everything it names), `[ocsp] user` obeyed (started as
/// root, the run becomes that user before it opens the log, the store or the cache, so every file it
/// creates is the service's), then the log opened.
package struct RunStart {
    package var config: ResponderConfiguration
    package var logger: Logger
    /// True when the log is standard error, so a message for the operator is not printed twice.
    package var logsToStandardError: Bool
    /// Under sudo, the files the config names, which a caller's request file or `--out` must not be.
    package var serviceFiles: ServiceFiles
    /// `serve` started as root: the account to become once the ports are bound.
    package var pendingDrop: ServiceAccount?

    package struct Options {
        package var configPath: String
        /// Overrides the config's level (`--log-level`).
        package var logLevel: Logger.Level?
        /// The level when the log is standard error and `--log-level` is not given (`resign`, a cron job,
        /// wants its summary: info); nil: the config's level, else warnings only.
        package var standardErrorLogLevel: Logger.Level?
        /// `serve`: root binds its ports first, and becomes `[ocsp] user` after (`pendingDrop`).
        package var dropRootLater: Bool
        /// False for a command that logs nothing (`sign`, which reads the config only to obey
        /// `[ocsp] user`): its logger writes warnings to standard error, and no log file is opened.
        package var opensLog: Bool
        /// False for `respond`: the warning that `ssl_verify = no` leaves the database unchecked.
        package var warnsOfUnverifiedDatabase: Bool

        package init(configPath: String, logLevel: Logger.Level?, standardErrorLogLevel: Logger.Level? = nil, dropRootLater: Bool = false,
            opensLog: Bool = true,
            warnsOfUnverifiedDatabase: Bool = true
        ) {
            self.configPath = configPath
            self.logLevel = logLevel
            self.standardErrorLogLevel = standardErrorLogLevel
            self.dropRootLater = dropRootLater
            self.opensLog = opensLog
            self.warnsOfUnverifiedDatabase = warnsOfUnverifiedDatabase
        }

        func logLevel(for config: ResponderConfiguration) -> Logger.Level? {
            logLevel ?? (config.log.file == nil ? standardErrorLogLevel : nil)
        }
    }

    /// Starts a run. A failure is a `StartUpError`: its line for standard error (already in the log
    /// when the log is a file), exit status 78.
    package static func begin(_ options: Options, invocation: Invocation = .current) throws(StartUpError) -> RunStart {
        var (config, configFile) = try readConfig(options.configPath, invocation: invocation)
        let privileges: ServiceAccount.Decision
        do {
            privileges = try ServiceAccount.enforce(config, dropLater: options.dropRootLater)
        } catch {
            // Under dropRootLater the log is opened first, so that it says why the server refused to start.
            guard options.dropRootLater else { throw StartUpError(error.description) }
            let logging = RunLogger.make(config, override: options.logLevel(for: config))
            throw StartUpError(error.inputReason, loggingTo: logging)
        }
        let serviceFiles = try checkServiceFiles(&config, configFile: configFile)
        var pendingDrop: ServiceAccount?
        if case .dropPending(let account) = privileges {
            if let path = config.log.file { account.createLogFile(at: path) }
            pendingDrop = account
        }
        var logged = config
        if !options.opensLog { logged.log.file = nil }
        let logging = RunLogger.make(logged, override: options.logLevel(for: logged))
        MariaDBHostBoard.shared.reportSwitches(to: logging.logger)
        // Once per start of a long-lived or interactive command; `respond`, a process per request, would
        // repeat it on every answer.
        if options.warnsOfUnverifiedDatabase {
            for (section, options) in [("db", config.database.options), ("db_admin", config.adminOptions)] {
                // [db_admin] repeats [db]'s TLS unless it sets its own: one warning is enough.
                guard let tls = options?.tls, !tls.verifiesServer, section == "db" || tls != config.database.options?.tls else { continue }
                logging.logger.warning("[\(section)] ssl_verify = no: the connection to MariaDB is encrypted, but the server's certificate is not checked, so anyone on the path can stand in for it; set ssl_ca")
            }
        }
        return RunStart(
            config: config, logger: logging.logger, logsToStandardError: logging.toStandardError,
            serviceFiles: serviceFiles, pendingDrop: pendingDrop
        )
    }

    /// The config at `path`. Under sudo the config is the caller's choice: it must be the service's own,
    /// and so must everything it names (ServiceFiles, checked by the caller), before anything of it is used.
    private static func readConfig(_ path: String, invocation: Invocation) throws(StartUpError) -> (ResponderConfiguration, TrustedPath?) {
        do throws(ConfigError) {
            let configFile = invocation.isUntrusted ? try ServiceFiles.resolveConfigPath(path) : nil
            return (try ResponderConfiguration.load(path: configFile?.path ?? path), configFile)
        } catch {
            throw StartUpError("config error: \(invocation.isUntrusted ? error.shownToUntrustedCaller : error.inputReason)")
        }
    }

    /// `serve`'s reload (SIGHUP): the config at `path` read again as `begin` reads it, for a process that
    /// keeps its log files, its sockets and its user. A config whose `[ocsp] user` the process is not
    /// (it still runs as root, or as another user) is refused: only a restart changes who it runs as.
    package static func rereadConfig(_ path: String, invocation: Invocation = .current) throws(StartUpError) -> ResponderConfiguration {
        var (config, configFile) = try readConfig(path, invocation: invocation)
        let privileges: ServiceAccount.Decision
        do {
            privileges = try ServiceAccount.enforce(config, dropLater: true)
        } catch {
            throw StartUpError(error.inputReason)
        }
        if case .dropPending(let account) = privileges {
            throw StartUpError("config error: \(config.path): [ocsp] user = \(account.name), but serve runs as root: restart it to run as \(account.name)")
        }
        _ = try checkServiceFiles(&config, configFile: configFile)
        return config
    }

    /// Under sudo (`configFile` set): everything the config names must be the service's own.
    private static func checkServiceFiles(_ config: inout ResponderConfiguration, configFile: TrustedPath?) throws(StartUpError) -> ServiceFiles {
        guard let configFile else { return ServiceFiles() }
        do {
            return try ServiceFiles.check(&config, configFile: configFile)
        } catch {
            throw StartUpError("config error: \(error.shownToUntrustedCaller)")
        }
    }

    /// Every configured CA, with its certificate, key and status table, checked at `now`.
    package func loadAuthorities(at now: UnixTime) throws(StartUpError) -> [Authority] {
        do {
            return try AuthorityLoader.loadAll(config, at: now, logger: logger)
        } catch {
            throw StartUpError("config error: \(error.inputReason)", loggingTo: (logger, logsToStandardError))
        }
    }

    /// The check of signed requests the config asks for (`AuthorityLoader.requestAuthentication`).
    package func loadRequestAuthentication() throws(StartUpError) -> RequestAuthentication {
        do {
            return try AuthorityLoader.requestAuthentication(config)
        } catch {
            throw StartUpError("config error: \(error.inputReason)", loggingTo: (logger, logsToStandardError))
        }
    }

    /// Logs `message` as an error, and prints it on standard error too when the log is a file: the
    /// operator at the terminal (or the calling app) hears of it once either way.
    package func report(_ message: String) {
        logger.error("\(message)")
        if !logsToStandardError { Console.printError(message) }
    }
}

/// Why a run could not start: the config, the user, the certificates or the key (exit status 78).
package struct StartUpError: CommandError, Sendable {
    package var description: String
    package var exitStatus: Int32 { ExitStatus.config }

    package init(_ description: String) {
        self.description = description
    }

    /// Also writes the message to the log when the log is a file (on standard error it would be twice).
    package init(_ description: String, loggingTo logging: (logger: Logger, toStandardError: Bool)) {
        self.description = description
        if !logging.toStandardError { logging.logger.error("\(description)") }
    }
}
