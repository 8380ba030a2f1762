import Foundation
import Testing
import TestSupport

/// Issue 18: a man page for every command (man/, made by scripts/man.sh from the ArgumentParser
/// definitions) and the shell completions (`ocsp-responder completion SHELL`).
@Suite struct ManualTests {
    static let manDirectory = repositoryRoot.appendingPathComponent("man")
    static let commands = URL(fileURLWithPath: ResponderBinary.path).deletingLastPathComponent().appendingPathComponent("ocsp-responder-commands").path

    /// One command of `--experimental-dump-help`: its words after `ocsp-responder`, its long option
    /// names as shown in help, and its subcommands' names.
    struct Command {
        var path: [String]
        var options: [String]
        var subcommands: [String]
        var abstract: String
        var page: String { (["ocsp-responder"] + path).joined(separator: ".") + ".1" }
    }

    static func commandTree() throws -> [Command] {
        let dump = try run(commands, ["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.stderr)")
        let root = try #require((try JSONSerialization.jsonObject(with: dump.stdout) as? [String: Any])?["command"] as? [String: Any])
        var found: [Command] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let arguments = command["arguments"] as? [[String: Any]] ?? []
            let options = arguments.filter { $0["shouldDisplay"] as? Bool ?? false }.compactMap { argument -> String? in
                let names = argument["names"] as? [[String: Any]] ?? []
                return names.first { $0["kind"] as? String == "long" }?["name"] as? String
            }
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            found.append(Command(path: path, options: options, subcommands: subcommands.compactMap { $0["commandName"] as? String },
                                 abstract: command["abstract"] as? String ?? ""))
            for subcommand in subcommands {
                if let name = subcommand["commandName"] as? String { walk(subcommand, path + [name]) }
            }
        }
        walk(root, [])
        return found
    }

    /// Every command has its page, naming every option it shows in help and every subcommand: a page
    /// that lags behind the code fails here, with the command that regenerates them.
    @Test func everyCommandHasACurrentPage() throws {
        let tree = try Self.commandTree()
        #expect(tree.count > 15, "\(tree.map(\.path))")
        let stale = "out of date: run scripts/man.sh and commit man/"
        for command in tree {
            let file = Self.manDirectory.appendingPathComponent(command.page)
            guard let page = try? String(contentsOf: file, encoding: .utf8) else {
                Issue.record("no man/\(command.page) for `ocsp-responder \(command.path.joined(separator: " "))`: \(stale)")
                continue
            }
            let name = (["ocsp-responder"] + command.path).joined(separator: " ")
            #expect(page.contains(".Nm \"\(name)\"\n") || page.contains(".Nm \(name)\n"), "\(command.page) does not say it is \(name): \(stale)")
            // The one-line description, as the page's NAME line gives it (text mdoc would escape is left out).
            if !command.abstract.isEmpty, !command.abstract.contains("\\"), !command.abstract.contains("\"") {
                #expect(page.contains(".Nd \"\(command.abstract)\""), "\(command.page): its abstract changed: \(stale)")
            }
            for option in command.options {
                #expect(page.contains("Fl -\(option)"), "\(command.page) lacks --\(option): \(stale)")
            }
            for subcommand in command.subcommands {
                let reference = (["ocsp-responder"] + command.path + [subcommand]).joined(separator: ".")
                #expect(page.contains(".Xr \(reference) 1"), "\(command.page) does not name \(subcommand): \(stale)")
            }
        }
        // And no page for a command that is gone.
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory.path).filter { $0.hasSuffix(".1") }
        #expect(Set(pages) == Set(tree.map(\.page)), "\(stale)")
    }

    /// mandoc's linter finds no error in any page, and each renders (as `man -l` shows it) with its name.
    @Test func pagesRenderWithoutErrors() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.manDirectory.path).filter { $0.hasSuffix(".1") }
        try #require(!pages.isEmpty)
        for page in pages.sorted() {
            let path = Self.manDirectory.appendingPathComponent(page).path
            let lint = try run("mandoc", ["-T", "lint", "-W", "error", path])
            #expect(lint.status == 0 && lint.stderr.isEmpty, "\(page): \(lint.stdoutText)\(lint.stderr)")
            // Bold and underline are overstruck (c, backspace, c): read the text without them.
            let rendered = try run("mandoc", ["-T", "utf8", path])
            let text = rendered.stdoutText.replacingOccurrences(of: ".\u{08}", with: "", options: .regularExpression)
            let words = page.dropLast(2).replacingOccurrences(of: ".", with: " ")
            #expect(rendered.status == 0 && text.contains("NAME") && text.contains(words), "\(page): \(text.prefix(300))")
            // groff, which `man` on Debian uses: no error lines.
            let groff = try run("groff", ["-mandoc", "-Tutf8", "-z", path])
            #expect(groff.status == 0 && !groff.stderr.contains("error"), "\(page): \(groff.stderr)")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsAreGenerated(shell: String) throws {
        let script = try ResponderBinary.run(["completion", shell])
        #expect(script.status == 0, "\(script.stderr)")
        for command in ["respond", "serve", "resign", "db", "version", "completion"] {
            #expect(script.stdoutText.contains(command), "\(shell) completion lacks \(command)")
        }
        // The same script as ArgumentParser's hidden flag makes.
        let hidden = try ResponderBinary.run(["--generate-completion-script", shell])
        #expect(hidden.stdout == script.stdout)
        // Syntax, where the shell is installed (bash always is; zsh and fish only checked when present).
        let file = try makeTemporaryDirectory("ocsp-completion").appendingPathComponent("ocsp-responder.\(shell)")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try script.stdout.write(to: file)
        let checker: [String]? = switch shell {
        case "bash": ["bash", "-n"]
        case "zsh": FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") ? ["zsh", "-n"] : nil
        default: FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") ? ["fish", "--no-execute"] : nil
        }
        if let checker {
            let syntax = try run(checker[0], Array(checker.dropFirst()) + [file.path])
            #expect(syntax.status == 0, "\(shell): \(syntax.stderr)")
        }
    }

    /// The bash script completes, as bash would call it on TAB: a subcommand from its prefix, an option of serve.
    @Test func bashCompletesSubcommandsAndOptions() throws {
        let script = try ResponderBinary.run(["completion", "bash"])
        let directory = try makeTemporaryDirectory("ocsp-completion")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ocsp-responder.bash")
        try script.stdout.write(to: file)
        let driver = """
            shopt -s extglob
            source "$1"
            function=$(complete -p ocsp-responder | sed -E 's/.*-F ([^ ]+).*/\\1/')
            complete_line() {
                COMP_LINE=$1; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<<"$COMP_LINE"; COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMPREPLY=()
                "$function" ocsp-responder "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
            }
            echo "== se"; complete_line "ocsp-responder se"
            echo "== serve --li"; complete_line "ocsp-responder serve --li"
            echo "== db "; complete_line "ocsp-responder db re"
            """
        let result = try run("bash", ["-c", driver, "driver", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let sections = result.stdoutText.components(separatedBy: "== ").dropFirst().map { $0.split(separator: "\n").map(String.init) }
        try #require(sections.count == 3, "\(result.stdoutText)")
        #expect(sections[0].dropFirst() == ["serve"], "\(sections[0])")
        #expect(sections[1].dropFirst().contains("--listen"), "\(sections[1])")
        #expect(Set(sections[2].dropFirst()) == ["revoke"], "\(sections[2])")
    }
}
