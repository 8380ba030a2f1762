import OCSPCore
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

@Suite struct RequestParsingTests {
    /// A request built by openssl (a peer) parses and serializes back to the same octets.
    @Test(arguments: ["-no_nonce", "-nonce"])
    func opensslRequestRoundTrips(nonceFlag: String) throws {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("req.der").path
        let made = try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-sha256", "-cert", pki.path(.rsa, "good.pem"),
                                       "-cert", pki.path(.rsa, "topbit.pem"), nonceFlag, "-reqout", path])
        try #require(made.status == 0, "\(made.stderr)")
        let der = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let request = try OCSPResponder.parseRequest(der)
        #expect(try request.derBytes() == der)
        #expect(request.tbsRequest.requestList.count == 2)
        #expect(request.tbsRequest.requestList[1].certID.serialNumber.minimalHex == "9a4e31c2d5b6a7f8")
        #expect((request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil) == (nonceFlag == "-nonce"))
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
        let fixture = try CAFixture(.rsa)
        let good = try fixture.request([0x1001])
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(good + [0x00]) }
        let empty = try OCSPRequest(tbsRequest: TBSRequest(requestList: [])).derBytes()
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(empty) }
    }

    @Test(arguments: [0, 33, 64])
    func nonceOutsideRFC9654LengthsIsMalformed(length: Int) throws {
        let fixture = try CAFixture(.rsa)
        let request = try fixture.request([0x1001], nonce: [UInt8](repeating: 7, count: length))
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(request) }
    }

    @Test func unknownCriticalExtensionIsMalformedButNonCriticalIsIgnored() throws {
        let fixture = try CAFixture(.rsa)
        let certID = fixture.identity.certID(serial: serial(0x1001), hash: .sha1)
        let unknown: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99999, 1]
        let critical = try makeRequest([certID], extraExtensions: [Extension(id: unknown, critical: true, value: [0x05, 0x00])])
        #expect(throws: RequestError.self) { _ = try OCSPResponder.parseRequest(critical) }
        let nonCritical = try makeRequest([certID], extraExtensions: [Extension(id: unknown, critical: false, value: [0x05, 0x00])])
        #expect(throws: Never.self) { _ = try OCSPResponder.parseRequest(nonCritical) }
    }
}
