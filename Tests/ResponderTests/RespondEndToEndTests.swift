import OCSPWire
import Foundation
import Testing
import TestSupport

/// `ocsp-responder respond` as the socket app runs it: a real MariaDB, requests made by openssl,
/// every signed response verified by openssl and Python cryptography.
@Suite(.enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"))
struct RespondEndToEndTests {
    static let malformed = Data([0x30, 0x03, 0x0A, 0x01, 0x01])

    @Test(arguments: TestPKI.Kind.allCases)
    func goodAndRevokedForEachKeyType(kind: TestPKI.Kind) throws {
        let scenario = try Scenario(kind)
        try scenario.insert("0x1001")
        try scenario.insert("0x1002", status: "Revoked", time: "2026-03-04 05:06:07", reason: "superseded")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem", "revoked.pem"]))
        #expect(result.status == 0, "\(result.stderr)")
        let singles = try scenario.verify(response)
        #expect(singles.map { $0.certStatus } == ["GOOD", "REVOKED"])
        #expect(singles[1].revocationTime == "2026-03-04T05:06:07Z")
        #expect(singles[1].revocationReason == "superseded")
    }

    /// Every enum value of `revocation_reason`, and NULL, maps to its CRLReason (Python's ReasonFlags names).
    @Test(arguments: [
        ("unspecified", "unspecified"), ("key_compromise", "key_compromise"), ("ca_compromise", "ca_compromise"),
        ("affiliation_changed", "affiliation_changed"), ("superseded", "superseded"),
        ("cessation_of_operation", "cessation_of_operation"), ("certificate_hold", "certificate_hold"),
        ("privilege_withdrawn", "privilege_withdrawn"), ("aa_compromise", "aa_compromise"), (nil, nil),
    ] as [(String?, String?)])
    func everyRevocationReason(reason: String?, pythonName: String?) throws {
        let scenario = try Scenario(.p256)
        try scenario.insert("0x1002", status: "Revoked", time: "2025-12-31 23:59:59", reason: reason)
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["revoked.pem"]))
        #expect(result.status == 0, "\(result.stderr)")
        let single = try #require(try scenario.verify(response).first)
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == pythonName)
        #expect(single.revocationTime == "2025-12-31T23:59:59Z")
    }

    /// A serial with its top bit set, stored in each spelling tools write, is found.
    @Test(arguments: ["0x9a4e31c2d5b6a7f8", "0x9A4E31C2D5B6A7F8", "0x009a4e31c2d5b6a7f8", "0X009A4E31C2D5B6A7F8"])
    func everySerialSpellingIsFound(spelling: String) throws {
        let scenario = try Scenario()
        try scenario.insert(spelling, status: "Revoked", time: "2026-01-01 00:00:00", reason: "key_compromise")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["topbit.pem"], hash: "-sha256"))
        #expect(result.status == 0, "\(result.stderr)")
        let single = try #require(try scenario.verify(response).first)
        #expect(single.serialHex == "9a4e31c2d5b6a7f8")
        #expect(single.certStatus == "REVOKED")
        #expect(single.hashAlgorithm == "sha256")
    }

    @Test func leadingZeroSpellingOfSmallSerial() throws {
        let scenario = try Scenario()
        try scenario.insert("0x0f")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["small.pem"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scenario.verify(response).first?.certStatus == "GOOD")
    }

    @Test func notFoundModes() throws {
        let unknown = try Scenario(extra: "not_found = unknown")
        let (r1, response1, _) = try unknown.respond(try unknown.opensslRequest(["absent.pem"]))
        #expect(r1.status == 0)
        #expect(try unknown.verify(response1).first?.certStatus == "UNKNOWN")

        let unauthorized = try Scenario(extra: "not_found = unauthorized")
        let (r2, response2, _) = try unauthorized.respond(try unauthorized.opensslRequest(["absent.pem"]))
        #expect(r2.status == 6)
        #expect(response2 == Data([0x30, 0x03, 0x0A, 0x01, 0x06]))
        #expect(r2.stderr.contains("unauthorized"))

        let revoked = try Scenario(extra: "not_found = revoked")
        let (r3, response3, _) = try revoked.respond(try revoked.opensslRequest(["absent.pem"]))
        #expect(r3.status == 0)
        let single = try #require(try revoked.verify(response3).first)
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == "certificate_hold")
        #expect(single.revocationTime == "1970-01-01T00:00:00Z")
    }

    @Test func nonceIsEchoedAndOpensslChecksIt() throws {
        let scenario = try Scenario()
        try scenario.insert("0x1001")
        let (result, response, request) = try scenario.respond(try scenario.opensslRequest(["good.pem"], nonce: true))
        #expect(result.status == 0, "\(result.stderr)")
        // With -reqin, openssl compares the nonces and fails on a mismatch.
        _ = try scenario.verify(response, request: request)
        let json = try Peers.python(response: response, issuer: scenario.pki.path(.rsa, "ca.pem"))
        let nonce = try #require(json.nonceHex)
        #expect(Hex.containsSubsequence(request, hex: nonce))
    }

    @Test func foreignIssuerIsUnauthorizedAndMixedGetsUnknown() throws {
        let scenario = try Scenario()
        try scenario.insert("0x1001")
        let url = scenario.directory.appendingPathComponent("foreign.der")
        try run("openssl", ["ocsp", "-issuer", scenario.pki.path("foreign/ca.pem"), "-cert", scenario.pki.path("foreign/leaf.pem"), "-no_nonce", "-reqout", url.path])
        let (result, response, _) = try scenario.respond(url)
        #expect(result.status == 6)
        #expect(response == Data([0x30, 0x03, 0x0A, 0x01, 0x06]))

        let mixed = scenario.directory.appendingPathComponent("mixed.der")
        try run("openssl", ["ocsp", "-issuer", scenario.pki.path("foreign/ca.pem"), "-cert", scenario.pki.path("foreign/leaf.pem"),
                            "-issuer", scenario.pki.path(.rsa, "ca.pem"), "-cert", scenario.pki.path(.rsa, "good.pem"),
                            "-no_nonce", "-reqout", mixed.path])
        let (mixedResult, mixedResponse, _) = try scenario.respond(mixed)
        #expect(mixedResult.status == 0, "\(mixedResult.stderr)")
        let ca = scenario.pki.path(.rsa, "ca.pem")
        try Peers.opensslVerify(response: mixedResponse, chain: scenario.pki.path(.rsa, "chain.pem"), trustedSigner: ca)
        let json = try Peers.python(response: mixedResponse, issuer: scenario.pki.path(.rsa, "ca.pem"))
        #expect(json.signatureValid == true)
        #expect(json.responses.map { $0.certStatus } == ["UNKNOWN", "GOOD"])
    }

    @Test(arguments: [Data(), Data("GET / HTTP/1.1\r\n".utf8), Data([0x30, 0x82, 0xFF, 0xFF])])
    func garbageAndEmptyInputGetMalformedRequest(input: Data) throws {
        let scenario = try Scenario()
        let file = scenario.directory.appendingPathComponent("garbage.der")
        try input.write(to: file)
        let (result, response, _) = try scenario.respond(file)
        #expect(result.status == 1)
        #expect(response == Self.malformed)
        let json = try Peers.python(response: response, issuer: scenario.pki.path(.rsa, "ca.pem"))
        #expect(json.responseStatus == "MALFORMED_REQUEST")
    }

    @Test(arguments: TestPKI.Kind.allCases)
    func delegatedResponder(kind: TestPKI.Kind) throws {
        let scenario = try Scenario(kind, delegated: true)
        try scenario.insert("0x1001")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scenario.verify(response).first?.certStatus == "GOOD")
        let json = try Peers.python(response: response, issuer: scenario.pki.path(kind, "ca.pem"))
        #expect(json.signer == "delegate")
        #expect(json.delegateValid == true)
    }

    @Test func delegateWithoutOCSPSigningIsAConfigError() throws {
        let scenario = try Scenario()
        try scenario.writeConfig("""
            \(scenario.server.configSection(table: scenario.table))
            [ocsp]
            cert = \(scenario.pki.path(.rsa, "badresponder.pem"))
            pkey = \(scenario.pki.path(.rsa, "responder.key"))
            issuer = \(scenario.pki.path(.rsa, "ca.pem"))
            """)
        let request = try scenario.opensslRequest(["good.pem"])
        let (result, response, original) = try scenario.respond(request)
        #expect(result.status == 78)
        #expect(result.stderr.contains("OCSPSigning"))
        #expect(result.stderr.contains("key 'cert'"))
        #expect(response == original)
    }

    @Test func databaseDownGivesTryLater() throws {
        let scenario = try Scenario(dbSection: """
            [db]
            socket = /nonexistent/mysqld.sock
            db = ocsp
            username = nobody
            """)
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 3)
        #expect(response == Data([0x30, 0x03, 0x0A, 0x01, 0x03]))
        #expect(result.stderr.contains("tryLater"))
    }

    @Test func missingTableGivesInternalError() throws {
        let scenario = try Scenario()
        try scenario.server.execute("DROP TABLE \(scenario.table)")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 2)
        #expect(response == Data([0x30, 0x03, 0x0A, 0x01, 0x02]))
    }

    @Test func standardInputToStandardOutputAndOutOption() throws {
        let scenario = try Scenario(.p384)
        try scenario.insert("0x1001")
        let request = try Data(contentsOf: try scenario.opensslRequest(["good.pem"]))
        let piped = try ResponderBinary.run(["respond", "--config", scenario.configPath, "-"], stdin: request)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try scenario.verify(piped.stdout).first?.certStatus == "GOOD")

        // No subcommand, no file: `respond -` is the default.
        let defaulted = try ResponderBinary.run(["--config", scenario.configPath], stdin: request)
        #expect(defaulted.status == 0)
        #expect(try scenario.verify(defaulted.stdout).first?.certStatus == "GOOD")

        let input = try scenario.opensslRequest(["good.pem"])
        let output = scenario.directory.appendingPathComponent("out.der")
        let (result, untouched, original) = try scenario.respond(input, extraArguments: ["--out", output.path])
        #expect(result.status == 0)
        #expect(untouched == original)
        #expect(try scenario.verify(try Data(contentsOf: output)).first?.certStatus == "GOOD")
    }

    @Test func defaultSubcommandOverwritesFileLikeOcspPy() throws {
        let scenario = try Scenario(.ed25519)
        try scenario.insert("0x1001")
        let file = try scenario.opensslRequest(["good.pem"])
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let result = try ResponderBinary.run(["--config", scenario.configPath, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scenario.verify(try Data(contentsOf: file)).first?.certStatus == "GOOD")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func configErrorLeavesFileUnchanged() throws {
        let scenario = try Scenario()
        let file = try scenario.opensslRequest(["good.pem"])
        try scenario.writeConfig("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nproducetime = soon\n")
        let (result, response, original) = try scenario.respond(file)
        #expect(result.status == 78)
        #expect(result.stderr.contains("config.ini:7: key 'producetime'"))
        #expect(response == original)

        let missing = try ResponderBinary.run(["respond", "--config", scenario.directory.appendingPathComponent("none.ini").path, file.path])
        #expect(missing.status == 78)
        #expect(try Data(contentsOf: file) == original)
    }

    @Test func readableKeyIsRefused() throws {
        let scenario = try Scenario()
        let key = scenario.directory.appendingPathComponent("open.key")
        try FileManager.default.copyItem(atPath: scenario.pki.path(.rsa, "ca.key"), toPath: key.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        try scenario.writeConfig("""
            \(scenario.server.configSection(table: scenario.table))
            [ocsp]
            cert = \(scenario.pki.path(.rsa, "ca.pem"))
            pkey = \(key.path)
            """)
        let (result, response, original) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 78)
        #expect(result.stderr.contains("chmod 600"))
        #expect(response == original)
    }

    @Test func encryptedKeyWithPassword() throws {
        let scenario = try Scenario()
        try scenario.insert("0x1001")
        for (password, expected) in [("secret-pass", Int32(0)), ("Zq9-not-it", 78)] {
            try scenario.writeConfig("""
                \(scenario.server.configSection(table: scenario.table))
                [ocsp]
                cert = \(scenario.pki.path(.rsa, "ca.pem"))
                pkey = \(scenario.pki.path(.rsa, "ca-enc.key"))
                password = \(password)
                """)
            let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
            #expect(result.status == expected, "\(result.stderr)")
            #expect(!result.stderr.contains(password))
            if expected == 0 { _ = try scenario.verify(response) }
        }
    }

    @Test func unreadableRequestLeavesNothingWritten() throws {
        let scenario = try Scenario()
        let missing = scenario.directory.appendingPathComponent("missing.der")
        let result = try ResponderBinary.run(["respond", "--config", scenario.configPath, missing.path])
        #expect(result.status == 66)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        let directoryResult = try ResponderBinary.run(["respond", "--config", scenario.configPath, scenario.directory.path])
        #expect(directoryResult.status == 66)
    }

    @Test func tcpConnectionWorksToo() throws {
        let base = try Scenario()
        let server = base.server
        let scenario = try Scenario(dbSection: """
            [db]
            host = \(server.host)
            port = \(server.port)
            db = \(server.database)
            username = \(server.user)
            password = \(server.password)
            table = \(base.table)
            """)
        try base.insert("0x1001")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scenario.verify(response).first?.certStatus == "GOOD")
    }
}

extension Hex {
    static func containsSubsequence(_ data: Data, hex: String) -> Bool {
        guard let needle = decode(hex), !needle.isEmpty else { return false }
        let haystack = Array(data)
        return haystack.indices.contains { start in
            start + needle.count <= haystack.count && Array(haystack[start..<start + needle.count]) == needle
        }
    }
}
