import ArgumentParser
import OCSPVersion

/// `ocsp-responder version`, the same line as `--version`.
///
/// `ocsp-responder` answers both spellings itself, before its `respond` fast path; this subcommand is
/// what `ocsp-responder-commands` (and its help, man page and completions) knows of it.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version (the same as --version).",
        discussion: "Prints `ocsp-responder X.Y.Z`, followed by the `git describe` of the checkout in parentheses when built from one."
    )

    func run() {
        print(OCSPVersion.line)
    }
}
