import OCSPFuzzing
import OCSPServerFuzzing
import Foundation
import Testing
import TestSupport

/// Every input kept in Tests/FuzzCorpus (the seeds, and whatever ever crashed or hung a fuzzer) goes
/// through the fuzzers' code again, and through single-byte truncations and flips of itself.
@Suite struct FuzzRegressionTests {
    static func corpus(_ target: String) throws -> [[UInt8]] {
        let directory = repositoryRoot.appendingPathComponent("Tests/FuzzCorpus/\(target)")
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }.map { Array(try Data(contentsOf: $0)) }
    }

    static func variants(_ input: [UInt8]) -> [[UInt8]] {
        var all = [input, []]
        for cut in stride(from: 0, to: input.count, by: max(1, input.count / 16)) { all.append(Array(input.prefix(cut))) }
        for index in stride(from: 0, to: input.count, by: max(1, input.count / 16)) {
            var flipped = input
            flipped[index] ^= 0xFF
            all.append(flipped)
        }
        return all
    }

    @Test func corpusReplaysThroughTheParser() throws {
        let inputs = try Self.corpus("FuzzRequestParser")
        #expect(!inputs.isEmpty)
        for input in inputs { for variant in Self.variants(input) { FuzzHarness.parseRequest(variant) } }
    }

    @Test func corpusReplaysThroughTheAnswerPath() throws {
        let inputs = try Self.corpus("FuzzRespond")
        #expect(!inputs.isEmpty)
        for input in inputs { for variant in Self.variants(input) { FuzzHarness.respond(variant) } }
    }

    /// Through `serve`'s connection handlers, with the harness's checks of what the client reads.
    @Test func corpusReplaysThroughServesHTTPHandling() throws {
        let inputs = try Self.corpus("FuzzHTTPServer")
        #expect(!inputs.isEmpty)
        for input in inputs { for variant in Self.variants(input) { HTTPFuzzHarness.serve(variant) } }
    }
}
