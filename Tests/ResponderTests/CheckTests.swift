import Foundation
import Testing
import OCSPLint
import TestSupport

/// `ocsp-responder check` against `serve`, against `openssl ocsp -port` (a responder nobody here wrote) and
/// through `openssl s_server` for `--host`, with leaves whose AIA points at loopback ports.
@Suite("Check", .serialized)
struct CheckTests {
    static var python: String { ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3" }

    /// A leaf of the RSA CA with serial `serial` and, unless nil, an AIA naming these URLs.
    static func leaf(_ directory: URL, serial: String, ocsp: String?, caIssuers: String?) throws -> String {
        let pki = TestPKI.shared
        let name = "leaf-\(serial)"
        var access: [String] = []
        if let ocsp { access.append("OCSP;URI:\(ocsp)") }
        if let caIssuers { access.append("caIssuers;URI:\(caIssuers)") }
        let extensions = directory.appendingPathComponent("\(name).cnf")
        try """
            [ext]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            \(access.isEmpty ? "" : "authorityInfoAccess = " + access.joined(separator: ","))
            """.write(to: extensions, atomically: true, encoding: .utf8)
        let csr = directory.appendingPathComponent("\(name).csr").path
        let out = directory.appendingPathComponent("\(name).pem").path
        var result = try run("openssl", ["req", "-new", "-key", pki.path(.rsa, "leaf.key"), "-subj", "/CN=\(name)", "-out", csr])
        guard result.status == 0 else { throw TestFailure(result.stderr) }
        result = try run("openssl", ["x509", "-req", "-in", csr, "-CA", pki.path(.rsa, "ca.pem"), "-CAkey", pki.path(.rsa, "ca.key"),
                                     "-set_serial", serial, "-days", "30", "-extfile", extensions.path, "-extensions", "ext", "-out", out])
        guard result.status == 0 else { throw TestFailure(result.stderr) }
        return out
    }

    /// Waits (at most 5 s) until something accepts connections on `port`.
    static func waitForListener(_ port: Int) {
        for _ in 0..<50 {
            if (try? run("curl", ["-s", "-o", "/dev/null", "--max-time", "1", "http://127.0.0.1:\(port)/"]))?.status != 7 { return }
            usleep(100_000)
        }
    }

    @Test("AIA: OCSP URL and CA Issuers on loopback; good, revoked and unknown by exit status; --json")
    func throughAIA() throws {
        let server = try ServeHarness()
        // The CA certificate, DER, served by a tiny HTTP server for CA Issuers.
        let www = server.directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        _ = try run("openssl", ["x509", "-in", server.pki.path(.rsa, "ca.pem"), "-outform", "DER", "-out", www.appendingPathComponent("ca.der").path])
        let wwwPort = try freePort()
        let files = Process()
        files.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        files.arguments = [Self.python, "-m", "http.server", "\(wwwPort)", "--bind", "127.0.0.1", "--directory", www.path]
        files.standardOutput = FileHandle.nullDevice
        files.standardError = FileHandle.nullDevice
        try files.run()
        defer { stopHelper(files) }
        Self.waitForListener(wwwPort)

        let caIssuers = "http://127.0.0.1:\(wwwPort)/ca.der"
        let expected: [(String, Int32, String)] = [("0x1001", 0, "good"), ("0x1002", 1, "revoked"), ("0x3003", 2, "unknown")]
        for (serial, status, name) in expected {
            let leaf = try Self.leaf(server.directory, serial: serial, ocsp: server.base + "/", caIssuers: caIssuers)
            let result = try ResponderBinary.run(["check", "--cert", leaf])
            #expect(result.status == status, "\(serial): \(result.stdoutText) \(result.stderr)")
            #expect(result.stdoutText.contains(": \(name)\n"))
            #expect(result.stdoutText.contains("verified, signed by the issuer CN=Test rsa CA"))
        }
        let leaf = try Self.leaf(server.directory, serial: "0x1002", ocsp: server.base, caIssuers: caIssuers)
        let json = try ResponderBinary.run(["check", "--cert", leaf, "--json", "--post", "--no-nonce"])
        #expect(json.status == 1)
        let object = try CommandReport.decode(CheckReport.self, from: json.stdout)
        #expect(object.status == "revoked")
        #expect(object.method == "POST")
        #expect(object.nonce == false)
        #expect(object.revocationReason == "keyCompromise")
        #expect(object.revocationTime == "2026-01-02T03:04:05Z")
        #expect(object.verification?.verified == true)
    }

    /// `check --json` with `--lint`: the report under `lint`.
    struct LintedCheck: Decodable {
        var status: String
        var lint: LintReport?
    }

    @Test("--lint: serve's answer linted as fetched; a lint error fails the check (exit 3), else the status stands")
    func lint() throws {
        let server = try ServeHarness()
        let leaf = try Self.leaf(server.directory, serial: "0x1001", ocsp: nil, caIssuers: nil)
        let arguments = ["check", "--cert", leaf, "--issuer", server.pki.path(.rsa, "ca.pem"), "--url", server.base + "/"]
        let plain = try ResponderBinary.run(arguments + ["--lint"])
        #expect(plain.status == 0, "\(plain.stdoutText) \(plain.stderr)")
        #expect(plain.stdoutText.contains("Lint (rfc6960): 0 errors, 0 warnings"))
        for profile in ["all", "cabf", "windows"] {
            let result = try ResponderBinary.run(arguments + ["--lint", "--profile", profile, "--json"])
            let object = try JSONDecoder().decode(LintedCheck.self, from: result.stdout)
            let report = try #require(object.lint)
            #expect(report.profile == profile)
            #expect(result.status == (report.errors > 0 ? 3 : 0), "\(result.stdoutText)")
            // Whatever the validity the test configuration picked, the signer, the echo and the nonce are right.
            let wrong: Set<String> = ["signature", "responder-id", "certid-missing", "cisco-certid-echo", "nonce-mismatch", "java-nonce", "windows-next-update"]
            #expect(wrong.isDisjoint(with: report.findings.map(\.rule)), "\(result.stdoutText)")
        }
        #expect(try ResponderBinary.run(arguments + ["--profile", "cabf"]).status == 64)
    }

    @Test("Missing AIA entries and an unreachable responder are errors (exit 3) with the reason")
    func errors() throws {
        let directory = try makeTemporaryDirectory("ocsp-check")
        let bare = try Self.leaf(directory, serial: "0x1001", ocsp: nil, caIssuers: nil)
        let noURL = try ResponderBinary.run(["check", "--cert", bare, "--issuer", TestPKI.shared.path(.rsa, "ca.pem")])
        #expect(noURL.status == 3)
        #expect(noURL.stderr.contains("no OCSP URL in its Authority Information Access"))
        let noIssuer = try ResponderBinary.run(["check", "--cert", bare, "--url", "http://127.0.0.1:9/"])
        #expect(noIssuer.status == 3)
        #expect(noIssuer.stderr.contains("no CA Issuers URL"))
        let refused = try ResponderBinary.run(["check", "--cert", bare, "--issuer", TestPKI.shared.path(.rsa, "ca.pem"),
                                               "--url", "http://127.0.0.1:\(try freePort())/", "--json"])
        #expect(refused.status == 3)
        #expect(refused.stdoutText.contains("\"status\": \"error\""))
    }

    @Test("Against openssl ocsp -port with an index.txt")
    func againstOpenSSLResponder() throws {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory("ocsp-check-openssl")
        let index = directory.appendingPathComponent("index.txt")
        try "V\t351231000000Z\t\t1001\tunknown\t/CN=leaf-good\nR\t351231000000Z\t260102030405Z,keyCompromise\t1002\tunknown\t/CN=leaf-revoked\n"
            .write(to: index, atomically: true, encoding: .utf8)
        let port = try freePort()
        let responder = Process()
        responder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        responder.arguments = ["openssl", "ocsp", "-port", "\(port)", "-index", index.path, "-CA", pki.path(.rsa, "ca.pem"),
                               "-rsigner", pki.path(.rsa, "ca.pem"), "-rkey", pki.path(.rsa, "ca.key"), "-nrequest", "10"]
        responder.standardOutput = FileHandle.nullDevice
        responder.standardError = FileHandle.nullDevice
        try responder.run()
        defer { stopHelper(responder) }
        usleep(500_000)
        let url = "http://127.0.0.1:\(port)/"
        for (leaf, status) in [("good.pem", Int32(0)), ("revoked.pem", 1), ("absent.pem", 2)] {
            let result = try ResponderBinary.run(["check", "--cert", pki.path(.rsa, leaf), "--issuer", pki.path(.rsa, "ca.pem"), "--url", url])
            #expect(result.status == status, "\(leaf): \(result.stdoutText) \(result.stderr)")
        }
        let posted = try ResponderBinary.run(["check", "--cert", pki.path(.rsa, "revoked.pem"), "--issuer", pki.path(.rsa, "ca.pem"),
                                              "--url", url, "--post"])
        #expect(posted.status == 1)
        #expect(posted.stdoutText.contains("reason:      keyCompromise"))
    }

    @Test("--host: the leaf and chain from openssl s_server, the OCSP URL from the leaf's AIA")
    func host() throws {
        let server = try ServeHarness()
        let pki = server.pki
        let leaf = try Self.leaf(server.directory, serial: "0x1001", ocsp: server.base + "/", caIssuers: nil)
        let port = try freePort()
        let tls = Process()
        tls.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tls.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", leaf, "-key", pki.path(.rsa, "leaf.key"),
                         "-cert_chain", pki.path(.rsa, "chain.pem"), "-www", "-quiet"]
        tls.standardOutput = FileHandle.nullDevice
        tls.standardError = FileHandle.nullDevice
        try tls.run()
        defer { stopHelper(tls) }
        usleep(500_000)
        let result = try ResponderBinary.run(["check", "--host", "127.0.0.1:\(port)"])
        #expect(result.status == 0, "\(result.stdoutText) \(result.stderr)")
        #expect(result.stdoutText.contains("CN=leaf-0x1001 (serial 0x1001): good"))
        let localhost = try ResponderBinary.run(["check", "--host", "localhost:\(port)", "--json"])
        #expect(localhost.status == 0, "\(localhost.stderr)")
    }
}

/// SIGKILL: the test runner's children may inherit an ignored SIGTERM, which python's http.server keeps.
func stopHelper(_ process: Process) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
}
