import OCSPAdmin
import OCSPRuntime
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

    /// Starts the run (`RunStart`: config, `[ocsp] user`, log) and opens the tables.
    func admin() throws -> StatusAdmin {
        let start = try RunStart.begin(.init(configPath: config.configPath, logLevel: config.logLevel))
        // A warning about this run (a cache that keeps old answers) is for the operator at the terminal:
        // on stderr as well when the log is a file, once when the log is stderr.
        let warn: (String) -> Void = start.logsToStandardError ? { _ in } : { Console.printError("warning: \($0)") }
        return try StatusAdmin(config: start.config, logger: start.logger, warn: warn)
    }
}
