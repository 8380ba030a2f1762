import Foundation
import Testing
import TestSupport

/// `ocsp-responder sign`: offline responses, above all the intermediate's signed with the root's key.
/// Every response is verified by openssl (`-respin -issuer … -cert …`, "Response verify OK" and the
/// status line) and by Python cryptography (scripts/peer-verify.py). No database is needed.
@Suite struct SignCommandTests {
    let pki = TestPKI.shared

    /// A sign run writing into a fresh directory.
    struct Run {
        let result: ProcessResult
        let output: URL
        var response: Data { (try? Data(contentsOf: output)) ?? Data() }
    }

    func sign(_ arguments: [String], output name: String = "resp.der") throws -> Run {
        let output = try makeTemporaryDirectory("ocsp-sign").appendingPathComponent(name)
        let result = try ResponderBinary.run(["sign"] + arguments + ["--out", output.path])
        return Run(result: result, output: output)
    }

    /// openssl's own look-up of one certificate (`-cert`) or serial (`-serial`) in the response,
    /// with the CertID hash given: verifies the response and returns openssl's output.
    func opensslStatus(_ response: URL, issuer: String, chain: String, hash: String, certificate: String? = nil, serial: String? = nil) throws -> String {
        var arguments = ["ocsp", "-respin", response.path, "-issuer", issuer, "-CAfile", chain, "-verify_other", chain,
                         "-no_nonce", "-resp_text", "-\(hash)"]
        if let certificate { arguments += ["-cert", certificate] }
        if let serial { arguments += ["-serial", serial] }
        let result = try run("openssl", arguments)
        let output = result.stdoutText + result.stderr
        guard result.status == 0, output.contains("Response verify OK") else {
            throw TestFailure("openssl ocsp did not verify the response (exit \(result.status)):\n\(output)")
        }
        return output
    }

    /// Python cryptography's verdict (with openssl's plain verification) and the one SingleResponse.
    func pythonSingle(_ response: Data, issuer: String, chain: String) throws -> (json: PeerReport, single: PeerReport.Single) {
        let json = try Peers.verifySuccessful(response: response, issuer: issuer, chain: chain)
        let singles = json.responses
        guard singles.count == 1 else { throw TestFailure("expected one SingleResponse: \(json)") }
        return (json, singles[0])
    }

    func serialHex(_ certificate: String) throws -> String {
        let result = try run("openssl", ["x509", "-in", certificate, "-noout", "-serial"])
        let text = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return String(text.dropFirst("serial=".count)).lowercased()
    }

    func seconds(_ iso: String?) -> TimeInterval? {
        iso.flatMap { ISO8601DateFormatter().date(from: $0)?.timeIntervalSince1970 }
    }

    // MARK: the intermediate's response, from the root's key

    @Test(arguments: [("sha1", TestPKI.Kind.rsa), ("sha256", .p256), ("sha512", .ed25519)])
    func intermediateIsGoodSignedByTheRoot(hash: String, kind: TestPKI.Kind) throws {
        let intermediate = pki.path(kind, "ca.pem")
        let signed = try sign(["--issuer", pki.root, "--key", pki.path("root.key"), "--cert", intermediate,
                               "--status", "good", "--valid", "30d", "--hash", hash])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")
        #expect(signed.result.stderr.contains("good"))

        let openssl = try opensslStatus(signed.output, issuer: pki.root, chain: pki.root, hash: hash, certificate: intermediate)
        #expect(openssl.contains("\(intermediate): good"))
        #expect(openssl.contains("Serial Number: \(try serialHex(intermediate).uppercased())"))

        let (json, single) = try pythonSingle(signed.response, issuer: pki.root, chain: pki.root)
        #expect(json.signer == "issuer")
        #expect(json.certificatesCount == 0)
        #expect(single.certStatus == "GOOD")
        #expect(single.serialHex == (try serialHex(intermediate)))
        #expect(single.hashAlgorithm == hash)
        #expect(single.issuerHashesMatch == true)
        #expect(json.producedAt == single.thisUpdate)
        let thisUpdate = try #require(seconds(single.thisUpdate))
        #expect(seconds(single.nextUpdate) == thisUpdate + 30 * 86_400)
        #expect(abs(thisUpdate - Date().timeIntervalSince1970) < 120)
    }

    /// Issue 15, item 7: `--hash` repeated signs one SingleResponse per hash in one response, so that the
    /// file answers a client whichever hash its CertID uses; openssl finds the certificate with each.
    @Test func repeatedHashSignsOneSingleResponsePerHash() throws {
        let intermediate = pki.path(.rsa, "ca.pem")
        let signed = try sign(["--issuer", pki.root, "--key", pki.path("root.key"), "--cert", intermediate,
                               "--status", "good", "--valid", "30d", "--hash", "sha1", "--hash", "sha256"])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")
        let json = try Peers.verifySuccessful(response: signed.response, issuer: pki.root, chain: pki.root)
        let singles = json.responses
        #expect(singles.map { $0.hashAlgorithm } == ["sha1", "sha256"])
        #expect(singles.allSatisfy { $0.certStatus == "GOOD" && $0.issuerHashesMatch == true })
        for hash in ["sha1", "sha256"] {
            let openssl = try opensslStatus(signed.output, issuer: pki.root, chain: pki.root, hash: hash, certificate: intermediate)
            #expect(openssl.contains("\(intermediate): good"), "\(openssl)")
        }
    }

    /// Issue 15, items 5–6 for `sign`: a root outside its validity signs nothing (78), and nextUpdate never
    /// passes its notAfter (said on stderr).
    @Test func signRefusesAnExpiredSignerAndCapsNextUpdate() throws {
        let directory = try makeTemporaryDirectory("ocsp-sign-period")
        for (days, expected) in [((-10.0, -1.0), Int32(78)), ((-1.0, 0.5), 0)] {
            let cert = directory.appendingPathComponent("ca\(days.1).pem").path
            let key = directory.appendingPathComponent("ca\(days.1).key").path
            try Peers.make(["cert", "--days-from", "\(days.0)", "--days-to", "\(days.1)", "--out-cert", cert, "--out-key", key])
            let signed = try sign(["--issuer", cert, "--key", key, "--serial", "1001", "--status", "good", "--valid", "30d"])
            #expect(signed.result.status == expected, "\(signed.result.stderr)")
            if expected == 78 {
                #expect(signed.result.stderr.contains("expired at"), "\(signed.result.stderr)")
                continue
            }
            #expect(signed.result.stderr.contains("nextUpdate capped"), "\(signed.result.stderr)")
            let (_, single) = try pythonSingle(signed.response, issuer: cert, chain: cert)
            let notAfter = try #require(seconds(single.nextUpdate))
            #expect(notAfter < Date().timeIntervalSince1970 + 86_400)
            _ = try opensslStatus(signed.output, issuer: cert, chain: cert, hash: "sha1", serial: "0x1001")
        }
    }

    @Test(arguments: [("keyCompromise", "key_compromise", "keyCompromise"), ("ca_compromise", "ca_compromise", "cACompromise")])
    func intermediateIsRevokedWithAReason(reason: String, pythonName: String, opensslName: String) throws {
        let intermediate = pki.path(.p384, "ca.pem")
        let signed = try sign(["--issuer", pki.root, "--key", pki.path("root.key"), "--cert", intermediate,
                               "--status", "revoked", "--revoked-at", "2026-01-02 03:04:05", "--reason", reason,
                               "--valid", "7d", "--hash", "sha256"])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")

        let openssl = try opensslStatus(signed.output, issuer: pki.root, chain: pki.root, hash: "sha256", certificate: intermediate)
        #expect(openssl.contains("\(intermediate): revoked"))
        #expect(openssl.contains("Reason: \(opensslName)"))
        #expect(openssl.contains("Revocation Time: Jan  2 03:04:05 2026 GMT"))

        let (_, single) = try pythonSingle(signed.response, issuer: pki.root, chain: pki.root)
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == pythonName)
        #expect(single.revocationTime == "2026-01-02T03:04:05Z")
        #expect(single.hashAlgorithm == "sha256")
        #expect(single.issuerHashesMatch == true)
    }

    /// By serial (any case, 0x optional), revoked now without a reason.
    @Test(arguments: ["0X9A4E31C2D5B6A7F8", "9a4e31c2d5b6a7f8"])
    func revokedBySerialAtNow(serial: String) throws {
        let issuer = pki.path(.rsa, "ca.pem")
        let signed = try sign(["--issuer", issuer, "--key", pki.path(.rsa, "ca.key"), "--serial", serial,
                               "--status", "revoked", "--valid", "12h"])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")

        let openssl = try opensslStatus(signed.output, issuer: issuer, chain: pki.path(.rsa, "chain.pem"), hash: "sha1",
                                        certificate: pki.path(.rsa, "topbit.pem"))
        #expect(openssl.contains("topbit.pem: revoked"))
        #expect(!openssl.contains("Reason:"))

        let (_, single) = try pythonSingle(signed.response, issuer: issuer, chain: pki.path(.rsa, "chain.pem"))
        #expect(single.serialHex == "9a4e31c2d5b6a7f8")
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == nil)
        let revoked = try #require(seconds(single.revocationTime))
        #expect(abs(revoked - Date().timeIntervalSince1970) < 120)
        #expect(seconds(single.nextUpdate) == (try #require(seconds(single.thisUpdate))) + 12 * 3600)
    }

    /// A delegated responder of each key type signs for its CA; its certificate travels in `certs`.
    @Test(arguments: TestPKI.Kind.allCases)
    func delegatedSigner(kind: TestPKI.Kind) throws {
        let issuer = pki.path(kind, "ca.pem")
        let signed = try sign(["--issuer", issuer, "--key", pki.path(kind, "responder.key"),
                               "--signer", pki.path(kind, "responder.pem"), "--cert", pki.path(kind, "good.pem"),
                               "--status", "good", "--valid", "1d", "--hash", "sha256"])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")

        let openssl = try opensslStatus(signed.output, issuer: issuer, chain: pki.path(kind, "chain.pem"), hash: "sha256",
                                        certificate: pki.path(kind, "good.pem"))
        #expect(openssl.contains("good.pem: good"))

        let (json, single) = try pythonSingle(signed.response, issuer: issuer, chain: pki.path(kind, "chain.pem"))
        #expect(json.signer == "delegate")
        #expect(json.delegateValid == true)
        #expect(json.certificatesCount == 1)
        #expect(single.serialHex == "1001")
        #expect(single.certStatus == "GOOD")
    }

    /// `--out -` with `--pem`: base64 DER on stdout, nothing else there.
    @Test func unknownAsPEMOnStandardOutput() throws {
        let issuer = pki.path(.p256, "ca.pem")
        let result = try ResponderBinary.run([
            "sign", "--issuer", issuer, "--key", pki.path(.p256, "ca.key"), "--serial", "7777",
            "--status", "unknown", "--valid", "1y", "--out", "-", "--pem",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "-----BEGIN OCSP RESPONSE-----")
        #expect(lines.last == "-----END OCSP RESPONSE-----")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.count <= 64 })
        let der = try #require(Data(base64Encoded: lines.dropFirst().dropLast().joined()))

        let file = try makeTemporaryDirectory("ocsp-sign").appendingPathComponent("resp.der")
        try der.write(to: file)
        let openssl = try opensslStatus(file, issuer: issuer, chain: pki.path(.p256, "chain.pem"), hash: "sha1", serial: "0x7777")
        #expect(openssl.contains(": unknown"))
        let (_, single) = try pythonSingle(der, issuer: issuer, chain: pki.path(.p256, "chain.pem"))
        #expect(single.certStatus == "UNKNOWN")
        #expect(single.serialHex == "7777")
    }

    /// An encrypted key: its passphrase from --password-file; a wrong one is refused without being shown.
    @Test func encryptedKeyWithPasswordFile() throws {
        let directory = try makeTemporaryDirectory("ocsp-sign")
        let issuer = pki.path(.rsa, "ca.pem")
        let arguments = ["--issuer", issuer, "--key", pki.path(.rsa, "ca-enc.key"), "--cert", pki.path(.rsa, "revoked.pem"),
                         "--status", "revoked", "--reason", "superseded", "--valid", "1d"]

        let right = directory.appendingPathComponent("right.pass")
        try "secret-pass\n".write(to: right, atomically: true, encoding: .utf8)
        let signed = try sign(arguments + ["--password-file", right.path])
        #expect(signed.result.status == 0, "\(signed.result.stderr)")
        let (_, single) = try pythonSingle(signed.response, issuer: issuer, chain: pki.path(.rsa, "chain.pem"))
        #expect(single.revocationReason == "superseded")

        let wrong = directory.appendingPathComponent("wrong.pass")
        try "Zq9-not-it\n".write(to: wrong, atomically: true, encoding: .utf8)
        let refused = try sign(arguments + ["--password-file", wrong.path])
        #expect(refused.result.status == 78)
        #expect(refused.result.stderr.contains("wrong password"))
        #expect(!refused.result.stderr.contains("Zq9-not-it"))
        #expect(!FileManager.default.fileExists(atPath: refused.output.path))

        let missing = try sign(arguments)
        #expect(missing.result.status == 78)
        #expect(missing.result.stderr.contains("--password-file"))
    }

    // MARK: refusals

    @Test func groupReadableKeyIsRefused() throws {
        let directory = try makeTemporaryDirectory("ocsp-sign")
        let key = directory.appendingPathComponent("root.key")
        try FileManager.default.copyItem(atPath: pki.path("root.key"), toPath: key.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: key.path)
        let refused = try sign(["--issuer", pki.root, "--key", key.path, "--cert", pki.path(.rsa, "ca.pem"),
                                "--status", "good", "--valid", "1d"])
        #expect(refused.result.status == 78)
        #expect(refused.result.stderr.contains("chmod 600 \(key.path)"))
        #expect(refused.result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: refused.output.path))
    }

    /// A leaf of the RSA intermediate is not the root's to answer for.
    @Test func certificateNotIssuedByTheIssuerIsRefused() throws {
        let leaf = pki.path(.rsa, "good.pem")
        let refused = try sign(["--issuer", pki.root, "--key", pki.path("root.key"), "--cert", leaf,
                                "--status", "good", "--valid", "1d"])
        #expect(refused.result.status == 78)
        #expect(refused.result.stderr.contains("\(leaf) (CN=leaf-good) is not issued by --issuer \(pki.root)"))
        #expect(!FileManager.default.fileExists(atPath: refused.output.path))
    }

    @Test func delegateWithoutOCSPSigningIsRefused() throws {
        let refused = try sign(["--issuer", pki.path(.rsa, "ca.pem"), "--key", pki.path(.rsa, "responder.key"),
                                "--signer", pki.path(.rsa, "badresponder.pem"), "--serial", "1001",
                                "--status", "good", "--valid", "1d"])
        #expect(refused.result.status == 78)
        #expect(refused.result.stderr.contains("OCSPSigning"))
    }

    @Test func keyThatDoesNotMatchTheSignerIsRefused() throws {
        let refused = try sign(["--issuer", pki.root, "--key", pki.path(.rsa, "ca.key"), "--cert", pki.path(.rsa, "ca.pem"),
                                "--status", "good", "--valid", "1d"])
        #expect(refused.result.status == 78)
        #expect(refused.result.stderr.contains("--key \(pki.path(.rsa, "ca.key")) cannot sign for --issuer \(pki.root)"))
    }

    /// Argument combinations and values refused before any file is read: by the option types, or validate().
    @Test(arguments: [
        (["--cert", "c.pem", "--status", "good", "--valid", "soon"], "The value 'soon' is invalid for '--valid"),
        (["--cert", "c.pem", "--status", "good", "--valid", "0d"], "The value '0d' is invalid for '--valid"),
        (["--cert", "c.pem", "--serial", "1001", "--status", "good", "--valid", "1d"], "not both"),
        (["--status", "good", "--valid", "1d"], "--cert FILE or --serial HEX"),
        (["--serial", "xyz", "--status", "good", "--valid", "1d"], "The value 'xyz' is invalid for '--serial"),
        (["--serial", "1001", "--status", "fine", "--valid", "1d"], "The value 'fine' is invalid for '--status"),
        (["--serial", "1001", "--status", "good", "--reason", "superseded", "--valid", "1d"], "--reason goes only with --status revoked"),
        (["--serial", "1001", "--status", "good", "--revoked-at", "now", "--valid", "1d"], "--revoked-at goes only with --status revoked"),
        (["--serial", "1001", "--status", "revoked", "--reason", "bored", "--valid", "1d"], "The value 'bored' is invalid for '--reason"),
        (["--serial", "1001", "--status", "revoked", "--revoked-at", "yesterday", "--valid", "1d"], "The value 'yesterday' is invalid for '--revoked-at"),
        (["--serial", "1001", "--status", "good", "--valid", "1d", "--hash", "md5"], "The value 'md5' is invalid for '--hash"),
    ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let refused = try sign(["--issuer", pki.root, "--key", pki.path("root.key")] + arguments)
        #expect(refused.result.status == 64, "\(refused.result.stderr)")
        #expect(refused.result.stderr.contains(message), "\(refused.result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: refused.output.path))
    }

    /// `sign` alone must reach ArgumentParser, not the respond fast path (which would read a file named "sign").
    @Test func signWithoutArgumentsIsAUsageError() throws {
        let result = try ResponderBinary.run(["sign"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--issuer"))
        let help = try ResponderBinary.run(["sign", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("--cert intermediate.pem --status good"))
    }
}
