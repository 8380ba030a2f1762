import OCSPCore
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

/// Requests made by openssl now, on this run's test PKI (Tests/Fixtures holds ones made once, for OCSPCoreTests).
@Suite struct RequestPeerTests {
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
}
