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
