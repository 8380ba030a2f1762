import OCSPAdmin
import OCSPRespond
import ArgumentParser

struct Respond: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer one OCSP request: read DER from FILE, overwrite FILE with the DER response.",
        discussion: """
            The default command: `ocsp-responder FILE` is `ocsp-responder respond FILE`.
            With FILE `-` (or none), reads standard input and writes standard output.

            Exit status: 0 when a successful (signed) response was written; otherwise the OCSP
            status that was written: 1 malformedRequest, 2 internalError, 3 tryLater,
            6 unauthorized. Nothing written: 66 request unreadable, 74 response unwritable,
            78 config error, 75 timed out before the request was read, 128+N stopped by
            signal N before the request was read. A timeout or SIGTERM/SIGINT/SIGHUP after
            the request was read writes tryLater and exits 3.

            Examples:
              ocsp-responder respond /tmp/req.der
              ocsp-responder respond --config ./config.ini - < req.der > resp.der
              ocsp-responder respond req.der --out resp.der
            """
    )

    @OptionGroup var options: ConfigOptions

    @Argument(help: ArgumentHelp("The DER request, replaced by the response; - for stdin/stdout.", valueName: "file"))
    var file: String = "-"

    @Option(name: .long, help: ArgumentHelp("Write the response here instead of over FILE.", valueName: "path"))
    var out: String?

    @Flag(name: .long, help: "Say why it would answer as it would, instead of answering: nothing is signed or written (see explain).")
    var explain = false

    @Flag(name: .long, help: "With --explain, print one JSON object instead of text.")
    var json = false

    static let timeoutRange = RespondRun.Options.timeoutRange

    @Option(name: .long, help: ArgumentHelp(
        "Seconds the whole run may take before it answers tryLater (default: [ocsp] timeout, else 10).",
        valueName: "seconds"))
    var timeout: Int?

    func validate() throws {
        if let timeout, !Self.timeoutRange.contains(timeout) {
            throw ValidationError("--timeout must be from \(Self.timeoutRange.lowerBound) to \(Self.timeoutRange.upperBound) seconds.")
        }
        if explain, out != nil { throw ValidationError("--explain writes nothing: leave out --out.") }
        if json, !explain { throw ValidationError("--json goes with --explain.") }
    }

    func run() throws {
        if explain {
            let status = ExplainRun.run(.init(configPath: options.configPath, input: file, json: json, logLevel: options.logLevel))
            if status != 0 { throw ExitCode(status) }
            return
        }
        let status = RespondRun.run(.init(
            configPath: options.configPath, input: file, output: out, logLevel: options.logLevel, timeout: timeout
        ))
        if status != 0 { throw ExitCode(status) }
    }
}
