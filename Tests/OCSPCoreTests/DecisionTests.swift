import OCSPCore
import OCSPWire
import SwiftASN1
import Testing
import TestSupport

/// The responder's decisions, in process: what it answers for each CertID, read back with our own parser.
/// (That the signatures verify is checked by the peers in PeerTests' ResponderLogicTests.)
@Suite struct DecisionTests {
    func basic(_ outcome: ResponderOutcome) throws -> BasicOCSPResponse {
        #expect(outcome.status == .successful, "\(outcome.reason ?? "")")
        let response = try OCSPResponse(derEncoded: outcome.der[...])
        return try #require(try response.basicResponse())
    }

    @Test func goodRevokedAndUnknownInRequestOrder() throws {
        let revokedAt = UnixTime(year: 2026, month: 1, day: 2, hours: 3)
        let responder = try OCSPResponder.stub(rows: [0x1001: .good, 0x1002: .revoked(at: revokedAt, reason: .keyCompromise)])
        let outcome = responder.respond(to: try CoreFixture.identity().request([0x1002, 0x7777, 0x1001]), at: now)
        let basic = try basic(outcome)
        let singles = basic.tbsResponseData.responses
        #expect(singles.map(\.certID.serialNumber) == [serial(0x1002), serial(0x7777), serial(0x1001)])
        #expect(singles.map(\.certStatus.name) == ["revoked", "unknown", "good"])
        guard case .revoked(let info) = singles[0].certStatus else { Issue.record("not revoked"); return }
        #expect(UnixTime(info.revocationTime) == revokedAt)
        #expect(info.revocationReason == .keyCompromise)
        #expect(singles.allSatisfy { UnixTime($0.thisUpdate) == now && $0.nextUpdate.map(UnixTime.init) == now + 3600 })
        #expect(UnixTime(basic.tbsResponseData.producedAt) == now)
        #expect(outcome.answers.map(\.status.name) == ["revoked", "unknown", "good"])
        #expect(outcome.answers.map(\.source) == [.database, .notFound, .database])
        // What the signer gave, where RFC 6960 puts it.
        #expect(basic.signatureAlgorithm == StubSigner().signatureAlgorithm)
        #expect(Array(basic.signature.bytes) == StubSigner.signature)
        #expect(basic.tbsResponseData.responderID == .byKey(ASN1OctetString(contentBytes: StubSigner().responderKeyHash[...])))
        #expect(basic.certs == nil)
    }

    /// A request openssl made (committed) is answered CertID for CertID, the CertIDs echoed octet for octet.
    @Test func anOpenSSLRequestIsAnsweredWithItsOwnCertIDs() throws {
        let der = try CoreFixture.bytes("openssl-request-sha256-nonce.der")
        let request = try OCSPResponder.parseRequest(der)
        let outcome = try OCSPResponder.stub(rows: [0x1001: .good]).respond(to: der, at: now)
        let basic = try basic(outcome)
        let asked = request.tbsRequest.requestList.map(\.certID)
        #expect(try basic.tbsResponseData.responses.map { try $0.certID.derBytes() } == asked.map { try $0.derBytes() })
        #expect(basic.tbsResponseData.responses.map(\.certStatus.name) == ["good", "unknown"])
        let nonce = request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce]
        #expect(nonce != nil && basic.tbsResponseData.responseExtensions?[OCSPObjectIdentifier.nonce]?.value == nonce?.value)
    }

    @Test func certIDIsEchoedExactlyEvenWithoutNullParameters() throws {
        var certID = try CoreFixture.identity().certID(serial: serial(0x1001), hash: .sha256)
        certID.hashAlgorithm.parameters = nil
        let outcome = try OCSPResponder.stub(rows: [0x1001: .good]).respond(to: try makeRequest([certID]), at: now)
        let echoed = try basic(outcome).tbsResponseData.responses[0].certID
        #expect(echoed == certID)
        #expect(try echoed.derBytes() == certID.derBytes())
    }

    @Test(arguments: HashAlgorithm.allCases)
    func everyCertIDHashIsAccepted(hash: HashAlgorithm) throws {
        let outcome = try OCSPResponder.stub(rows: [0x1001: .good]).respond(to: try CoreFixture.identity().request([0x1001], hash: hash), at: now)
        let single = try #require(try basic(outcome).tbsResponseData.responses.first)
        #expect(HashAlgorithm(single.certID.hashAlgorithm) == hash)
        #expect(single.certStatus == .good)
    }

    @Test func foreignIssuerOnlyIsUnauthorizedAndMixedIsUnknown() throws {
        let responder = try OCSPResponder.stub(rows: [0x1001: .good])
        let foreign = responder.respond(to: try CoreFixture.foreignIdentity.request([0x1001]), at: now)
        #expect(foreign.status == .unauthorized)
        #expect(foreign.der == [0x30, 0x03, 0x0A, 0x01, 0x06])
        let mixed = try makeRequest([
            CoreFixture.foreignIdentity.certID(serial: serial(0x1001), hash: .sha1),
            try CoreFixture.identity().certID(serial: serial(0x1001), hash: .sha1),
        ])
        #expect(try basic(responder.respond(to: mixed, at: now)).tbsResponseData.responses.map(\.certStatus.name) == ["unknown", "good"])
    }

    @Test func notFoundPolicies() throws {
        let request = try CoreFixture.identity().request([0x7777])
        let unknown = try basic(try OCSPResponder.stub(notFound: .unknown).respond(to: request, at: now))
        #expect(unknown.tbsResponseData.responses.first?.certStatus == .unknown)
        #expect(try OCSPResponder.stub(notFound: .unauthorized).respond(to: request, at: now).status == .unauthorized)

        // RFC 6960 §2.2: "revoked" for a certificate never issued, on hold since the epoch, with extended revoke.
        let revoked = try basic(try OCSPResponder.stub(notFound: .revoked).respond(to: request, at: now))
        guard case .revoked(let info) = revoked.tbsResponseData.responses.first?.certStatus else { Issue.record("not revoked"); return }
        #expect(info.revocationReason == .certificateHold)
        #expect(UnixTime(info.revocationTime) == .epoch)
        #expect(revoked.tbsResponseData.responseExtensions?[OCSPObjectIdentifier.extendedRevoke]?.value == [0x05, 0x00])
    }

    @Test func storeFailuresMapToTryLaterAndInternalError() throws {
        let request = try CoreFixture.identity().request([0x1001])
        let down = try OCSPResponder.stub(failure: StatusSourceError(.unavailable, "down")).respond(to: request, at: now)
        #expect(down.status == .tryLater)
        #expect(down.der == [0x30, 0x03, 0x0A, 0x01, 0x03])
        let broken = try OCSPResponder.stub(failure: StatusSourceError(.failed, "no table")).respond(to: request, at: now)
        #expect(broken.status == .internalError)
        #expect(broken.der == [0x30, 0x03, 0x0A, 0x01, 0x02])
    }

    @Test func unknownHashAlgorithmDoesNotMatch() throws {
        var certID = try CoreFixture.identity().certID(serial: serial(0x1001), hash: .sha1)
        certID.hashAlgorithm = AlgorithmIdentifier(algorithm: [1, 2, 840, 113549, 2, 5])  // MD5
        #expect(try OCSPResponder.stub(rows: [0x1001: .good]).respond(to: try makeRequest([certID]), at: now).status == .unauthorized)
    }

    /// Outside the signer's period nothing is signed: tryLater, and the reason says which end was passed.
    @Test func aSignerOutsideItsPeriodGetsTryLater() throws {
        var responder = try OCSPResponder.stub(rows: [0x1001: .good])
        responder.authorities[0].signer = StubSigner(period: SigningPeriod(notBefore: now + 60, notAfter: now + 86_400))
        let early = responder.respond(to: try CoreFixture.identity().request([0x1001]), at: now)
        #expect(early.status == .tryLater)
        #expect(early.reason?.contains("not valid before") == true, "\(early.reason ?? "")")
        responder.authorities[0].signer = StubSigner(period: SigningPeriod(notBefore: now + -86_400, notAfter: now + 600))
        let capped = responder.respond(to: try CoreFixture.identity().request([0x1001]), at: now)
        #expect(capped.nextUpdate == now + 600)
        #expect(try basic(capped).tbsResponseData.responses.first?.nextUpdate.map(UnixTime.init) == now + 600)
    }
}
