import OCSPCore
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

@Suite struct RequestParsingTests {
    /// Requests openssl made once (Tests/Fixtures/README.md) parse and serialize back to the same octets.
    @Test(arguments: [("openssl-request-sha256.der", false), ("openssl-request-sha256-nonce.der", true)])
    func opensslRequestRoundTrips(file: String, hasNonce: Bool) throws {
        let der = try CoreFixture.bytes(file)
        let request = try OCSPResponder.parseRequest(der)
        #expect(try request.derBytes() == der)
        #expect(request.tbsRequest.requestList.count == 2)
        #expect(request.tbsRequest.requestList[0].certID.serialNumber.minimalHex == "1001")
        #expect(request.tbsRequest.requestList[1].certID.serialNumber.minimalHex == "9a4e31c2d5b6a7f8")
        #expect((request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil) == hasNonce)
    }

    /// openssl's CertIDs (SHA-1 and SHA-256) name the committed CA as our identity computes it.
    @Test(arguments: ["openssl-request-sha1.der", "openssl-request-sha256.der"])
    func opensslCertIDsMatchTheIdentityOfTheirCA(file: String) throws {
        let request = try OCSPResponder.parseRequest(try CoreFixture.bytes(file))
        let identity = try CoreFixture.identity()
        #expect(request.tbsRequest.requestList.allSatisfy { identity.matches($0.certID) })
        #expect(!request.tbsRequest.requestList.contains { CoreFixture.foreignIdentity.matches($0.certID) })
    }

    @Test(arguments: [
        ([], "empty request"),
        ([0x30, 0x00], "not a DER OCSPRequest"),
        (Array("hello, world".utf8), "not a DER OCSPRequest"),
        ([UInt8](repeating: 0x30, count: 70_000), "larger than"),
    ] as [([UInt8], String)])
    func garbageIsMalformed(bytes: [UInt8], reason: String) {
        #expect {
            _ = try OCSPResponder.parseRequest(bytes)
        } throws: { error in
            // What was wrong, never where in the parser's Swift source it was noticed (issue 15).
            "\(error)".contains(reason) && !"\(error)".contains(".swift")
        }
    }

    @Test func parserErrorsSayWhatWasWrongWithoutSourceLocations() throws {
        let cases: [([UInt8], String)] = [
            ([0x30, 0x00], "invalid ASN.1: "),
            ([0x30, 0x05, 0x30, 0x03], "truncated ASN.1 field"),
            ([0x02, 0x01, 0x00], "unexpected field type"),
        ]
        for (bytes, words) in cases {
            let outcome = OCSPResponder(authorities: []).respond(to: bytes, at: .epoch)
            #expect(outcome.status == .malformedRequest)
            let reason = outcome.reason ?? ""
            #expect(reason.contains(words) && !reason.contains(".swift") && !reason.contains("ASN1Error"), "\(reason)")
        }
    }

    @Test func trailingBytesAndEmptyListAreMalformed() throws {
        let good = try CoreFixture.identity().request([0x1001])
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(good + [0x00]) }
        let empty = try OCSPRequest(tbsRequest: TBSRequest(requestList: [])).derBytes()
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(empty) }
    }

    @Test(arguments: [0, 33, 64])
    func nonceOutsideRFC9654LengthsIsMalformed(length: Int) throws {
        let request = try CoreFixture.identity().request([0x1001], nonce: [UInt8](repeating: 7, count: length))
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(request) }
    }

    @Test func unknownCriticalExtensionIsMalformedButNonCriticalIsIgnored() throws {
        let certID = try CoreFixture.identity().certID(serial: serial(0x1001), hash: .sha1)
        let unknown: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99999, 1]
        let critical = try makeRequest([certID], extraExtensions: [Extension(id: unknown, critical: true, value: [0x05, 0x00])])
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(critical) }
        let nonCritical = try makeRequest([certID], extraExtensions: [Extension(id: unknown, critical: false, value: [0x05, 0x00])])
        #expect(throws: Never.self) { _ = try OCSPResponder.parseRequest(nonCritical) }
    }
}
