import OCSPAdmin
import OCSPClient
import OCSPCore
import OCSPRuntime
import OCSPWire
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct Resign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-sign every certificate's response ahead of time, for cron (into the cache, or --out).",
        discussion: """
            Walks the status table of every configured CA (or --ca NAME) row by row and writes a signed \
            response without nonce for each certificate into [ocsp] cache, where `respond` serves it. \
            Incremental: only responses that are missing, whose status differs from the table's, or whose \
            nextUpdate falls within --due-within (default: half of producetime) are signed; --all signs \
            everything. Files are replaced atomically; an interrupted run loses nothing and the next run \
            picks up where it stopped. The CA's own ocspresponse needs the offline root: resign only warns \
            when it is due.

            Exit status: 0 done; 1 some rows failed (logged, counted; the run went on); 64 bad arguments \
            or nothing to write to; 69 the database cannot be reached; 70 database error; 74 a file \
            could not be written; 78 config error or the wrong user (started as root, it runs as [ocsp] user).

            Examples:
              # cron, every hour: keep every response fresh
              0 * * * * pycert /usr/local/bin/ocsp-responder resign
              # SHA-1 and SHA-256 CertIDs, plus an export for a static web server or CDN
              ocsp-responder resign --hash sha1 --hash sha256 --out /srv/ocsp
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("CertID hash to sign for, repeatable: sha1 (default), sha256, sha384, sha512.", valueName: "hash"))
    var hash: [HashAlgorithm] = []

    @Option(name: .long, help: ArgumentHelp("Also write SERIAL.der files and index.txt here, for static serving.", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Re-sign what expires within this (12h, 1d, ...); default half of producetime.", valueName: "duration"))
    var dueWithin: DurationArgument?

    @Flag(name: .long, help: "Re-sign everything.")
    var all = false

    @Option(name: .long, help: ArgumentHelp("Signing workers (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(name: .long, help: ArgumentHelp("Only this CA: ocsp, or an [issuer NAME] section's NAME.", valueName: "name"))
    var ca: String?

    @Flag(name: .long, help: "Decide and count, but sign and write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be from 1 to 256") }
    }

    func run() throws {
        // Root's cron job becomes [ocsp] user here, before the log, the store or the cache is opened.
        // A cron job wants its summary and errors even without a log file: info on stderr by default.
        let start = try RunStart.begin(.init(configPath: options.configPath, logLevel: options.logLevel, standardErrorLogLevel: .info))
        let (config, logger) = (start.config, start.logger)
        var settings = Resigner.Options()
        if !hash.isEmpty { settings.hashes = hash.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        settings.outDirectory = out
        settings.dueWithin = dueWithin?.seconds
        settings.all = all
        if let jobs { settings.jobs = jobs }
        settings.caName = ca
        settings.dryRun = dryRun
        settings.progressBar = isatty(STDERR_FILENO) == 1 && !json
        let summary = try Resigner(config: config, options: settings, logger: logger).run()
        let seconds = (summary.seconds * 100).rounded() / 100
        if json {
            print(JSONValue.object([
                ("rows", .int(summary.rows)), ("signed", .int(summary.signed)), ("skipped", .int(summary.skipped)),
                ("failed", .int(summary.failed)), ("seconds", .double(seconds)), ("signed_per_second", .int(Int(summary.rate))),
                ("dry_run", .bool(dryRun)),
            ]).compactText)
        } else {
            let line = "rows=\(summary.rows) signed=\(summary.signed) skipped=\(summary.skipped) failed=\(summary.failed) seconds=\(seconds) rate=\(Int(summary.rate))/s\(dryRun ? " (dry run: nothing written)" : "")"
            print("resign: \(line)")
            if config.log.file != nil { logger.info("resign done \(line)") }
        }
        if summary.failed > 0 { throw ExitCode(ExitStatus.Resign.someRowsFailed) }
    }
}
