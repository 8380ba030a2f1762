import Foundation
import Testing
import TestSupport

/// A SoftHSM2 token of its own (its SOFTHSM2_CONF and token directory, owned by the service user) holding
/// the CA keys of the test PKI, imported as `object=<kind>`, and the PIN's file (0600, the service user's).
final class SoftHSMToken: @unchecked Sendable {
    // @unchecked Sendable: set up once, then only read.
    static let module = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
    /// Distinctive, so that a test can look for it in every output.
    static let pin = "731946285"
    let directory: URL
    var configPath: String { directory.appendingPathComponent("softhsm2.conf").path }
    var tokenDirectory: String { directory.appendingPathComponent("tokens").path }
    var pinPath: String { directory.appendingPathComponent("token.pin").path }
    var wrongPinPath: String { directory.appendingPathComponent("wrong.pin").path }
    /// What runs a command with this token's SOFTHSM2_CONF.
    var launcher: [String] { ["/usr/bin/env", "SOFTHSM2_CONF=\(configPath)"] }

    init(kinds: [TestPKI.Kind], owner: String?) throws {
        let pki = TestPKI.shared
        directory = try makeTemporaryDirectory("ocsp-hsm")
        try FileManager.default.createDirectory(atPath: tokenDirectory, withIntermediateDirectories: true)
        try "directories.tokendir = \(tokenDirectory)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let initialised = try run("/usr/bin/env", ["SOFTHSM2_CONF=\(configPath)", "softhsm2-util", "--init-token", "--free", "--label", "ocsp",
                                                 "--pin", Self.pin, "--so-pin", "86427531"])
        guard initialised.status == 0 else { throw TestFailure("softhsm2-util --init-token: \(initialised.stderr)") }
        for (index, kind) in kinds.enumerated() {
            let p8 = directory.appendingPathComponent("\(kind.rawValue).p8").path
            let converted = try run("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", pki.path(kind, "ca.key"), "-out", p8])
            guard converted.status == 0 else { throw TestFailure("openssl pkcs8: \(converted.stderr)") }
            let imported = try run("/usr/bin/env", ["SOFTHSM2_CONF=\(configPath)", "softhsm2-util", "--import", p8, "--token", "ocsp",
                                                  "--label", kind.rawValue, "--id", String(format: "%02x", index + 1), "--pin", Self.pin])
            guard imported.status == 0 else { throw TestFailure("softhsm2-util --import: \(imported.stderr)") }
            try FileManager.default.removeItem(atPath: p8)
        }
        try "\(Self.pin)\n".write(toFile: pinPath, atomically: true, encoding: .utf8)
        try "123456789\n".write(toFile: wrongPinPath, atomically: true, encoding: .utf8)
        for file in [pinPath, wrongPinPath] { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        if let owner { try TestAccounts.chown(directory.path, to: owner, recursive: true) }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func uri(_ kind: TestPKI.Kind, wrongPin: Bool = false) -> String {
        "pkcs11:token=ocsp;object=\(kind.rawValue);type=private?pin-source=file:\(wrongPin ? wrongPinPath : pinPath)"
    }
}

/// Signing keys on a PKCS#11 token (SoftHSM2): `respond` as the service user for RSA, P-256 and Ed25519,
/// `serve`, `resign` and `sign`; a wrong PIN and a removed token answer `tryLater` with a log line; the
/// PIN is in no output. Every signed response is verified by openssl and Python cryptography.
@Suite(.serialized, .enabled(if: TestAccounts.service != nil && FileManager.default.fileExists(atPath: SoftHSMToken.module),
                             "needs softhsm2 and the test accounts of scripts/test.sh"))
struct PKCS11Tests {
    static let tryLater = Data([0x30, 0x03, 0x0A, 0x01, 0x03])
    let pki = TestPKI.shared

    /// A serve harness's directory, store and config (not started), its `[ocsp]` signing with `kind`'s CA
    /// key on the token (with `tokenKey`) or the harness's key file.
    func harness(_ kind: TestPKI.Kind, token: SoftHSMToken, uri: String? = nil, module: String = SoftHSMToken.module) throws -> ServeHarness {
        let harness = try ServeHarness(launch: .none, launcher: token.launcher)
        var text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "cert = \(harness.directory.appendingPathComponent("ca.pem").path)", with: "cert = \(pki.path(kind, "ca.pem"))")
        text = text.replacingOccurrences(of: "pkey = \(harness.directory.appendingPathComponent("ca.key").path)",
                                         with: "pkey = \(uri ?? token.uri(kind))\npkcs11_module = \(module)")
        try text.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        return harness
    }

    /// `respond` for `kind`'s good.pem, as the service user with the token's SOFTHSM2_CONF.
    /// - Parameter nonce: a request with a nonce, which no kept response answers: it must be signed now.
    func respond(_ harness: ServeHarness, _ kind: TestPKI.Kind, token: SoftHSMToken, nonce: Bool = false) throws -> (result: ProcessResult, response: Data, log: String) {
        let service = try #require(TestAccounts.service)
        let request = harness.directory.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der").path
        let made = try run("openssl", ["ocsp", "-issuer", pki.path(kind, "ca.pem"), "-cert", pki.path(kind, "good.pem"), nonce ? "-nonce" : "-no_nonce", "-reqout", request])
        guard made.status == 0 else { throw TestFailure("openssl ocsp -reqout: \(made.stderr)") }
        try TestAccounts.chown(request, to: service)
        let result = try runAs(service, "/usr/bin/env", ["SOFTHSM2_CONF=\(token.configPath)", ResponderBinary.path, "respond", "--config", harness.configPath, request])
        let log = (try? String(contentsOfFile: harness.logPath, encoding: .utf8)) ?? ""
        return (result, try Data(contentsOf: URL(fileURLWithPath: request)), log)
    }

    func expectNoPIN(_ texts: String...) {
        for text in texts { #expect(!text.contains(SoftHSMToken.pin), "the PIN appears in: \(text.prefix(300))") }
    }

    @Test(arguments: [TestPKI.Kind.rsa, .p256, .ed25519])
    func respondSignsOnTheTokenAsTheServiceUser(kind: TestPKI.Kind) throws {
        let token = try SoftHSMToken(kinds: [kind], owner: TestAccounts.service)
        let harness = try harness(kind, token: token)
        let (result, response, log) = try respond(harness, kind, token: token)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Peers.verifySuccessful(response: response, issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"))
        #expect(json.responses.map(\.certStatus) == ["GOOD"])
        expectNoPIN(result.stdoutText, result.stderr, log)
    }

    @Test func wrongPINIsTryLaterWithALogLine() throws {
        let token = try SoftHSMToken(kinds: [.p256], owner: TestAccounts.service)
        let harness = try harness(.p256, token: token, uri: token.uri(.p256, wrongPin: true))
        let (result, response, log) = try respond(harness, .p256, token: token)
        #expect(response == Self.tryLater, "\(result.stderr)")
        #expect(log.contains("CKR_PIN_INCORRECT"), "\(log)")
        #expect(!log.contains("123456789"))
        expectNoPIN(result.stdoutText, result.stderr, log)
    }

    @Test func removedTokenDirectoryIsTryLater() throws {
        let token = try SoftHSMToken(kinds: [.rsa], owner: TestAccounts.service)
        let harness = try harness(.rsa, token: token)
        let first = try respond(harness, .rsa, token: token)
        #expect(first.result.status == 0, "\(first.result.stderr)")
        _ = try Peers.verifySuccessful(response: first.response, issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
        try FileManager.default.removeItem(atPath: token.tokenDirectory)
        // With a nonce: the first answer, kept in the cache, would answer a request without one.
        let (result, response, log) = try respond(harness, .rsa, token: token, nonce: true)
        #expect(response == Self.tryLater, "\(result.stderr)")
        #expect(log.contains("PKCS#11 key pkcs11:token=ocsp;object=rsa"), "\(log)")
        expectNoPIN(result.stdoutText, result.stderr, log)
    }

    @Test func badModuleAndPINInTheURIAreConfigErrors() throws {
        let token = try SoftHSMToken(kinds: [.rsa], owner: TestAccounts.service)
        let missing = try harness(.rsa, token: token, module: "/usr/lib/no-such-pkcs11.so")
        let (result, _, log) = try respond(missing, .rsa, token: token)
        #expect(result.status != 0)
        let text = result.stderr + log
        #expect(text.contains("config.ini:") && text.contains("pkcs11_module") && text.contains("/usr/lib/no-such-pkcs11.so"), "\(text)")

        let inline = try harness(.rsa, token: token, uri: "pkcs11:token=ocsp;object=rsa;pin-value=\(SoftHSMToken.pin)")
        let refused = try respond(inline, .rsa, token: token)
        let refusal = refused.result.stderr + refused.log
        #expect(refused.result.status != 0)
        #expect(refusal.contains("config.ini:") && refusal.contains("pkey") && refusal.contains("pin-value"), "\(refusal)")
        expectNoPIN(refused.result.stdoutText, refusal)
    }

    @Test func serveSignsOnTheToken() throws {
        let token = try SoftHSMToken(kinds: [.rsa], owner: TestAccounts.service)
        let harness = try harness(.rsa, token: token)
        try harness.start(.serviceUser)
        for _ in 0..<4 {
            let (status, _, body) = try harness.post(try harness.request(["good.pem"], nonce: true))
            #expect(status == 200)
            #expect(try harness.verify(body).map(\.certStatus) == ["GOOD"])
        }
        harness.stop()
        let log = (try? String(contentsOfFile: harness.logPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: harness.stderrPath, encoding: .utf8)) ?? ""
        expectNoPIN(log, stderr)
    }

    @Test func resignSignsOnTheTokenInParallel() throws {
        let service = try #require(TestAccounts.service)
        let token = try SoftHSMToken(kinds: [.rsa], owner: service)
        let harness = try harness(.rsa, token: token)
        let result = try runAs(service, "/usr/bin/env", ["SOFTHSM2_CONF=\(token.configPath)", ResponderBinary.path, "resign",
                                                         "--config", harness.configPath, "--ca", "ocsp", "--jobs", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: harness.cachePath).filter { $0.hasSuffix(".der") }
        #expect(files.count == 2)
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: harness.cachePath).appendingPathComponent(file))
            _ = try Peers.verifySuccessful(response: data, issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))
        }
        expectNoPIN(result.stdoutText, result.stderr)
    }

    @Test(arguments: [TestPKI.Kind.rsa, .p256, .ed25519])
    func signWithATokenKey(kind: TestPKI.Kind) throws {
        let token = try SoftHSMToken(kinds: [kind], owner: nil)
        let output = try makeTemporaryDirectory("ocsp-sign").appendingPathComponent("resp.der")
        let result = try run("/usr/bin/env", token.launcher.dropFirst() + [ResponderBinary.path, "sign", "--issuer", pki.path(kind, "ca.pem"),
                             "--key", token.uri(kind), "--pkcs11-module", SoftHSMToken.module, "--cert", pki.path(kind, "good.pem"),
                             "--status", "good", "--valid", "1d", "--out", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Peers.verifySuccessful(response: try Data(contentsOf: output), issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"))
        #expect(json.responses.map(\.certStatus) == ["GOOD"])
        expectNoPIN(result.stdoutText, result.stderr)
    }
}
