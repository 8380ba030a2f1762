import Foundation
import Testing
import TestSupport

/// Issue 18: `--version` and `version` print `ocsp-responder X.Y.Z[ (git describe)]`, from one place,
/// in both programs; the git description comes from `Plugins/GitDescription/git-description.sh`.
@Suite struct VersionTests {
    static let commands = URL(fileURLWithPath: ResponderBinary.path).deletingLastPathComponent().appendingPathComponent("ocsp-responder-commands").path

    /// What the build should have said: the number, and `git describe` of this checkout when there is one.
    static func expectedPattern() -> String {
        #"^ocsp-responder [0-9]+\.[0-9]+\.[0-9]+( \([A-Za-z0-9._+/-]+\))?\n$"#
    }

    @Test(arguments: [["--version"], ["version"]])
    func bothProgramsPrintTheSameLine(arguments: [String]) throws {
        let fast = try ResponderBinary.run(arguments)
        #expect(fast.status == 0, "\(fast.stderr)")
        #expect(fast.stderr.isEmpty, "\(fast.stderr)")
        #expect(fast.stdoutText.range(of: Self.expectedPattern(), options: .regularExpression) != nil, "\(fast.stdoutText)")
        for spelling in [["--version"], ["version"]] {
            let parsed = try run(Self.commands, spelling)
            #expect(parsed.status == 0, "\(parsed.stderr)")
            #expect(parsed.stdoutText == fast.stdoutText, "\(spelling): \(parsed.stdoutText) vs \(fast.stdoutText)")
        }
    }

    /// The binary under test was built from this checkout (scripts/test.sh builds it here), so its
    /// description is this checkout's commit; `--dirty` may or may not be there, depending on the tree.
    @Test func descriptionNamesThisCheckout() throws {
        guard FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(".git").path) else { return }
        let head = try run("git", ["-C", repositoryRoot.path, "describe", "--tags", "--always"])
        try #require(head.status == 0, "\(head.stderr)")
        let description = head.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let line = try ResponderBinary.run(["--version"]).stdoutText
        #expect(line.hasPrefix("ocsp-responder ") && line.contains(" (\(description)"), "\(line) does not name \(description)")
    }

    /// Under sudo a bare word is a request file, but `version` is the command (the issue: it was read as a file).
    @Test(.enabled(if: TestAccounts.caller != nil, "needs the test accounts from scripts/test.sh"))
    func versionThroughSudoIsTheCommand() throws {
        let result = try runThroughSudo(["version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.hasPrefix("ocsp-responder "), "\(result.stdoutText)")
    }

    /// The build-time script: a tagged repository, a tarball (no .git), no git on PATH, and an unchanged
    /// tree that leaves the file (and so the build) alone.
    @Test func gitDescriptionScript() throws {
        let script = repositoryRoot.appendingPathComponent("Plugins/GitDescription/git-description.sh").path
        let directory = try makeTemporaryDirectory("ocsp-version")
        defer { try? FileManager.default.removeItem(at: directory) }
        func generated(_ name: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent("\(name)/GitDescription.swift"), encoding: .utf8)
        }

        let repository = directory.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let git = ["-C", repository.path, "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        try #require(try run("git", ["init", "-q", repository.path]).status == 0)
        try "x\n".write(to: repository.appendingPathComponent("f"), atomically: true, encoding: .utf8)
        try #require(try run("git", git + ["add", "f"]).status == 0)
        try #require(try run("git", git + ["commit", "-q", "-m", "one"]).status == 0)
        try #require(try run("git", git + ["tag", "v9.8.7"]).status == 0)
        #expect(try run("/bin/sh", [script, directory.appendingPathComponent("tagged").path, repository.path]).status == 0)
        let taggedText = try generated("tagged")
        #expect(taggedText.contains(#"let generatedGitDescription: String? = "v9.8.7""#), "\(taggedText)")

        try "y\n".write(to: repository.appendingPathComponent("f"), atomically: true, encoding: .utf8)
        #expect(try run("/bin/sh", [script, directory.appendingPathComponent("tagged").path, repository.path]).status == 0)
        let dirtyText = try generated("tagged")
        #expect(dirtyText.contains(#"= "v9.8.7-dirty""#), "\(dirtyText)")

        // Unchanged: the same file, not rewritten (its inode and mtime stay).
        let file = directory.appendingPathComponent("tagged/GitDescription.swift").path
        let before = try FileManager.default.attributesOfItem(atPath: file)
        usleep(20_000)
        #expect(try run("/bin/sh", [script, directory.appendingPathComponent("tagged").path, repository.path]).status == 0)
        let after = try FileManager.default.attributesOfItem(atPath: file)
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)

        // A tarball: no .git, though it sits inside a repository (the outer one must not be described).
        let tarball = repository.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: tarball, withIntermediateDirectories: true)
        #expect(try run("/bin/sh", [script, directory.appendingPathComponent("tarball").path, tarball.path]).status == 0)
        let tarballText = try generated("tarball")
        #expect(tarballText.contains("let generatedGitDescription: String? = nil"), "\(tarballText)")

        // No git on PATH: every other tool the script uses, and not git.
        let tools = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        for tool in ["mkdir", "cat", "head", "tr", "mv"] {
            let found = try run("/bin/sh", ["-c", "command -v \(tool)"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            try FileManager.default.createSymbolicLink(atPath: tools.appendingPathComponent(tool).path, withDestinationPath: found)
        }
        let noGit = try run("/bin/sh", [script, directory.appendingPathComponent("nogit").path, repository.path], environment: ["PATH": tools.path])
        #expect(noGit.status == 0, "\(noGit.stderr)")
        let nogitText = try generated("nogit")
        #expect(nogitText.contains("= nil"), "\(nogitText)")
    }
}
