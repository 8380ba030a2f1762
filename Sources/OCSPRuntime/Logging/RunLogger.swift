import Logging

/// The logger every command starts with.
package enum RunLogger {
    /// A logger per the config: its file (falling back to stderr with one warning) and level.
    package static func make(_ config: ResponderConfiguration, override: Logger.Level?) -> (logger: Logger, toStandardError: Bool) {
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
}

/// Messages for the person at the terminal, on standard error.
package enum Console {
    package static func printError(_ message: String) {
        LogDestination.standardError.write("ocsp-responder: \(message)\n")
    }
}
