import ArgumentParser

/// `ocsp-responder completion bash|zsh|fish`: the shell completion script, on standard output.
///
/// ArgumentParser's own `--generate-completion-script` does the same but is hidden from every help
/// text; this is the documented spelling (`scripts/setup.sh` installs the three scripts with it).
struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            scripts/setup.sh installs all three. By hand:
              ocsp-responder completion bash > /usr/share/bash-completion/completions/ocsp-responder
              ocsp-responder completion zsh > /usr/local/share/zsh/site-functions/_ocsp-responder
              ocsp-responder completion fish > /usr/share/fish/vendor_completions.d/ocsp-responder.fish
            """
    )

    @Argument(help: ArgumentHelp("The shell: bash, zsh or fish.", valueName: "shell"))
    var shell: CompletionShell

    func run() {
        print(OCSPResponderCommand.completionScript(for: shell))
    }
}

extension CompletionShell: @retroactive ExpressibleByArgument {}
