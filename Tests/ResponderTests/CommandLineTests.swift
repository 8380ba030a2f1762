import Foundation
import Testing
import TestSupport

/// The hand-parsed fast path for `respond` hands anything unusual to ArgumentParser.
@Suite struct CommandLineTests {
    @Test func helpComesFromArgumentParser() throws {
        let help = try ResponderBinary.run(["respond", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("Exit status"))
        let root = try ResponderBinary.run(["--help"])
        #expect(root.stdoutText.contains("respond"))
    }

    /// Issue 15: ArgumentParser writes an option's default itself, so a help text must not say it again;
    /// and an example cron line names the binary by its full path (cron's PATH has no /usr/local/bin).
    @Test(arguments: [["respond"], ["serve"], ["resign"], ["sign"], ["check"], ["request"], ["inspect"],
                      ["db"], ["db", "add"], ["db", "import"], ["db", "list"], ["db", "revoke"], ["db", "show"]])
    func helpSaysEachDefaultOnce(command: [String]) throws {
        let help = try ResponderBinary.run(command + ["--help"])
        #expect(help.status == 0)
        let text = help.stdoutText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.range(of: #"\(default [^)]*\)\.? \(default:"#, options: .regularExpression) == nil, "\(help.stdoutText)")
        for line in help.stdoutText.split(separator: "\n") where line.contains("* * * *") {
            #expect(line.contains(" /"), "a cron line without a full path: \(line)")
        }
    }

    @Test(arguments: [["respond", "--bogus", "x"], ["respond", "--log-level", "loud", "f"], ["respond", "a", "b"],
                      ["serve", "--event-loops", "0"], ["serve", "--workers", "0"]])
    func badArgumentsAreUsageErrors(arguments: [String]) throws {
        let result = try ResponderBinary.run(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func configFromEnvironmentVariable() throws {
        let directory = try makeTemporaryDirectory()
        let config = directory.appendingPathComponent("env.ini")
        try "[db]\ndb = x\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try run(ResponderBinary.path, ["respond", "-"], stdin: Data(), environment: ["OCSP_RESPONDER_CONFIG": config.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains(config.path))
    }
}
