import Foundation
import OCSPLint
import Testing
import TestSupport

/// `inspect --lint` as an operator runs it, on responses others made: openssl's `ocsp -index` answers
/// and Python cryptography's (`scripts/peer-make.py`), good, with a too short validity, and tampered.
/// Exit status 0 clean, 1 warnings, 2 errors; the JSON report decodes as `LintReport`; locations point
/// into the file.
@Suite struct LintCommandTests {
    let pki = TestPKI.shared

    func lint(_ arguments: [String]) throws -> (status: Int32, report: LintReport, stdout: String) {
        let result = try ResponderBinary.run(["inspect", "--lint", "--json"] + arguments)
        let report: LintReport
        do {
            report = try JSONDecoder().decode(LintReport.self, from: result.stdout)
        } catch {
            throw TestFailure("not a lint report (exit \(result.status)): \(result.stdoutText)\(result.stderr)")
        }
        return (result.status, report, result.stdoutText)
    }

    /// openssl's answer to a request for good.pem, with a 16-octet nonce, by the CA or its delegate.
    func opensslAnswer(kind: TestPKI.Kind, signer: String, certs: Bool = true) throws -> (request: String, response: String) {
        let directory = try makeTemporaryDirectory("ocsp-lint")
        let request = directory.appendingPathComponent("req.der").path
        let response = directory.appendingPathComponent("resp.der").path
        let index = directory.appendingPathComponent("index.txt")
        try "V\t351231235959Z\t\t1001\tunknown\t/CN=x\n".write(to: index, atomically: true, encoding: .utf8)
        let made = try ResponderBinary.run(["request", "--issuer", pki.path(kind, "ca.pem"), "--cert", pki.path(kind, "good.pem"), "--out", request])
        guard made.status == 0 else { throw TestFailure("request failed: \(made.stderr)") }
        let answered = try run("openssl", [
            "ocsp", "-index", index.path, "-CA", pki.path(kind, "ca.pem"), "-rsigner", pki.path(kind, "\(signer).pem"),
            "-rkey", pki.path(kind, "\(signer).key"), "-reqin", request, "-respout", response, "-ndays", "2",
        ] + (certs ? [] : ["-resp_no_certs"]))
        guard answered.status == 0 else { throw TestFailure("openssl ocsp -index failed: \(answered.stderr)") }
        return (request, response)
    }

    @Test(arguments: ["ca", "responder"])
    func opensslAnswerHasNoErrors(signer: String) throws {
        let (request, response) = try opensslAnswer(kind: .p256, signer: signer)
        let result = try lint(["--issuer", pki.path(.p256, "ca.pem"), "--request", request, response])
        #expect(result.report.errors == 0, "\(result.stdout)")
        #expect(result.status == result.report.exitStatus)
        #expect(result.report.profile == "rfc6960")
        // openssl echoes the CertID and the nonce as asked: nothing for Cisco or Java either.
        let strict = try lint(["--profile", "all", "--issuer", pki.path(.p256, "ca.pem"), "--request", request, response])
        let rules = Set(strict.report.findings.map(\.rule))
        #expect(rules.isDisjoint(with: ["cisco-certid-echo", "java-nonce", "certid-missing", "signature", "responder-id", "delegate-eku"]),
                "\(strict.stdout)")
    }

    @Test func tamperedSignatureIsAnError() throws {
        let (request, response) = try opensslAnswer(kind: .rsa, signer: "ca", certs: false)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: response))
        // The signature's BIT STRING is last (no certs): flip its last octet.
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: response))
        let result = try lint(["--issuer", pki.path(.rsa, "ca.pem"), "--request", request, response])
        #expect(result.status == 2)
        let finding = try #require(result.report.findings.first { $0.rule == "signature" }, "\(result.stdout)")
        #expect(finding.level == .error)
        let location = try #require(finding.location)
        #expect(location.element == "signature")
        #expect(location.offset + location.length == bytes.count)
        #expect(bytes[location.offset] == 0x03)
    }

    @Test func shortValidityFailsTheBaselineRequirements() throws {
        let directory = try makeTemporaryDirectory("ocsp-lint")
        let response = directory.appendingPathComponent("short.der").path
        try Peers.make(["response", "--issuer", pki.path(.rsa, "ca.pem"), "--key", pki.path(.rsa, "ca.key"),
                        "--cert", pki.path(.rsa, "good.pem"), "--from", "-0.5", "--to", "1.5", "--out", response])
        let plain = try lint(["--issuer", pki.path(.rsa, "ca.pem"), response])
        #expect(plain.report.errors == 0, "\(plain.stdout)")
        let cabf = try lint(["--profile", "cabf", "--issuer", pki.path(.rsa, "ca.pem"), response])
        #expect(cabf.status == 2)
        #expect(cabf.report.findings.map(\.rule).contains("cabf-validity-min"), "\(cabf.stdout)")
        // Text: one line per finding and the summary; the same exit status.
        let text = try ResponderBinary.run(["inspect", "--lint", "--profile", "cabf", response])
        #expect(text.status == 2)
        #expect(text.stdoutText.contains("error: [cabf-validity-min]"))
        #expect(text.stdoutText.contains("Lint (cabf): 1 error"))
    }

    @Test func aRequestIsRefusedAndOptionsNeedLint() throws {
        let (request, _) = try opensslAnswer(kind: .rsa, signer: "ca")
        #expect(try ResponderBinary.run(["inspect", "--lint", request]).status == 64)
        #expect(try ResponderBinary.run(["inspect", "--profile", "cabf", request]).status == 64)
        #expect(try ResponderBinary.run(["inspect", "--lint", "--profile", "nonsense", request]).status == 64)
    }
}
