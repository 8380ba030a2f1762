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

struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Administer the status table: create it, add certificates, revoke, list, import.",
        discussion: """
            Works on the backend the config names ([db] backend = mariadb or sqlite), in the table of the \
            CA concerned ([ocsp], or an [issuer NAME] section: --ca NAME). Every status change removes \
            that certificate's responses from the cache, so the next request sees it.

            Exit status: 0 done (also when the table changed but the cache could not be emptied: that is \
            a warning); 64 bad arguments; 65 the change is refused (not issued by a configured CA, already \
            there, already revoked, not in the table, not on hold, an import's conflicts); 69 the database cannot be reached; 70 the \
            database answered wrongly; 78 config error or the wrong user (started as root, it runs as [ocsp] user).

            Examples:
              ocsp-responder db init
              ocsp-responder db add leaf.pem
              ocsp-responder db revoke 0x1a2b --reason key_compromise
              ocsp-responder db list --revoked --format csv
            """,
        subcommands: [DBInit.self, DBAdd.self, DBRevoke.self, DBUnrevoke.self, DBShow.self, DBList.self, DBImport.self]
    )
}

/// `--config`, `--log-level` and `--ca`, for every `db` subcommand.
struct AdminOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: ArgumentHelp(
        "The CA whose table to use: ocsp ([ocsp], the default) or the NAME of an [issuer NAME] section.", valueName: "name"))
    var ca: String?

    /// Loads the config, obeys its `[ocsp] user` and opens the tables; a failure ends the command with its
    /// message and status.
    func admin() throws -> StatusAdmin {
        let configuration: ResponderConfiguration
        do {
            configuration = try ResponderConfiguration.load(path: config.configPath)
        } catch {
            throw AdminFailure(AdminError(.config, "config error: \(error.inputReason)"))
        }
        // Started as root, every subcommand becomes [ocsp] user before it opens the log, the store or the
        // cache, so the SQLite file and the cache stay the service's.
        do {
            _ = try ServiceAccount.enforce(configuration)
        } catch {
            throw AdminFailure(AdminError(.config, error.description))
        }
        let (logger, logsToStandardError) = RunLogger.make(configuration, override: config.level)
        // A warning about this run (a cache that keeps old answers) is for the operator at the terminal:
        // on stderr as well when the log is a file, once when the log is stderr.
        let warn: (String) -> Void = logsToStandardError ? { _ in } : { Console.printError("warning: \($0)") }
        do {
            return try StatusAdmin(config: configuration, logger: logger, warn: warn)
        } catch {
            throw AdminFailure(error)
        }
    }

    /// Runs `body`, turning an `AdminError` into its message on stderr and its exit status.
    func run<T>(_ body: () throws(AdminError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw AdminFailure(error)
        }
    }
}

/// Prints the one-line error and exits with its status.
struct AdminFailure: Error, CustomStringConvertible {
    let error: AdminError
    init(_ error: AdminError) { self.error = error }
    var description: String { error.description }
}

extension AdminFailure {
    /// ArgumentParser prints `description` for unknown errors and exits 1; this keeps our statuses.
    static func exit(_ error: any Error) -> Never {
        if let failure = error as? AdminFailure {
            Console.printError(failure.description)
            Glibc.exit(failure.error.exitStatus)
        }
        DB.exit(withError: error)
    }
}

/// A serial as operators write it: `0x1a2b`, `1A2B`, `1a:2b`.
func parseSerial(_ text: String) throws -> CertificateSerialNumber {
    guard let serial = CertificateSerialNumber(hex: text) else {
        throw ValidationError("'\(text)' is not a hex serial (e.g. 0x1a2b)")
    }
    return serial
}

#if canImport(Glibc)
import Glibc
#endif
