#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import OCSPCore
import OCSPCrypto

/// One run of `ocsp-responder respond`: config, request, answer, file, log line, exit status.
///
/// Set-up failures (config, certificates, key) happen before the request is read and leave the file
/// as it was. Once the request is read, there is always an answer: signed, or an unsigned error status.
public struct RespondRun {
    public struct Options: Sendable {
        public typealias Level = Logger.Level

        /// The config file.
        public var configPath: String
        /// The request file, or `-` for standard input.
        public var input: String
        /// Where the response goes; nil means over the input file, or standard output for `-`.
        public var output: String?
        /// Overrides the config's log level.
        public var logLevel: Logger.Level?
        /// Seconds the whole run may take, overriding `[ocsp] timeout`.
        public var timeout: Int?

        public init(configPath: String, input: String, output: String?, logLevel: Logger.Level?, timeout: Int? = nil) {
            self.configPath = configPath
            self.input = input
            self.output = output
            self.logLevel = logLevel
            self.timeout = timeout
        }
    }

    /// Exit statuses beyond the OCSP ones (sysexits.h values, as mail and ssh tools use).
    public enum ExitStatus {
        public static let noInput: Int32 = 66
        public static let ioError: Int32 = 74
        public static let config: Int32 = 78
        /// EX_NOPERM: a command that a caller through sudo may not run.
        public static let noPermission: Int32 = 77
    }

    public static func run(_ options: Options) -> Int32 {
        let started = monotonicNanoseconds()
        let invocation = Invocation.current
        var config: ResponderConfiguration
        var serviceFiles = ServiceFiles()
        var configFile: TrustedPath?
        do throws(ConfigError) {
            // Under sudo the config is the caller's choice: it must be the service's own, and so must
            // everything it names (ServiceFiles), before anything of it is used.
            if invocation.isUntrusted { configFile = try ServiceFiles.resolveConfigPath(options.configPath) }
            config = try ResponderConfiguration.load(path: configFile?.path ?? options.configPath)
        } catch {
            printError("config error: \(invocation.isUntrusted ? error.shownToUntrustedCaller : error.description)")
            return ExitStatus.config
        }
        // `[ocsp] user`: as anyone else, refuse; as root, become that user before the log, the store or
        // the cache is opened, so that every file the run creates is the service's.
        do {
            _ = try ServiceAccount.enforce(config)
        } catch {
            printError(error.description)
            return ExitStatus.config
        }
        if let configFile {
            do {
                serviceFiles = try ServiceFiles.check(&config, configFile: configFile)
            } catch {
                printError("config error: \(error.shownToUntrustedCaller)")
                return ExitStatus.config
            }
        }
        let logging = makeLogger(config, override: options.logLevel)
        let logger = logging.logger

        // From here on a deadline or a signal ends the run cleanly (see RunWatchdog).
        let watchdog = RunWatchdog(timeoutSeconds: options.timeout ?? config.run.timeout, logger: logger)

        let now = currentTime()
        let authorities: [Authority]
        do {
            authorities = try AuthorityLoader.loadAll(config, at: now, logger: logger)
        } catch {
            report("config error: \(error.inputReason)", logger: logger, alsoToStandardError: !logging.toStandardError)
            return ExitStatus.config
        }
        let cache = config.run.cachePath.map { FileResponseCache(directory: $0, digester: OpenSSLDigester(), logger: logger) }

        // Under sudo the request file and --out are the caller's own files, opened once (CallerFile).
        var callerInput: CallerFile?
        var callerOutput: CallerFile?
        if let caller = invocation.untrustedCaller {
            if options.input != "-" {
                do {
                    callerInput = try CallerFile.open(
                        path: options.input, callerUID: caller, writable: options.output == nil, serviceFiles: serviceFiles.identities)
                } catch {
                    report("cannot read the request: \(error.inputReason)", logger: logger, alsoToStandardError: !logging.toStandardError)
                    return ExitStatus.noInput
                }
            }
            if let output = options.output, output != "-" {
                do {
                    callerOutput = try CallerFile.open(path: output, callerUID: caller, writable: true, serviceFiles: serviceFiles.identities)
                } catch {
                    report("cannot write the response: \(error.inputReason)", logger: logger, alsoToStandardError: !logging.toStandardError)
                    return ExitStatus.ioError
                }
            }
        }

        let request: [UInt8]
        do {
            if let callerInput {
                request = try callerInput.read(limit: OCSPResponder.maximumRequestSize)
            } else {
                request = try FileIO.read(path: options.input, limit: OCSPResponder.maximumRequestSize)
            }
        } catch {
            report("cannot read the request: \(error.inputReason)", logger: logger, alsoToStandardError: !logging.toStandardError)
            return ExitStatus.noInput
        }

        let destination = options.output ?? options.input
        let callerDestination = options.output == nil ? callerInput : callerOutput
        let write = { (bytes: [UInt8]) throws(FileIO.Error) in
            if destination == "-" {
                try FileIO.writeStandardOutput(bytes)
            } else if let callerDestination {
                try callerDestination.overwrite(with: bytes)
            } else {
                try FileIO.replace(path: destination, with: bytes)
            }
        }
        watchdog.arm { try? write(OCSPResponse.error(.tryLater)) }

        let outcome = OCSPResponder(authorities: authorities, cache: cache, revalidation: config.run.revalidation).respond(to: request, at: now)

        let status = outcome.status == .successful ? 0 : Int32(outcome.status.rawValue)
        let writeError = watchdog.finish(status: status) { () -> FileIO.Error? in
            do throws(FileIO.Error) {
                try write(outcome.der)
                return nil
            } catch {
                return error
            }
        }
        if let writeError {
            report("cannot write the response: \(writeError)", logger: logger, alsoToStandardError: !logging.toStandardError)
            return ExitStatus.ioError
        }

        var metadata: Logger.Metadata = [
            "status": "\(outcome.status)",
            "cache": "\(outcome.cache.rawValue)",
            "duration_ms": "\(milliseconds(since: started))",
        ]
        if !outcome.answers.isEmpty {
            metadata["certs"] = .string(outcome.answersForLog)
        } else if let request = outcome.request {
            metadata["serials"] = .string(request.tbsRequest.requestList.map { "0x\($0.certID.serialNumber)" }.joined(separator: ","))
        }
        if outcome.status == .successful {
            if let reason = outcome.reason ?? outcome.signerNotice {
                // Served unrevalidated, or nextUpdate capped: an answer, but one the operator must hear about.
                metadata["reason"] = .string(reason)
                logger.warning("answered", metadata: metadata)
            } else {
                logger.info("answered", metadata: metadata)
            }
            return 0
        }
        metadata["cache"] = nil
        if let reason = outcome.reason { metadata["reason"] = .string(reason) }
        logger.error("refused", metadata: metadata)
        if !logging.toStandardError {
            printError("\(outcome.status): \(outcome.reason ?? "")")
        }
        return status
    }

    static func report(_ message: String, logger: Logger, alsoToStandardError: Bool) {
        logger.error("\(message)")
        if alsoToStandardError { printError(message) }
    }

    /// A logger per the config: its file (falling back to stderr with one warning) and level.
    public static func makeLogger(_ config: ResponderConfiguration, override: Logger.Level?) -> (logger: Logger, toStandardError: Bool) {
        var destination = LogDestination.standardError
        var fallbackWarning: String?
        if let path = config.log.file {
            do {
                destination = try LogDestination.file(path)
            } catch {
                fallbackWarning = "cannot open the log file, logging to stderr: \(error.inputReason)"
            }
        }
        // Without a log file, stay quiet on success: stderr belongs to the calling app or the pipeline.
        let level = override ?? config.log.level ?? (destination.isStandardError ? .warning : .info)
        let handler = LineLogHandler(destination: destination, level: level)
        let logger = Logger(label: "ocsp-responder", factory: { _ in handler })
        if let fallbackWarning { logger.warning("\(fallbackWarning)") }
        return (logger, destination.isStandardError)
    }

    public static func printError(_ message: String) {
        LogDestination.standardError.write("ocsp-responder: \(message)\n")
    }

    public static func currentTime() -> UnixTime {
        UnixTime(seconds: Int64(time(nil)))
    }

    /// The time of day in nanoseconds since the epoch, for deadlines finer than `currentTime`'s seconds.
    public static func wallClockNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Milliseconds since `started` (`monotonicNanoseconds`), to the hundredth, as log lines give durations.
    public static func milliseconds(since started: Int64) -> Double {
        (Double(monotonicNanoseconds() - started) / 10_000).rounded() / 100
    }
}

extension ResponderOutcome {
    /// Every CertID's serial, status and source, as log lines give them: `0x1001:good:database,0x1002:revoked:cache`.
    public var answersForLog: String {
        answers.map { "0x\($0.serial):\($0.status.name):\($0.source.rawValue)" }.joined(separator: ",")
    }
}
