import OCSPClient
import OCSPWire
import Foundation
import Testing
import TestSupport

/// `ocsp-responder request` and `ocsp-responder inspect`, checked against peers nobody here wrote:
/// requests are read back by `openssl ocsp -req_text` and answered by `openssl ocsp -index`; requests
/// made by openssl are inspected and compared with what Python cryptography reads. No database.
@Suite struct ClientToolsTests {
    let pki = TestPKI.shared

    // MARK: helpers

    /// Runs `request` with `--out` into a fresh directory; returns the result and the request's bytes.
    func request(_ arguments: [String]) throws -> (result: ProcessResult, der: Data, path: URL) {
        let path = try makeTemporaryDirectory("ocsp-client").appendingPathComponent("req.der")
        let result = try ResponderBinary.run(["request"] + arguments + ["--out", path.path])
        return (result, (try? Data(contentsOf: path)) ?? Data(), path)
    }

    /// `openssl ocsp -reqin FILE -req_text`.
    func opensslRequestText(_ path: URL) throws -> String {
        let result = try run("openssl", ["ocsp", "-reqin", path.path, "-req_text"])
        guard result.status == 0 else { throw TestFailure("openssl cannot read the request: \(result.stderr)") }
        return result.stdoutText
    }

    /// openssl's serial lines, in order, e.g. ["1001", "9A4E31C2D5B6A7F8"].
    func serialLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("Serial Number: ") ? String(trimmed.dropFirst("Serial Number: ".count)) : nil
        }
    }

    /// An `openssl ca` index: 0x1001 valid, 0x1002 revoked for keyCompromise on 2026-01-01.
    func writeIndex(in directory: URL) throws -> URL {
        let index = directory.appendingPathComponent("index.txt")
        try "V\t351231235959Z\t\t1001\tunknown\t/CN=x\nR\t351231235959Z\t260101000000Z,keyCompromise\t1002\tunknown\t/CN=y\n"
            .write(to: index, atomically: true, encoding: .utf8)
        return index
    }

    /// openssl's answer to `requestPath`, signed by the kind's CA (`ca`) or its delegated responder (`responder`).
    func opensslResponse(to requestPath: URL, kind: TestPKI.Kind, signer: String = "ca") throws -> URL {
        let directory = requestPath.deletingLastPathComponent()
        let index = try writeIndex(in: directory)
        let response = directory.appendingPathComponent("resp-\(signer).der")
        let result = try run("openssl", [
            "ocsp", "-index", index.path, "-CA", pki.path(kind, "ca.pem"),
            "-rsigner", pki.path(kind, "\(signer).pem"), "-rkey", pki.path(kind, "\(signer).key"),
            "-reqin", requestPath.path, "-respout", response.path,
        ])
        guard result.status == 0, FileManager.default.fileExists(atPath: response.path) else {
            throw TestFailure("openssl ocsp -index failed (exit \(result.status)): \(result.stderr)")
        }
        return response
    }

    func inspect(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try ResponderBinary.run(["inspect"] + arguments, stdin: stdin)
    }

    /// What the inline Python below prints for a request: cryptography's reading of its CertID.
    struct PythonRequestReport: Decodable {
        var issuerNameHash: String
        var issuerKeyHash: String
        var serial: String
        var hashAlgorithm: String
    }

    func json(_ result: ProcessResult) throws -> InspectReport {
        try CommandReport.decode(InspectReport.self, from: result.stdout)
    }

    // MARK: request, read by openssl

    @Test(arguments: ["sha1", "sha256", "sha384", "sha512"])
    func requestIsReadByOpenSSL(hash: String) throws {
        var arguments = ["--issuer", pki.path(.rsa, "ca.pem"), "--cert", pki.path(.rsa, "good.pem")]
        if hash != "sha1" { arguments += ["--hash", hash] }  // sha1 is the default
        let made = try request(arguments)
        #expect(made.result.status == 0, "\(made.result.stderr)")
        let text = try opensslRequestText(made.path)
        #expect(serialLines(text) == ["1001"])
        #expect(text.contains("Hash Algorithm: \(hash)"))
        // The nonce is on by default.
        #expect(text.contains("OCSP Nonce"))
    }

    @Test func nonceOnAndOff() throws {
        let base = ["--issuer", pki.path(.p256, "ca.pem"), "--cert", pki.path(.p256, "good.pem")]
        let withNonce = try request(base + ["--nonce"])
        #expect(withNonce.result.status == 0, "\(withNonce.result.stderr)")
        let text = try opensslRequestText(withNonce.path)
        #expect(text.contains("OCSP Nonce:"))
        // RFC 9654: 16 octets inside an OCTET STRING, which openssl prints as 0410 + 32 hex digits.
        let nonceLine = text.split(separator: "\n").drop(while: { !$0.contains("OCSP Nonce") }).dropFirst().first
        let hex = try #require(nonceLine).trimmingCharacters(in: .whitespaces)
        #expect(hex.hasPrefix("0410") && hex.count == 36, "\(hex)")

        // inspect shows the same 16 octets.
        let shown = try json(try inspect([withNonce.path.path, "--json"]))
        #expect(shown.nonce?.uppercased() == String(hex.dropFirst(4)))

        // Two requests get different nonces.
        let again = try json(try inspect(["--json", try request(base).path.path]))
        #expect(again.nonce != shown.nonce)

        let withoutNonce = try request(base + ["--no-nonce"])
        #expect(withoutNonce.result.status == 0)
        #expect(!(try opensslRequestText(withoutNonce.path)).contains("Nonce"))
    }

    /// One CertID per --cert and --serial, in command-line order, --serial with or without 0x.
    @Test func severalCertificatesAndSerialsInOrder() throws {
        let kind = TestPKI.Kind.rsa
        let made = try request([
            "--issuer", pki.path(kind, "ca.pem"),
            "--cert", pki.path(kind, "good.pem"), "--serial", "0x9A4E31C2D5B6A7F8", "--cert", pki.path(kind, "revoked.pem"),
            "--serial", "0f", "--serial", "0X1a2B",
        ])
        #expect(made.result.status == 0, "\(made.result.stderr)")
        #expect(serialLines(try opensslRequestText(made.path)) == ["1001", "9A4E31C2D5B6A7F8", "1002", "0F", "1A2B"])
    }

    @Test(arguments: [["--serial", "0x1001"], ["--serial", "1001"], ["--serial=0X1001"]])
    func serialSpellings(serial: [String]) throws {
        let made = try request(["--issuer", pki.path(.ed25519, "ca.pem")] + serial)
        #expect(made.result.status == 0, "\(made.result.stderr)")
        let text = try opensslRequestText(made.path)
        #expect(serialLines(text) == ["1001"])
        // The CertID names the issuer: openssl's own request for good.pem carries the same hashes.
        let theirs = try makeTemporaryDirectory("ocsp-client").appendingPathComponent("req.der")
        _ = try run("openssl", ["ocsp", "-issuer", pki.path(.ed25519, "ca.pem"), "-cert", pki.path(.ed25519, "good.pem"),
                                "-no_nonce", "-reqout", theirs.path])
        let ours = try json(try inspect(["--json", made.path.path]))
        let openssls = try json(try inspect(["--json", theirs.path]))
        let (a, b) = (ours.requests?.first, openssls.requests?.first)
        #expect(a?.issuerNameHash == b?.issuerNameHash)
        #expect(a?.issuerKeyHash == b?.issuerKeyHash)
        #expect(a?.serial == "1001")
    }

    @Test func requestRefusesWhatItCannotUse() throws {
        // A certificate of another CA: 78, one line naming the fix.
        let foreign = try request(["--issuer", pki.path(.rsa, "ca.pem"), "--cert", pki.path(.p256, "good.pem")])
        #expect(foreign.result.status == 78)
        #expect(foreign.result.stderr.contains("not issued by --issuer"))
        #expect(foreign.result.stderr.split(separator: "\n").count == 1)
        #expect(foreign.der.isEmpty)

        let missing = try request(["--issuer", "/nonexistent/ca.pem", "--serial", "1001"])
        #expect(missing.result.status == 78)

        // Usage errors: 64.
        #expect(try request(["--issuer", pki.path(.rsa, "ca.pem")]).result.status == 64)
        #expect(try request(["--issuer", pki.path(.rsa, "ca.pem"), "--serial", "xyz"]).result.status == 64)
        #expect(try request(["--issuer", pki.path(.rsa, "ca.pem"), "--serial", "1", "--hash", "md5"]).result.status == 64)
    }

    @Test func helpShowsAnExample() throws {
        for command in ["request", "inspect"] {
            let help = try ResponderBinary.run([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdoutText.contains("Examples:"))
            #expect(help.stdoutText.contains("ocsp-responder request --issuer ca.pem --cert leaf.pem"))
        }
    }

    // MARK: answered by openssl, inspected and verified by us

    @Test(arguments: TestPKI.Kind.allCases, ["ca", "responder"])
    func opensslAnswerVerifies(kind: TestPKI.Kind, signer: String) throws {
        let issuer = pki.path(kind, "ca.pem")
        let made = try request(["--issuer", issuer, "--cert", pki.path(kind, "good.pem"), "--cert", pki.path(kind, "revoked.pem"),
                                "--hash", "sha256", "--nonce"])
        #expect(made.result.status == 0, "\(made.result.stderr)")
        let response = try opensslResponse(to: made.path, kind: kind, signer: signer)

        let text = try inspect(["--issuer", issuer, response.path])
        #expect(text.status == 0, "\(text.stdoutText)\(text.stderr)")
        #expect(text.stdoutText.contains("OCSP Response Status: successful (0x0)"))
        #expect(text.stdoutText.contains("Cert Status: good"))
        #expect(text.stdoutText.contains("Cert Status: revoked"))
        #expect(text.stdoutText.contains("Revocation Reason: keyCompromise (0x1)"))
        #expect(text.stdoutText.contains("Verification: verified, signed by the \(signer == "ca" ? "issuer" : "delegated responder")"))

        let requestJSON = try json(try inspect(["--json", made.path.path]))
        let result = try inspect(["--json", "--issuer", issuer, response.path])
        #expect(result.status == 0)
        let shown = try json(result)
        #expect(shown.type == "response")
        #expect(shown.responseStatus == "successful")
        #expect(shown.responseStatusCode == 0)
        #expect(shown.responseType == "id-pkix-ocsp-basic")
        #expect(shown.version == 1)
        // The nonce is echoed.
        let nonce = try #require(requestJSON.nonce)
        #expect(nonce.count == 32)
        #expect(shown.nonce == nonce)
        #expect(shown.extendedRevoke == false)

        let singles = shown.responses ?? []
        try #require(singles.count == 2)
        #expect(singles.map { $0.serial } == ["1001", "1002"])
        #expect(singles.allSatisfy { $0.hashAlgorithm == "sha256" })
        #expect(singles[0].certStatus == "good")
        #expect(singles[0].revocationTime == nil)
        #expect(singles[1].certStatus == "revoked")
        #expect(singles[1].revocationTime == "2026-01-01T00:00:00Z")
        #expect(singles[1].revocationReason == "keyCompromise")
        #expect(singles[1].revocationReasonCode == 1)
        // The CertIDs are echoed as we sent them.
        for (sent, answered) in zip(requestJSON.requests ?? [], singles) {
            #expect(sent.issuerNameHash == answered.issuerNameHash)
            #expect(sent.issuerKeyHash == answered.issuerKeyHash)
        }
        #expect(singles[0].thisUpdate != nil)

        // openssl names a delegated responder byName, and puts the signer's certificate in certs.
        let responderID = try #require(shown.responderId)
        let signerSubject = signer == "ca" ? "CN=Test \(kind.rawValue) CA" : "CN=Test \(kind.rawValue) OCSP Responder"
        if let name = responderID.byName {
            #expect(name == signerSubject)
        } else {
            #expect(responderID.byKey?.count == 40)
        }
        #expect(shown.certificates?.contains { $0.subject == signerSubject } == true)
        #expect(shown.signatureAlgorithm?.isEmpty == false)

        let verification = try #require(shown.verification)
        #expect(verification.verified == true)
        #expect(verification.signer == (signer == "ca" ? "issuer" : "delegate"))
        #expect(verification.signerSubject == signerSubject)
        #expect(verification.signatureValid == true)
        #expect(verification.responderIdMatches == true)
        #expect(verification.certIdsMatchIssuer == true)
        #expect(verification.timesValid == true)
        #expect(verification.problems.isEmpty)
        #expect((verification.delegateAuthorized == nil) == (signer == "ca"))
    }

    /// The pipeline of the README, minus the database: request | (openssl as responder) | inspect -, PEM too.
    @Test func standardInputAndPEM() throws {
        let issuer = pki.path(.p384, "ca.pem")
        let made = try request(["--issuer", issuer, "--cert", pki.path(.p384, "good.pem")])
        let response = try Data(contentsOf: try opensslResponse(to: made.path, kind: .p384))
        let fromStdin = try inspect(["--issuer", issuer, "-"], stdin: response)
        #expect(fromStdin.status == 0, "\(fromStdin.stdoutText)")
        #expect(fromStdin.stdoutText.contains("Verification: verified"))

        let pem = "-----BEGIN OCSP RESPONSE-----\n\(response.base64EncodedString(options: .lineLength64Characters))\n-----END OCSP RESPONSE-----\n"
        let fromPEM = try inspect(["--issuer", issuer], stdin: Data(pem.utf8))
        #expect(fromPEM.status == 0)
        #expect(fromPEM.stdoutText == fromStdin.stdoutText)
    }

    // MARK: requests made by openssl, compared with Python cryptography

    @Test(arguments: ["-sha1", "-sha256"])
    func opensslRequestMatchesPython(hash: String) throws {
        let directory = try makeTemporaryDirectory("ocsp-client")
        let path = directory.appendingPathComponent("req.der")
        let made = try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), hash, "-cert", pki.path(.rsa, "topbit.pem"),
                                       "-nonce", "-reqout", path.path])
        #expect(made.status == 0, "\(made.stderr)")

        let script = """
            import json, sys
            from cryptography.x509 import ocsp
            r = ocsp.load_der_ocsp_request(open(sys.argv[1], 'rb').read())
            print(json.dumps({'issuer_name_hash': r.issuer_name_hash.hex(), 'issuer_key_hash': r.issuer_key_hash.hex(),
                              'serial': format(r.serial_number, 'x'), 'hash_algorithm': r.hash_algorithm.name}))
            """
        let python = ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3"
        let peer = try run(python, ["-c", script, path.path])
        #expect(peer.status == 0, "\(peer.stderr)")
        let theirs = try CommandReport.decode(PythonRequestReport.self, from: peer.stdout)

        let result = try inspect(["--json", path.path])
        #expect(result.status == 0)
        let shown = try json(result)
        #expect(shown.type == "request")
        #expect(shown.signed == false)
        #expect(shown.nonce?.isEmpty == false)
        let ours = try #require(shown.requests?.first)
        #expect(ours.issuerNameHash == theirs.issuerNameHash)
        #expect(ours.issuerKeyHash == theirs.issuerKeyHash)
        #expect(ours.serial == theirs.serial)
        #expect(ours.serial == "9a4e31c2d5b6a7f8")
        #expect(ours.hashAlgorithm == theirs.hashAlgorithm)

        // The text form shows the same values; --issuer checks that the CertID names the CA.
        let text = try inspect(["--issuer", pki.path(.rsa, "ca.pem"), path.path])
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("Issuer Key Hash: \(theirs.issuerKeyHash)"))
        #expect(text.stdoutText.contains("Serial Number: 9a4e31c2d5b6a7f8"))
        #expect(try inspect(["--issuer", pki.path(.p256, "ca.pem"), path.path]).status == 1)
    }

    // MARK: what must not verify, and what is not OCSP

    @Test func wrongIssuerFails() throws {
        let made = try request(["--issuer", pki.path(.rsa, "ca.pem"), "--cert", pki.path(.rsa, "good.pem")])
        let response = try opensslResponse(to: made.path, kind: .rsa, signer: "responder")
        let result = try inspect(["--issuer", pki.path(.p256, "ca.pem"), response.path])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("Verification: FAILED"))
        let shown = try json(try inspect(["--json", "--issuer", pki.path("foreign/ca.pem"), response.path]))
        let verification = try #require(shown.verification)
        #expect(verification.verified == false)
        #expect(verification.certIdsMatchIssuer == false)
        #expect(!verification.problems.isEmpty)
    }

    @Test(arguments: [TestPKI.Kind.rsa, .p256, .ed25519])
    func tamperedSignatureFails(kind: TestPKI.Kind) throws {
        let made = try request(["--issuer", pki.path(kind, "ca.pem"), "--cert", pki.path(kind, "good.pem")])
        let path = try opensslResponse(to: made.path, kind: kind)
        var bytes = [UInt8](try Data(contentsOf: path))
        // Find the signature's octets in the DER and flip one in the middle.
        let basic = try #require(try OCSPResponse(derEncoded: bytes[...]).basicResponse())
        let signature = Array(basic.signature.bytes)
        let offset = try #require((0...(bytes.count - signature.count)).first { bytes[$0..<$0 + signature.count].elementsEqual(signature) })
        bytes[offset + signature.count / 2] ^= 0x01
        let result = try inspect(["--json", "--issuer", pki.path(kind, "ca.pem"), "-"], stdin: Data(bytes))
        #expect(result.status == 1)
        let verification = try #require(try json(result).verification)
        #expect(verification.signatureValid == false)
        #expect(verification.verified == false)
        // Untouched, it verifies.
        #expect(try inspect(["--issuer", pki.path(kind, "ca.pem"), path.path]).status == 0)
    }

    @Test func garbageIsNeitherRequestNorResponse() throws {
        for input in [Data("hello, world\n".utf8), Data([0x30, 0x03, 0x02, 0x01, 0x01]), Data([0x04, 0x02, 0x00, 0x00]), Data()] {
            let result = try inspect(["-"], stdin: input)
            #expect(result.status == 2, "\(Array(input))")
            #expect(result.stderr.contains("neither an OCSP request nor an OCSP response"))
            #expect(result.stdout.isEmpty)
        }
        #expect(try inspect(["/nonexistent/resp.der"]).status == 66)
        #expect(try inspect(["--issuer", "/nonexistent/ca.pem", "-"], stdin: Data([0x30])).status == 78)
    }

    @Test func errorResponseIsShownAsSuch() throws {
        let malformed = Data([0x30, 0x03, 0x0A, 0x01, 0x01])
        let text = try inspect(["-"], stdin: malformed)
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("OCSP Response Status: malformedRequest (0x1)"))
        let shown = try json(try inspect(["--json", "-"], stdin: malformed))
        #expect(shown.type == "response")
        #expect(shown.responseStatus == "malformedRequest")
        #expect(shown.responseStatusCode == 1)
        #expect(shown.responses == nil)
        // An unsigned error cannot be verified.
        #expect(try inspect(["--issuer", pki.path(.rsa, "ca.pem"), "-"], stdin: malformed).status == 1)
    }

    // MARK: the hand-written JSON

    @Test func jsonEscapesEveryString() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} del \u{7F} é 漢字 🙂 \u{2028}"
        let value = JSONValue.object([("text", .string(awkward)), ("list", .array([.int(-1), .bool(true), .null])), ("empty", .object([]))])
        struct Rendered: Decodable {
            enum Scalar: Decodable, Equatable {
                case int(Int), bool(Bool), null
                init(from decoder: any Decoder) throws {
                    let value = try decoder.singleValueContainer()
                    if value.decodeNil() { self = .null } else if let flag = try? value.decode(Bool.self) { self = .bool(flag) } else { self = .int(try value.decode(Int.self)) }
                }
            }
            var text: String
            var list: [Scalar]
            var empty: [String: Scalar]
        }
        let parsed = try CommandReport.decode(Rendered.self, from: Data(value.rendered().utf8))
        #expect(parsed.text == awkward)
        #expect(parsed.list == [.int(-1), .bool(true), .null])
        #expect(parsed.empty.isEmpty)
    }
}
