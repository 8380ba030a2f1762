import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

/// A cache in memory, counting what the responder asks of it.
final class MemoryCache: ResponseCache {
    var entries: [CertID: [UInt8]] = [:]
    var checkMarks: [CertID: UnixTime] = [:]
    var stores = 0
    var renewals = 0

    func storedResponse(for certID: CertID) -> KeptResponse? {
        entries[certID].map { KeptResponse(der: $0, checkedAt: checkMarks[certID] ?? .epoch) }
    }

    func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime) {
        entries[certID] = der
        checkMarks[certID] = checkedAt
        stores += 1
    }

    func renew(_ certID: CertID, checkedAt: UnixTime) {
        checkMarks[certID] = checkedAt
        renewals += 1
    }

    func discard(_ certID: CertID) {
        entries[certID] = nil
        checkMarks[certID] = nil
    }
}

/// A status table in memory that counts its look-ups and can be changed or failed between requests.
final class CountingStatusSource: CertificateStatusSource {
    var rows: [CertificateSerialNumber: RecordedStatus]
    var failure: StatusSourceError?
    var lookUps = 0

    init(rows: [UInt64: RecordedStatus]) {
        self.rows = Dictionary(uniqueKeysWithValues: rows.map { (serial($0.key), $0.value) })
    }

    func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        lookUps += 1
        if let failure { throw failure }
        return rows[serial]
    }
}

/// The cache, the intermediate's pre-signed response and several CAs, with in-memory tables; every
/// signed response goes to both peers.
@Suite struct CacheAndPresignedTests {
    func verified(_ der: [UInt8], _ fixture: CAFixture) throws -> [PeerReport.Single] {
        (try Peers.verifySuccessful(response: Data(der), issuer: fixture.certificatePath, chain: fixture.chainPath)).responses
    }

    func responder(_ fixture: CAFixture, rows: [UInt64: RecordedStatus], cache: MemoryCache) -> OCSPResponder {
        var responder = OCSPResponder(fixture, rows: rows)
        responder.cache = cache
        return responder
    }

    func responder(_ fixture: CAFixture, table: CountingStatusSource, cache: MemoryCache, revalidate: Int64 = 60) -> OCSPResponder {
        var responder = OCSPResponder(fixture)
        responder.authorities[0].statusSource = table
        responder.cache = cache
        responder.revalidation = Revalidation(interval: revalidate)
        return responder
    }

    /// A responder with a cache, over a table where 0x1001 is good, and a request for 0x1001.
    func keptGood(_ kind: TestPKI.Kind) throws -> (CAFixture, MemoryCache, [UInt8], CountingStatusSource, OCSPResponder) {
        let fixture = try CAFixture(kind)
        let cache = MemoryCache()
        let table = CountingStatusSource(rows: [0x1001: .good])
        return (fixture, cache, try fixture.request([0x1001]), table, responder(fixture, table: table, cache: cache, revalidate: 60))
    }

    @Test func missThenHitServesTheSameBytesUntilNextUpdate() throws {
        let fixture = try CAFixture(.p256)
        let cache = MemoryCache()
        let request = try fixture.request([0x1002])
        let revoked = RecordedStatus.revoked(at: UnixTime(year: 2026, month: 1, day: 1), reason: .superseded)
        let table = CountingStatusSource(rows: [0x1002: revoked])
        let first = responder(fixture, table: table, cache: cache, revalidate: 3600).respond(to: request, at: now)
        #expect(first.cache == .miss)
        #expect(cache.stores == 1)
        #expect(cache.checkMarks.values.first == now)
        #expect(try verified(first.der, fixture).first?.certStatus == "REVOKED")

        // Within the revalidation window the kept response is served, byte for byte, with no look-up.
        let later = responder(fixture, table: table, cache: cache, revalidate: 3600).respond(to: request, at: now + 3599)
        #expect(later.cache == .hit)
        #expect(later.der == first.der)
        #expect(later.answers.first?.source == .cache)
        #expect(later.answers.first?.status.name == "revoked")
        #expect(table.lookUps == 1)

        // At nextUpdate (validity 3600 s) it is stale: signed anew, and replaced.
        table.rows = [serial(0x1002): .good]
        let expired = responder(fixture, table: table, cache: cache).respond(to: request, at: now + 3600)
        #expect(expired.cache == .miss)
        #expect(expired.der != first.der)
        #expect(cache.entries.values.first == expired.der)
        #expect(try verified(expired.der, fixture).first?.certStatus == "GOOD")
    }

    @Test("A kept response is served unchecked within revalidate; after it the table is asked: unchanged renews, changed re-signs")
    func revalidation() throws {
        let (fixture, cache, request, table, responder) = try keptGood(.rsa)
        let first = responder.respond(to: request, at: now)
        #expect(first.cache == .miss)
        #expect(first.checkedAt == now)

        // Revoked by some other means (SQL, another host): unseen while the mark is fresh.
        table.rows[serial(0x1001)] = .revoked(at: now + 10, reason: .keyCompromise)
        let hit = responder.respond(to: request, at: now + 59)
        #expect(hit.cache == .hit)
        #expect(hit.der == first.der)
        #expect(table.lookUps == 1)

        // 60 s after the check: asked again, and the revocation is signed and kept.
        let changed = responder.respond(to: request, at: now + 60)
        #expect(changed.cache == .changed)
        #expect(table.lookUps == 2)
        #expect(cache.stores == 2)
        #expect(cache.checkMarks.values.first == now + 60)
        let singles = try verified(changed.der, fixture)
        #expect(singles.first?.certStatus == "REVOKED")
        #expect(singles.first?.revocationReason == "key_compromise")

        // Unchanged at the next check: the same bytes, a renewed mark, no signature.
        let revalidated = responder.respond(to: request, at: now + 125)
        #expect(revalidated.cache == .revalidated)
        #expect(revalidated.der == changed.der)
        #expect(revalidated.checkedAt == now + 125)
        #expect(cache.renewals == 1)
        #expect(cache.stores == 2)
        #expect(cache.checkMarks.values.first == now + 125)
        #expect(responder.respond(to: request, at: now + 184).cache == .hit)
        #expect(table.lookUps == 3)

        // The same revocation with another reason is a change too.
        table.rows[serial(0x1001)] = .revoked(at: now + 10, reason: .cessationOfOperation)
        let reason = responder.respond(to: request, at: now + 185)
        #expect(reason.cache == .changed)
        #expect(try verified(reason.der, fixture).first?.revocationReason == "cessation_of_operation")
    }

    @Test("The table down at revalidation: the kept response is served unrevalidated, with the reason; a store that answers wrongly is internalError")
    func revalidationWithTheTableDown() throws {
        let (fixture, cache, request, table, responder) = try keptGood(.p256)
        let first = responder.respond(to: request, at: now)

        table.failure = StatusSourceError(.unavailable, "connection refused")
        let unrevalidated = responder.respond(to: request, at: now + 600)
        #expect(unrevalidated.status == .successful)
        #expect(unrevalidated.cache == .unrevalidated)
        #expect(unrevalidated.der == first.der)
        #expect(unrevalidated.reason?.contains("unrevalidated") == true)
        #expect(unrevalidated.reason?.contains("connection refused") == true)
        #expect(unrevalidated.checkedAt == now)
        #expect(cache.renewals == 0)
        // Within its validity only: past nextUpdate nothing is kept that may be served.
        #expect(responder.respond(to: request, at: now + 3600).status == .tryLater)
        // A nonce request never uses the cache: tryLater.
        #expect(responder.respond(to: try fixture.request([0x1001], nonce: [7, 7, 7, 7]), at: now + 600).status == .tryLater)

        table.failure = StatusSourceError(.failed, "no such table")
        let broken = responder.respond(to: request, at: now + 600)
        #expect(broken.status == .internalError)
        #expect(broken.reason?.contains("no such table") == true)
    }

    @Test("revalidate = 0 asks the table on every request; a check mark in the future is not trusted; a serial gone from the table is dropped")
    func revalidationEdges() throws {
        let (fixture, cache, request, table, responder) = try keptGood(.rsa)
        var everyTime = responder
        everyTime.revalidation = Revalidation(interval: 0)
        let first = everyTime.respond(to: request, at: now)
        for offset in [0, 1, 2] as [Int64] {
            let outcome = everyTime.respond(to: request, at: now + offset)
            #expect(outcome.cache == .revalidated)
            #expect(outcome.der == first.der)
        }
        #expect(table.lookUps == 4)
        #expect(cache.stores == 1)

        let certID = fixture.identity.certID(serial: serial(0x1001), hash: .sha1)
        cache.checkMarks[certID] = now + 3000
        #expect(responder.respond(to: request, at: now + 5).cache == .revalidated)
        #expect(cache.checkMarks[certID] == now + 5)

        table.rows = [:]
        let gone = responder.respond(to: request, at: now + 70)
        #expect(gone.cache == .changed)
        #expect(gone.answers.first?.status.name == "unknown")
        #expect(cache.entries[certID] == nil)
        #expect(try verified(gone.der, fixture).first?.certStatus == "UNKNOWN")
    }

    @Test func nonceSeveralCertIDsAndNotFoundAreNeverKept() throws {
        let fixture = try CAFixture(.rsa)
        let cache = MemoryCache()
        let responder = responder(fixture, rows: [0x1001: .good, 0x1002: .good], cache: cache)
        let withNonce = responder.respond(to: try fixture.request([0x1001], nonce: [1, 2, 3, 4]), at: now)
        #expect(withNonce.cache == .bypass)
        let several = responder.respond(to: try fixture.request([0x1001, 0x1002]), at: now)
        #expect(several.cache == .bypass)
        let absent = responder.respond(to: try fixture.request([0x7777]), at: now)
        #expect(absent.status == .successful)
        #expect(cache.stores == 0)
        for outcome in [withNonce, several, absent] { _ = try verified(outcome.der, fixture) }
    }

    @Test func corruptForeignOrOtherSignersEntriesAreIgnoredAndReplaced() throws {
        let fixture = try CAFixture(.rsa)
        let other = try CAFixture(.p256)
        let request = try fixture.request([0x1001])
        let certID = fixture.identity.certID(serial: serial(0x1001), hash: .sha1)
        let foreignDER = responder(fixture, rows: [0x1002: .good], cache: MemoryCache())
            .respond(to: try fixture.request([0x1002]), at: now).der
        let otherSignerDER = try OCSPResponder.sign(
            OCSPResponder.responseData([(certID, .good)], signer: other.signer, at: now, validity: 3600), with: other.signer
        )
        for planted in [[0x30, 0x03, 0x0A], Array("garbage".utf8), foreignDER, otherSignerDER] as [[UInt8]] {
            let cache = MemoryCache()
            cache.entries[certID] = planted
            cache.checkMarks[certID] = now
            let outcome = responder(fixture, rows: [0x1001: .good], cache: cache).respond(to: request, at: now)
            #expect(outcome.cache == .miss)
            #expect(outcome.der != planted)
            #expect(cache.entries[certID] == outcome.der)
            _ = try verified(outcome.der, fixture)
        }
    }

    /// The rsa intermediate's own status, signed by the root, as `ocsp-responder sign` would make it.
    struct RootSigned {
        let root: Certificate
        let rootSigner: OpenSSLSigner
        let rootIdentity: IssuerIdentity
        let intermediate: Certificate

        init() throws {
            let pki = TestPKI.shared
            func load(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
            root = try Certificate.certificates(pem: try load(pki.root))[0]
            rootSigner = try OpenSSLSigner(
                certificate: root, key: try PrivateKey(pem: try load(pki.path("root.key")), passphrase: nil), includeCertificate: false
            )
            rootIdentity = IssuerIdentity(root, digester: OpenSSLDigester())
            intermediate = try Certificate.certificates(pem: try load(pki.path(.rsa, "ca.pem")))[0]
        }

        func certID(_ hash: HashAlgorithm = .sha1, serial: CertificateSerialNumber? = nil) throws -> CertID {
            rootIdentity.certID(serial: serial ?? intermediate.serialNumber, hash: hash)
        }

        func response(at time: UnixTime, validity: Int64, certID: CertID) throws -> [UInt8] {
            try OCSPResponder.sign(
                OCSPResponder.responseData([(certID, .good)], signer: rootSigner, at: time, validity: validity), with: rootSigner
            )
        }

        func responder(_ fixture: CAFixture, file: @escaping () throws -> [UInt8]) throws -> OCSPResponder {
            try responder(fixture, files: ["int.der": file])
        }

        /// Several `ocspresponse` files, in the order of their names.
        func responder(_ fixture: CAFixture, files: [String: () throws -> [UInt8]]) throws -> OCSPResponder {
            var responder = OCSPResponder(fixture, rows: [0x1001: .good])
            responder.authorities[0].intermediate = IntermediateResponse(
                serial: intermediate.serialNumber, issuerNameDER: intermediate.issuerNameDER, paths: files.keys.sorted(),
                digester: OpenSSLDigester(), read: { path in
                    guard let file = files[path] else { throw POSIXError(.ENOENT) }
                    return try file()
                }
            )
            return responder
        }

        /// One response answering for the intermediate with several CertIDs, as `sign --hash A --hash B` makes it.
        func response(at time: UnixTime, validity: Int64, certIDs: [CertID]) throws -> [UInt8] {
            try OCSPResponder.sign(
                OCSPResponder.responseData(certIDs.map { ($0, .good) }, signer: rootSigner, at: time, validity: validity), with: rootSigner
            )
        }
    }

    @Test(arguments: [HashAlgorithm.sha1, .sha256])
    func theIntermediatesRequestGetsTheRootSignedFileByteForByte(hash: HashAlgorithm) throws {
        let fixture = try CAFixture(.rsa)
        let root = try RootSigned()
        let file = try root.response(at: now + -60, validity: 86_400, certID: try root.certID(hash))
        let pem = Array(PEM.encode(file, label: "OCSP RESPONSE").utf8)
        for stored in [file, pem] {
            let outcome = try root.responder(fixture, file: { stored }).respond(to: try makeRequest([try root.certID(hash)]), at: now)
            #expect(outcome.status == .successful, "\(outcome.reason ?? "")")
            #expect(outcome.der == file)
            #expect(outcome.answers.first?.source == .ocspresponse)
            let json = try Peers.python(response: Data(outcome.der), issuer: TestPKI.shared.root)
            #expect(json.signatureValid == true)
            try Peers.opensslVerify(response: Data(outcome.der), chain: TestPKI.shared.root)
        }
        // The leaves are still answered by the intermediate itself.
        let leaf = try root.responder(fixture, file: { file }).respond(to: try fixture.request([0x1001]), at: now)
        #expect(try verified(leaf.der, fixture).first?.certStatus == "GOOD")
    }

    @Test func anUnusableFileGetsTryLaterNamingTheFile() throws {
        let fixture = try CAFixture(.rsa)
        let root = try RootSigned()
        let request = try makeRequest([try root.certID()])
        let cases: [(String, () throws -> [UInt8])] = [
            ("expired at its nextUpdate", { try root.response(at: now + -2 * 86_400, validity: 86_400, certID: try root.certID()) }),
            ("in the future", { try root.response(at: now + 600, validity: 86_400, certID: try root.certID()) }),
            ("does not answer for serial", { try root.response(at: now, validity: 86_400, certID: try root.certID(serial: serial(0x55))) }),
            ("not a DER OCSP response", { [0x30, 0x01, 0x00] }),
            ("neither DER nor PEM", { Array("hello".utf8) }),
            ("No such file", { throw POSIXError(.ENOENT) }),
        ]
        for (expected, file) in cases {
            let outcome = try root.responder(fixture, file: file).respond(to: request, at: now)
            #expect(outcome.status == .tryLater)
            #expect(outcome.der == [0x30, 0x03, 0x0A, 0x01, 0x03])
            #expect(outcome.reason?.contains("ocspresponse int.der") == true)
            #expect(outcome.reason?.contains(expected) == true || expected == "No such file", "\(outcome.reason ?? "")")
        }
    }

    @Test func severalCAsTheFirstNamedAnswersAndOthersAreUnknown() throws {
        let rsa = try CAFixture(.rsa)
        let p256 = try CAFixture(.p256)
        let responder = OCSPResponder(authorities: [
            Authority(issuer: rsa.identity, signer: rsa.signer, statusSource: InMemoryStatusSource(rows: [serial(0x1001): .good]), validity: 3600),
            Authority(issuer: p256.identity, signer: p256.signer, statusSource: InMemoryStatusSource(rows: [serial(0x1001): .good]), validity: 3600, name: "p256"),
        ])
        // A request for the second CA alone is signed by the second CA.
        let second = responder.respond(to: try p256.request([0x1001]), at: now)
        #expect(try verified(second.der, p256).first?.certStatus == "GOOD")

        // Both: the first CertID's CA (p256) answers; the rsa CertID gets unknown (p256 cannot speak for rsa).
        let mixed = responder.respond(to: try makeRequest([
            p256.identity.certID(serial: serial(0x1001), hash: .sha1), rsa.identity.certID(serial: serial(0x1001), hash: .sha1),
        ]), at: now)
        #expect(mixed.answers.map(\.status.name) == ["good", "unknown"])
        let json = try Peers.python(response: Data(mixed.der), issuer: p256.certificatePath)
        #expect(json.signatureValid == true)
        try Peers.opensslVerify(response: Data(mixed.der), chain: p256.chainPath, trustedSigner: p256.certificatePath)
    }

    @Test func twoSectionsForOneCAAreAnsweredTogether() throws {
        let rsa = try CAFixture(.rsa)
        let responder = OCSPResponder(authorities: [
            Authority(issuer: rsa.identity, signer: rsa.signer, statusSource: InMemoryStatusSource(rows: [serial(0x1001): .good]), validity: 3600),
            Authority(issuer: rsa.identity, signer: rsa.signer, statusSource: InMemoryStatusSource(rows: [serial(0x2002): .revoked(at: .epoch, reason: nil)]), validity: 3600, name: "old-table"),
        ])
        let outcome = responder.respond(to: try rsa.request([0x1001, 0x2002]), at: now)
        let singles = try verified(outcome.der, rsa)
        #expect(singles.map { $0.certStatus } == ["GOOD", "REVOKED"])
    }
}
