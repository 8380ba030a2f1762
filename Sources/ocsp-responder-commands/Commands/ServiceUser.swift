import OCSPAdmin
import OCSPClient
import OCSPCore
import OCSPRespond
import OCSPRuntime
import OCSPServer
import OCSPStore
import OCSPWire
import ArgumentParser

/// Loads the config for a command that needs nothing of root's (`resign`, `sign`) and obeys its
/// `[ocsp] user` at once: started as root, the command goes on as that user, so every file it creates
/// belongs to the service; started as anyone else but that user, it ends. Either failure: its one-line
/// reason on stderr (no log is open yet) and exit 78.
func loadConfigAsServiceUser(path: String) throws(ExitCode) -> ResponderConfiguration {
    let config: ResponderConfiguration
    do {
        config = try ResponderConfiguration.load(path: path)
    } catch {
        Console.printError("config error: \(error.inputReason)")
        throw ExitCode(ExitStatus.config)
    }
    do {
        _ = try ServiceAccount.enforce(config)
    } catch {
        Console.printError(error.description)
        throw ExitCode(ExitStatus.config)
    }
    return config
}
