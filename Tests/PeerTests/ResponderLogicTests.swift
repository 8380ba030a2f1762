import OCSPCore
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

/// The decision logic with an in-memory table; every signed response goes to both peers.
@Suite struct ResponderLogicTests {
    func verified(_ outcome: ResponderOutcome, _ fixture: CAFixture) throws -> [PeerReport.Single] {
        #expect(outcome.status == .successful, "\(outcome.reason ?? "")")
        let json = try Peers.verifySuccessful(response: Data(outcome.der), issuer: fixture.certificatePath, chain: fixture.chainPath)
        return json.responses
    }

    @Test(arguments: TestPKI.Kind.allCases)
    func goodRevokedAndUnknownInRequestOrder(kind: TestPKI.Kind) throws {
        let fixture = try CAFixture(kind)
        let responder = OCSPResponder(fixture, rows: [
            0x1001: .good,
            0x1002: .revoked(at: UnixTime(year: 2026, month: 1, day: 2, hours: 3), reason: .keyCompromise),
        ])
        let outcome = responder.respond(to: try fixture.request([0x1002, 0x7777, 0x1001]), at: now)
        let singles = try verified(outcome, fixture)
        #expect(singles.map { $0.serialHex } == ["1002", "7777", "1001"])
        #expect(singles.map { $0.certStatus } == ["REVOKED", "UNKNOWN", "GOOD"])
        #expect(singles[0].revocationReason == "key_compromise")
        #expect(singles[0].revocationTime == "2026-01-02T03:00:00Z")
        #expect(singles[2].thisUpdate == now.iso8601)
        #expect(singles[2].nextUpdate == (now + 3600).iso8601)
    }

    @Test func certIDIsEchoedExactlyEvenWithoutNullParameters() throws {
        let fixture = try CAFixture(.rsa)
        var certID = fixture.identity.certID(serial: serial(0x1001), hash: .sha256)
        certID.hashAlgorithm.parameters = nil
        let outcome = OCSPResponder(fixture, rows: [0x1001: .good]).respond(to: try makeRequest([certID]), at: now)
        let basic = try #require(try OCSPResponse(derEncoded: outcome.der).basicResponse())
        #expect(basic.tbsResponseData.responses[0].certID == certID)
        #expect(try basic.tbsResponseData.responses[0].certID.derBytes() == certID.derBytes())
        _ = try verified(outcome, fixture)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func everyCertIDHashIsAccepted(hash: HashAlgorithm) throws {
        let fixture = try CAFixture(.p256)
        let outcome = OCSPResponder(fixture, rows: [0x1001: .good]).respond(to: try fixture.request([0x1001], hash: hash), at: now)
        let singles = try verified(outcome, fixture)
        #expect(singles.first?.hashAlgorithm == hash.rawValue)
        #expect(singles.first?.certStatus == "GOOD")
    }

    @Test func foreignIssuerOnlyIsUnauthorizedAndMixedIsUnknown() throws {
        let ours = try CAFixture(.rsa)
        let theirs = try CAFixture(.p256)
        let responder = OCSPResponder(ours, rows: [0x1001: .good])
        let foreign = responder.respond(to: try theirs.request([0x1001]), at: now)
        #expect(foreign.status == .unauthorized)
        #expect(foreign.der == [0x30, 0x03, 0x0A, 0x01, 0x06])

        let mixed = try makeRequest([
            theirs.identity.certID(serial: serial(0x1001), hash: .sha1),
            ours.identity.certID(serial: serial(0x1001), hash: .sha1),
        ])
        let outcome = responder.respond(to: mixed, at: now)
        #expect(outcome.status == .successful)
        try Peers.opensslVerify(response: Data(outcome.der), chain: ours.chainPath, trustedSigner: ours.certificatePath)
        let json = try Peers.python(response: Data(outcome.der), issuer: ours.certificatePath)
        #expect(json.signatureValid == true)
        #expect(json.responses.map { $0.certStatus } == ["UNKNOWN", "GOOD"])
    }

    @Test func notFoundPolicies() throws {
        let fixture = try CAFixture(.rsa)
        let request = try fixture.request([0x7777])

        let unknown = try verified(OCSPResponder(fixture, notFound: .unknown).respond(to: request, at: now), fixture)
        #expect(unknown.first?.certStatus == "UNKNOWN")

        let unauthorized = OCSPResponder(fixture, notFound: .unauthorized).respond(to: request, at: now)
        #expect(unauthorized.status == .unauthorized)

        let revoked = OCSPResponder(fixture, notFound: .revoked).respond(to: request, at: now)
        let json = try Peers.verifySuccessful(response: Data(revoked.der), issuer: fixture.certificatePath, chain: fixture.chainPath)
        let single = try #require(json.responses.first)
        #expect(single.certStatus == "REVOKED")
        #expect(single.revocationReason == "certificate_hold")
        #expect(single.revocationTime == "1970-01-01T00:00:00Z")
        #expect(json.extensions.contains { $0.oid == "1.3.6.1.5.5.7.48.1.9" && $0.valueHex == "0500" })
    }

    @Test func nonceIsEchoed() throws {
        let fixture = try CAFixture(.ed25519)
        let nonce = (0..<16).map { UInt8($0 * 7) }
        let request = try fixture.request([0x1001], nonce: nonce)
        let outcome = OCSPResponder(fixture, rows: [0x1001: .good]).respond(to: request, at: now)
        #expect(outcome.status == .successful)
        try Peers.opensslVerify(response: Data(outcome.der), chain: fixture.chainPath, request: Data(request))
        let json = try Peers.python(response: Data(outcome.der), issuer: fixture.certificatePath)
        #expect(json.signatureValid == true)
        #expect(json.nonceHex == Hex.encode(nonce))
    }

    @Test func storeFailuresMapToTryLaterAndInternalError() throws {
        let fixture = try CAFixture(.rsa)
        let request = try fixture.request([0x1001])
        let down = OCSPResponder(fixture, failure: StatusSourceError(.unavailable, "down")).respond(to: request, at: now)
        #expect(down.status == .tryLater)
        #expect(down.der == [0x30, 0x03, 0x0A, 0x01, 0x03])
        let broken = OCSPResponder(fixture, failure: StatusSourceError(.failed, "no table")).respond(to: request, at: now)
        #expect(broken.status == .internalError)
    }

    @Test(arguments: TestPKI.Kind.allCases)
    func delegatedResponderIsIncludedAndByKey(kind: TestPKI.Kind) throws {
        let fixture = try CAFixture(kind, delegated: true)
        let outcome = OCSPResponder(fixture, rows: [0x1001: .good]).respond(to: try fixture.request([0x1001]), at: now)
        let json = try Peers.verifySuccessful(response: Data(outcome.der), issuer: fixture.certificatePath, chain: fixture.chainPath)
        #expect(json.signer == "delegate")
        #expect(json.certificatesCount == 1)
        #expect(json.responderKeyHash == Hex.encode(fixture.signer.responderKeyHash))
    }

    @Test func unknownHashAlgorithmDoesNotMatch() throws {
        let fixture = try CAFixture(.rsa)
        var certID = fixture.identity.certID(serial: serial(0x1001), hash: .sha1)
        certID.hashAlgorithm = AlgorithmIdentifier(algorithm: [1, 2, 840, 113549, 2, 5])  // MD5
        let outcome = OCSPResponder(fixture, rows: [0x1001: .good]).respond(to: try makeRequest([certID]), at: now)
        #expect(outcome.status == .unauthorized)
    }
}
