import ArgumentParser
import OCSPService

/// Loads the config for a command that needs nothing of root's (`resign`, `sign`) and obeys its
/// `[ocsp] user` at once: started as root, the command goes on as that user, so every file it creates
/// belongs to the service; started as anyone else but that user, it ends. Either failure: its one-line
/// reason on stderr (no log is open yet) and exit 78.
func loadConfigAsServiceUser(path: String) throws(ExitCode) -> ResponderConfiguration {
    let config: ResponderConfiguration
    do {
        config = try ResponderConfiguration.load(path: path)
    } catch {
        RespondRun.printError("config error: \(error.inputReason)")
        throw ExitCode(RespondRun.ExitStatus.config)
    }
    do {
        _ = try ServiceAccount.enforce(config)
    } catch {
        RespondRun.printError(error.description)
        throw ExitCode(RespondRun.ExitStatus.config)
    }
    return config
}
