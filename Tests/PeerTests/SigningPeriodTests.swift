import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import Testing
import TestSupport

/// Issue 15, items 5–7: nothing signed outside the signer's period, nextUpdate never past its end, and the
/// CA's own status never answered with a file that does not hold the CertID asked. Every signed response
/// is verified by openssl and Python cryptography.
@Suite struct SigningPeriodTests {
    /// A self-signed CA made by Python cryptography, valid from `days.from` to `days.to` days from now:
    /// it answers for its own certificates.
    struct PeerCA {
        let certificatePath: String
        let summary: Certificate
        let signer: OpenSSLSigner
        let identity: IssuerIdentity

        init(days: (from: Double, to: Double)) throws {
            let directory = try makeTemporaryDirectory("ocsp-period")
            let cert = directory.appendingPathComponent("ca.pem").path
            let key = directory.appendingPathComponent("ca.key").path
            try Peers.make(["cert", "--days-from", "\(days.from)", "--days-to", "\(days.to)", "--out-cert", cert, "--out-key", key])
            certificatePath = cert
            let certificate = try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: cert))))[0]
            summary = certificate
            signer = try OpenSSLSigner(
                certificate: certificate, key: try PrivateKey(pem: Array(try Data(contentsOf: URL(fileURLWithPath: key))), passphrase: nil),
                includeCertificate: false
            )
            identity = IssuerIdentity(summary, digester: OpenSSLDigester())
        }

        func responder(cache: MemoryCache? = nil) -> OCSPResponder {
            OCSPResponder(authorities: [Authority(
                issuer: identity, signer: signer, statusSource: InMemoryStatusSource(rows: [serial(0x1001): .good]), validity: 86_400
            )], cache: cache)
        }

        func request() throws -> [UInt8] { try makeRequest([identity.certID(serial: serial(0x1001), hash: .sha1)]) }
    }

    var realNow: UnixTime { UnixTime(seconds: Int64(Date().timeIntervalSince1970)) }

    @Test func aSignerOutsideItsPeriodGetsTryLaterAndSignsNothing() throws {
        for (days, expected) in [((-10.0, -1.0), "expired at"), ((1.0, 10.0), "not valid before")] {
            let ca = try PeerCA(days: days)
            let outcome = ca.responder().respond(to: try ca.request(), at: realNow)
            #expect(outcome.status == .tryLater, "\(outcome.reason ?? "")")
            #expect(outcome.der == [0x30, 0x03, 0x0A, 0x01, 0x03])
            #expect(outcome.reason?.contains(expected) == true, "\(outcome.reason ?? "")")
            #expect(outcome.signerNotice == outcome.reason)
            // Whoever calls the signing function itself gets a refusal, not a response clients reject.
            let data = OCSPResponder.responseData([(ca.identity.certID(serial: serial(0x1001), hash: .sha1), .good)],
                                                  signer: ca.signer, at: realNow, validity: 3600)
            #expect(throws: SigningPeriodError.self) { try OCSPResponder.sign(data, with: ca.signer) }
        }
    }

    @Test func aKeptAnswerIsNotServedOnceTheSignerExpired() throws {
        let ca = try PeerCA(days: (-1, 0.01))  // about 14 minutes left
        let cache = MemoryCache()
        let first = ca.responder(cache: cache).respond(to: try ca.request(), at: realNow)
        #expect(first.status == .successful)
        #expect(!cache.entries.isEmpty)
        let later = ca.responder(cache: cache).respond(to: try ca.request(), at: ca.summary.notAfter)
        #expect(later.status == .tryLater, "\(later.reason ?? "")")
    }

    @Test func nextUpdateIsCappedAtTheSignersNotAfterAndSaidSo() throws {
        let ca = try PeerCA(days: (-1, 0.01))
        let outcome = ca.responder().respond(to: try ca.request(), at: realNow)
        #expect(outcome.status == .successful, "\(outcome.reason ?? "")")
        #expect(outcome.nextUpdate == ca.summary.notAfter)
        #expect(outcome.signerNotice?.contains("nextUpdate capped at \(ca.summary.notAfter)") == true, "\(outcome.signerNotice ?? "")")
        let json = try Peers.python(response: Data(outcome.der), issuer: ca.certificatePath)
        #expect(json.signatureValid == true)
        #expect(json.responses.first?.nextUpdate == ca.summary.notAfter.iso8601)
        try Peers.opensslVerify(response: Data(outcome.der), chain: ca.certificatePath)

        // A signer with a long life left is not capped, and nothing is said.
        let long = try PeerCA(days: (-1, 30))
        let uncapped = long.responder().respond(to: try long.request(), at: realNow)
        #expect(uncapped.nextUpdate == realNow + 86_400 || uncapped.nextUpdate == realNow + 86_401)
        #expect(uncapped.signerNotice == nil)
    }

    @Test func theIssuersNotAfterCapsADelegatesPeriod() throws {
        let pki = TestPKI.shared
        func summary(_ path: String) throws -> Certificate {
            try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: path))))[0]
        }
        let responder = try summary(pki.path(.rsa, "responder.pem"))
        let peer = try PeerCA(days: (-1, 0.01))
        // An issuer that ends first bounds the period, and the message names it.
        let period = SigningPeriod(signer: responder, issuer: peer.summary)
        #expect(period.notAfter == peer.summary.notAfter)
        #expect(period.capNotice(at: realNow, validity: 86_400)?.contains("the issuer's certificate") == true)
        #expect(SigningPeriod(signer: responder, issuer: nil).notAfter == responder.notAfter)
    }

    // MARK: the CA's own status (item 7)

    @Test func aFileWithoutTheCertIDAskedIsNotServedButUnauthorized() throws {
        let fixture = try CAFixture(.rsa)
        let root = try CacheAndPresignedTests.RootSigned()
        let sha1Only = try root.response(at: now + -60, validity: 86_400, certID: try root.certID(.sha1))
        let outcome = try root.responder(fixture, file: { sha1Only }).respond(to: try makeRequest([try root.certID(.sha256)]), at: now)
        #expect(outcome.status == .unauthorized, "\(outcome.reason ?? "")")
        #expect(outcome.der == [0x30, 0x03, 0x0A, 0x01, 0x06])
        #expect(outcome.reason?.contains("sign --hash sha256") == true, "\(outcome.reason ?? "")")
        // The SHA-1 request is still answered with it.
        let sha1 = try root.responder(fixture, file: { sha1Only }).respond(to: try makeRequest([try root.certID(.sha1)]), at: now)
        #expect(sha1.der == sha1Only)
    }

    @Test func severalFilesOrOneWithSeveralHashesAnswerEachHashAsked() throws {
        let fixture = try CAFixture(.rsa)
        let root = try CacheAndPresignedTests.RootSigned()
        let sha1 = try root.response(at: now + -60, validity: 86_400, certID: try root.certID(.sha1))
        let sha256 = try root.response(at: now + -60, validity: 86_400, certID: try root.certID(.sha256))
        let both = try root.response(at: now + -60, validity: 86_400, certIDs: [try root.certID(.sha1), try root.certID(.sha256)])
        let separate = try root.responder(fixture, files: ["a-sha1.der": { sha1 }, "b-sha256.der": { sha256 }])
        let together = try root.responder(fixture, files: ["both.der": { both }])
        for (responder, hash, expected) in [(separate, HashAlgorithm.sha1, sha1), (separate, .sha256, sha256),
                                            (together, .sha1, both), (together, .sha256, both)] {
            let request = try makeRequest([try root.certID(hash)])
            let outcome = responder.respond(to: request, at: now)
            #expect(outcome.status == .successful, "\(outcome.reason ?? "")")
            #expect(outcome.der == expected)
            let json = try Peers.python(response: Data(outcome.der), issuer: TestPKI.shared.root)
            #expect(json.signatureValid == true)
            #expect(json.responses.contains { $0.hashAlgorithm == hash.rawValue })
            try Peers.opensslVerify(response: Data(outcome.der), chain: TestPKI.shared.root)
        }
        // A broken file before a sound one does not hide the sound one.
        let broken = try root.responder(fixture, files: ["a.der": { [0x30, 0x01, 0x00] }, "b.der": { sha256 }])
        #expect(broken.respond(to: try makeRequest([try root.certID(.sha256)]), at: now).der == sha256)
    }
}
