import OCSPAdmin
import OCSPClient
import OCSPCore
import OCSPRespond
import OCSPRuntime
import OCSPServer
import OCSPStore
import OCSPWire
import ArgumentParser
import Logging

/// Options every command that reads `config.ini` shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The config file (default: $OCSP_RESPONDER_CONFIG, else \(ResponderConfiguration.defaultPath)).",
        valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "Log level, overriding the config: trace, debug, info, notice, warning, error, critical.",
        valueName: "level"))
    var logLevel: String?

    /// `--config`, else `$OCSP_RESPONDER_CONFIG`, else the default path.
    var configPath: String {
        ResponderConfiguration.resolvePath(explicit: config)
    }

    var level: Logger.Level? {
        logLevel.flatMap(ResponderConfiguration.parseLevel)
    }

    func validate() throws {
        if let logLevel, ResponderConfiguration.parseLevel(logLevel) == nil {
            throw ValidationError("'\(logLevel)' is not a log level; use debug, info, warning, error or critical.")
        }
    }
}
