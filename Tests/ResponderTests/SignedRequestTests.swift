import Foundation
import Testing
import TestSupport

/// Issue 21: signed requests (RFC 6960 §4.1.2, §4.2.1), made by `openssl ocsp -signer` and by Python
/// (`peer-make.py signed-request`): checked whatever the setting, required with
/// `require_signed_requests = yes`. Every successful answer is verified by both peers; every refusal's
/// status is read back by openssl.
@Suite struct SignedRequestTests {
    /// A request for good.pem (0x1001, Valid) of the RSA CA, signed by `signer` with `key` by openssl.
    func opensslSigned(_ scenario: Scenario, signer: String, key: String) throws -> URL {
        let url = scenario.directory.appendingPathComponent("signed-\(UUID().uuidString.prefix(6)).der")
        let made = try run("openssl", ["ocsp", "-issuer", scenario.pki.path(.rsa, "ca.pem"), "-cert", scenario.pki.path(.rsa, "good.pem"),
                                       "-signer", signer, "-signkey", key, "-no_nonce", "-reqout", url.path])
        guard made.status == 0 else { throw TestFailure("openssl ocsp -signer failed: \(made.stderr)") }
        return url
    }

    /// The same request signed by Python; `extra`: `--no-certs`, `--corrupt`.
    func pythonSigned(_ scenario: Scenario, signer: String, key: String, _ extra: [String] = []) throws -> URL {
        let url = scenario.directory.appendingPathComponent("signed-\(UUID().uuidString.prefix(6)).der")
        try Peers.make(["signed-request", "--issuer", scenario.pki.path(.rsa, "ca.pem"), "--cert", scenario.pki.path(.rsa, "good.pem"),
                        "--signer", signer, "--signer-key", key, "--out", url.path] + extra)
        return url
    }

    /// A good answer for 0x1001, verified by both peers.
    /// `respond` with its log line on stderr (info).
    func respond(_ scenario: Scenario, _ request: URL) throws -> (ProcessResult, Data) {
        let result = try ResponderBinary.run(["respond", "--config", scenario.configPath, "--log-level", "info", request.path])
        return (result, try Data(contentsOf: request))
    }

    func expectGood(_ scenario: Scenario, _ request: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let (result, response) = try respond(scenario, request)
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        let singles = try scenario.verify(response)
        #expect(singles.map(\.certStatus) == ["GOOD"], sourceLocation: sourceLocation)
        return result
    }

    /// A refusal with `status` (`sigrequired (5)`, `unauthorized (6)`), as openssl reads it.
    func expectRefused(_ scenario: Scenario, _ request: URL, _ status: Int32, _ name: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let (result, _) = try respond(scenario, request)
        #expect(result.status == status, "\(result.stderr)", sourceLocation: sourceLocation)
        let text = try run("openssl", ["ocsp", "-respin", request.path, "-resp_text", "-noverify"])
        #expect(text.stdoutText.contains("Responder Error: \(name) (\(status))"), "\(text.stdoutText)\(text.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Without the setting, signed requests are answered, and a bad signature is said in the log line.
    @Test func signaturesAreCheckedWhateverTheSetting() throws {
        let scenario = try Scenario(.rsa)
        try scenario.insert("0x1001")
        let pki = scenario.pki
        let plain = try expectGood(scenario, try opensslSigned(scenario, signer: pki.path(.rsa, "good.pem"), key: pki.path(.rsa, "leaf.key")))
        #expect(plain.stderr.contains("request_signature=signed by CN=") && plain.stderr.contains("not a trusted requestor"), "\(plain.stderr)")
        let corrupt = try expectGood(scenario, try pythonSigned(scenario, signer: pki.path(.rsa, "good.pem"), key: pki.path(.rsa, "leaf.key"), ["--corrupt"]))
        #expect(corrupt.stderr.contains("request_signature=bad request signature: the signature does not verify"), "\(corrupt.stderr)")
        _ = try expectGood(scenario, try scenario.opensslRequest(["good.pem"]))
    }

    /// With `require_signed_requests = yes`: unsigned → sigRequired; signed by a requestor the file names,
    /// or one its CA issued → answered; another signer, a bad signature → unauthorized.
    @Test func signedRequestsRequired() throws {
        var scenario = try Scenario(.rsa)
        try scenario.insert("0x1001")
        let pki = scenario.pki
        // The RSA CA (its leaves are trusted) and the p256 CA's good.pem itself (its key signs without certs).
        let trusted = scenario.directory.appendingPathComponent("requestors.pem")
        try (try Data(contentsOf: URL(fileURLWithPath: pki.path(.rsa, "ca.pem"))) + Data(contentsOf: URL(fileURLWithPath: pki.path(.p256, "good.pem"))))
            .write(to: trusted)
        try scenario.appendToOCSPSection("require_signed_requests = yes\ntrusted_requestors = \(trusted.path)")

        let unsigned = try expectRefused(scenario, try scenario.opensslRequest(["good.pem"]), 5, "sigrequired")
        #expect(unsigned.stderr.contains("the request is not signed"), "\(unsigned.stderr)")
        let byOpenSSL = try expectGood(scenario, try opensslSigned(scenario, signer: pki.path(.rsa, "good.pem"), key: pki.path(.rsa, "leaf.key")))
        #expect(byOpenSSL.stderr.contains("signed by trusted requestor CN="), "\(byOpenSSL.stderr)")
        _ = try expectGood(scenario, try pythonSigned(scenario, signer: pki.path(.rsa, "revoked.pem"), key: pki.path(.rsa, "leaf.key")))
        _ = try expectGood(scenario, try pythonSigned(scenario, signer: pki.path(.p256, "good.pem"), key: pki.path(.p256, "leaf.key"), ["--no-certs"]))

        let foreign = try expectRefused(scenario, try opensslSigned(scenario, signer: pki.path("foreign/leaf.pem"), key: pki.path("foreign/leaf.key")), 6, "unauthorized")
        #expect(foreign.stderr.contains("not a trusted requestor"), "\(foreign.stderr)")
        let corrupt = try expectRefused(scenario, try pythonSigned(scenario, signer: pki.path(.rsa, "good.pem"), key: pki.path(.rsa, "leaf.key"), ["--corrupt"]), 6, "unauthorized")
        #expect(corrupt.stderr.contains("bad request signature"), "\(corrupt.stderr)")
        // Signed by an untrusted key, no certificate carried: nothing verifies it.
        _ = try expectRefused(scenario, try pythonSigned(scenario, signer: pki.path("foreign/leaf.pem"), key: pki.path("foreign/leaf.key"), ["--no-certs"]), 6, "unauthorized")
    }

    /// `yes` without `trusted_requestors`, or a file without certificates: a config error naming the key.
    @Test func configErrorsNameTheKey() throws {
        for (lines, key) in [("require_signed_requests = yes", "require_signed_requests"),
                             ("require_signed_requests = maybe", "require_signed_requests"),
                             ("trusted_requestors = /nonexistent/requestors.pem", "trusted_requestors")] {
            var scenario = try Scenario(.rsa)
            try scenario.appendToOCSPSection(lines)
            let (result, _, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
            #expect(result.status == 78 && result.stderr.contains(key) && result.stderr.contains("config.ini"), "\(lines): \(result.status) \(result.stderr)")
        }
    }
}
