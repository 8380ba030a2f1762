import OCSPWire
import Foundation
import Testing
import TestSupport

/// Certificates a private CA issued years ago, signed with SHA-1 or SHA-224 by openssl: still recognised as
/// the CA's (`db add`, delegated signers, `request`), as OpenSSL recognises them.
@Suite struct LegacyCertificateTests {
    @Test(arguments: [(TestPKI.Kind.rsa, "sha1"), (.rsa, "sha224"), (.p256, "sha1"), (.p256, "sha224")])
    func legacyDigestCertificatesAreIssuedByTheirCA(kind: TestPKI.Kind, digest: String) throws {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory("ocsp-legacy")
        let key = directory.appendingPathComponent("leaf.key").path
        let csr = directory.appendingPathComponent("leaf.csr").path
        let leaf = directory.appendingPathComponent("leaf.pem").path
        #expect(try run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                    "-keyout", key, "-subj", "/CN=legacy \(digest)", "-out", csr]).status == 0)
        let signed = try run("openssl", ["x509", "-req", "-in", csr, "-CA", pki.path(kind, "ca.pem"), "-CAkey", pki.path(kind, "ca.key"),
                                         "-set_serial", "0x5151", "-days", "30", "-\(digest)", "-out", leaf])
        #expect(signed.status == 0, "\(signed.stderr)")
        let certificate = try #require(try Certificate.certificates(pem: Array(Data(contentsOf: URL(fileURLWithPath: leaf)))).first)
        let issuer = try #require(try Certificate.certificates(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path(kind, "ca.pem"))))).first)
        #expect(certificate.isIssued(by: issuer))
        // Another CA of the same kind of key is not its issuer, whatever the digest.
        let other = try #require(try Certificate.certificates(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path(kind == .rsa ? .p256 : .rsa, "ca.pem"))))).first)
        #expect(!certificate.isIssued(by: other))
    }
}
