import OCSPAdmin
import ArgumentParser

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say why respond would answer a request as it would, without answering it.",
        discussion: """
            For each CertID: its hash algorithm, whether its issuerNameHash and issuerKeyHash are \
            those of each configured CA (ours and the request's values when not), every spelling of \
            the serial looked up, the rows found, the not_found policy applied, the cache entry and \
            whether it is due for revalidation, and the answer; then the response status and the \
            nonce. The decision is the responder's own, made without signing: nothing is signed, no \
            response file is written, the cache is only read, and no log file is opened. It runs \
            under the same rules as respond (the config's [ocsp] user; under sudo the service's own \
            config and the caller's own request file).

            Exit status: what respond would exit with for this request (0 a signed answer; 1, 2, 3, 6 \
            the OCSP error status); 66 the request cannot be read; 78 config error.

            Examples:
              ocsp-responder explain /tmp/req.der
              ocsp-responder explain --json --config ./config.ini - < req.der
              ocsp-responder respond --explain req.der
            """
    )

    @OptionGroup var options: ConfigOptions

    @Argument(help: ArgumentHelp("The request, DER or PEM; - for standard input.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let status = ExplainRun.run(.init(configPath: options.configPath, input: file, json: json, logLevel: options.logLevel))
        if status != 0 { throw ExitCode(status) }
    }
}
