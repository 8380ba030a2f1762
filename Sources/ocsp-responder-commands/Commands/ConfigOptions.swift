import ArgumentParser
import Logging
import OCSPRuntime

/// Options every command that reads `config.ini` shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The config file (default: $OCSP_RESPONDER_CONFIG, else \(ResponderConfiguration.defaultPath)).",
        valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "Log level, overriding the config: trace, debug, info, notice, warning, error, critical.",
        valueName: "level"))
    var logLevel: Logger.Level?

    /// `--config`, else `$OCSP_RESPONDER_CONFIG`, else the default path.
    var configPath: String {
        ResponderConfiguration.resolvePath(explicit: config)
    }
}
