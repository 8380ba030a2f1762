import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// One run of `ocsp-responder respond`: config, request, answer, file, log line, exit status.
///
/// Set-up failures (config, certificates, key) happen before the request is read and leave the file
/// as it was. Once the request is read, there is always an answer: signed, or an unsigned error status.
package struct RespondRun {
    package struct Options: Sendable {
        package typealias Level = Logger.Level

        /// The config file.
        package var configPath: String
        /// The request file, or `-` for standard input.
        package var input: String
        /// Where the response goes; nil means over the input file, or standard output for `-`.
        package var output: String?
        /// Overrides the config's log level.
        package var logLevel: Logger.Level?
        /// Seconds the whole run may take, overriding `[ocsp] timeout`.
        package var timeout: Int?

        /// What `--timeout` accepts.
        package static let timeoutRange = 1...3600

        package init(configPath: String, input: String, output: String?, logLevel: Logger.Level?, timeout: Int? = nil) {
            self.configPath = configPath
            self.input = input
            self.output = output
            self.logLevel = logLevel
            self.timeout = timeout
        }
    }

    package static func run(_ options: Options) -> Int32 {
        let started = ContinuousClock.now
        let invocation = Invocation.current
        let start: RunStart
        let authorities: [Authority]
        let requestAuthentication: RequestAuthentication
        let now: UnixTime
        let watchdog: RunWatchdog
        do throws(StartUpError) {
            start = try RunStart.begin(
                .init(configPath: options.configPath, logLevel: options.logLevel, warnsOfUnverifiedDatabase: false), invocation: invocation)
            // From here on a deadline or a signal ends the run cleanly (see RunWatchdog).
            watchdog = RunWatchdog(timeoutSeconds: options.timeout ?? start.config.run.timeout, logger: start.logger)
            now = RunClock.currentTime()
            authorities = try start.loadAuthorities(at: now)
            requestAuthentication = try start.loadRequestAuthentication()
        } catch {
            Console.printError(error.description)
            return error.exitStatus
        }
        let (config, logger, serviceFiles) = (start.config, start.logger, start.serviceFiles)
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
                    start.report("cannot read the request: \(error.inputReason)")
                    return ExitStatus.noInput
                }
            }
            if let output = options.output, output != "-" {
                do {
                    callerOutput = try CallerFile.open(path: output, callerUID: caller, writable: true, serviceFiles: serviceFiles.identities)
                } catch {
                    start.report("cannot write the response: \(error.inputReason)")
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
            start.report("cannot read the request: \(error.inputReason)")
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

        let outcome = OCSPResponder(authorities: authorities, cache: cache, revalidation: config.run.revalidation,
                                    requestAuthentication: requestAuthentication).respond(to: request, at: now)

        let decision = outcome.decision
        let status = ExitStatus.respond(decision.status)
        let writeError = watchdog.finish(status: status) { () -> FileIO.Error? in
            do throws(FileIO.Error) {
                try write(outcome.der)
                return nil
            } catch {
                return error
            }
        }
        if let writeError {
            start.report("cannot write the response: \(writeError)")
            return ExitStatus.ioError
        }

        var metadata: Logger.Metadata = ["duration_ms": "\(RunClock.milliseconds(since: started))"]
        decision.forEachLogField(for: .respond) { metadata[$0.key] = .string($0.value) }
        if decision.status == .successful {
            // Served unrevalidated, or nextUpdate capped: an answer, but one the operator must hear about.
            if decision.isWarning {
                logger.warning("answered", metadata: metadata)
            } else {
                logger.info("answered", metadata: metadata)
            }
            return 0
        }
        logger.error("refused", metadata: metadata)
        if !start.logsToStandardError {
            Console.printError("\(decision.status): \(decision.reason ?? "")")
        }
        return status
    }
}
