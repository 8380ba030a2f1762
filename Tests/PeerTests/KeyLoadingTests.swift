import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import Testing
import TestSupport

/// Keys in every form operators keep them, each loaded, matched against its certificate, and used to sign
/// a response that both peers verify.
@Suite struct KeyLoadingTests {
    func load(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// PKCS#8 (read directly), traditional RSA and EC (read directly), and PKCS#8 through OpenSSL's own
    /// decoders when the type-specific path is not taken (encrypted).
    @Test(arguments: [(TestPKI.Kind.rsa, "pkcs8"), (.rsa, "traditional"), (.p256, "pkcs8"), (.p256, "traditional"),
                      (.p384, "traditional"), (.ed25519, "pkcs8"), (.rsa, "encrypted")])
    func everyKeyFormSigns(kind: TestPKI.Kind, form: String) throws {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory("ocsp-keys")
        let keyPath: String
        var passphrase: String?
        switch form {
        case "traditional":
            keyPath = directory.appendingPathComponent("trad.key").path
            let result = try run("openssl", ["pkey", "-in", pki.path(kind, "ca.key"), "-traditional", "-out", keyPath])
            #expect(result.status == 0)
            #expect(try String(contentsOfFile: keyPath, encoding: .utf8).contains(kind == .rsa ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"))
        case "encrypted":
            keyPath = pki.path(kind, "ca-enc.key")
            passphrase = "secret-pass"
        default:
            keyPath = pki.path(kind, "ca.key")
        }
        let summary = try Certificate.certificates(pem: try load(pki.path(kind, "ca.pem")))[0]
        let key = try PrivateKey(pem: try load(keyPath), passphrase: passphrase, keyType: PrivateKey.typeName(for: summary.publicKeyAlgorithm))
        let signer = try OpenSSLSigner(certificate: summary, key: key, includeCertificate: false)
        let identity = IssuerIdentity(summary, digester: OpenSSLDigester())
        let certID = identity.certID(serial: serial(0x1001), hash: .sha256)
        let der = try OCSPResponder.sign(OCSPResponder.responseData([(certID, .good)], signer: signer, at: now, validity: 3600), with: signer)
        let json = try Peers.verifySuccessful(response: Data(der), issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"))
        #expect(json.responses.first?.certStatus == "GOOD")
    }

    /// RSA keys sign through `RSA_sign` (PrivateKey.signPKCS1SHA256), not `EVP_DigestSign`: PKCS #1 v1.5
    /// is deterministic, so the signature must be exactly what `openssl dgst -sha256 -sign` (the EVP path)
    /// makes of the same bytes, for a key read directly and one read through OpenSSL's decoders.
    @Test(arguments: ["ca.key", "ca-enc.key"])
    func rsaSignatureIsTheEVPSignature(keyFile: String) throws {
        let pki = TestPKI.shared
        let directory = try makeTemporaryDirectory("ocsp-rsa-sign")
        let summary = try Certificate.certificates(pem: try load(pki.path(.rsa, "ca.pem")))[0]
        let passphrase = keyFile == "ca-enc.key" ? "secret-pass" : nil
        let key = try PrivateKey(pem: try load(pki.path(.rsa, keyFile)), passphrase: passphrase, keyType: "RSA")
        let signer = try OpenSSLSigner(certificate: summary, key: key, includeCertificate: false)
        #expect(signer.signatureAlgorithm.algorithm == AlgorithmObjectIdentifier.sha256WithRSAEncryption)
        for length in [0, 1, 100, 5000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let messagePath = directory.appendingPathComponent("m\(length)").path
            try Data(message).write(to: URL(fileURLWithPath: messagePath))
            let peer = try run("openssl", ["dgst", "-sha256", "-sign", pki.path(.rsa, "ca.key"), messagePath])
            #expect(peer.status == 0, "\(peer.stderr)")
            #expect(try signer.sign(message) == Array(peer.stdout), "length \(length)")
        }
    }

    /// `OCSPResponder.sign` assembles the layers around the signed data by hand: the bytes must be exactly
    /// those swift-asn1 writes for the same values (DER has one encoding), with and without certificates,
    /// for signatures whose lengths need one, two or no extra length octets.
    @Test(arguments: [(TestPKI.Kind.rsa, false), (.rsa, true), (.p256, false), (.p384, true), (.ed25519, false)])
    func assembledResponseIsWhatTheSerializerWrites(kind: TestPKI.Kind, includeCertificate: Bool) throws {
        let pki = TestPKI.shared
        let summary = try Certificate.certificates(pem: try load(pki.path(kind, "ca.pem")))[0]
        let key = try PrivateKey(pem: try load(pki.path(kind, "ca.key")), passphrase: nil)
        let signer = try OpenSSLSigner(certificate: summary, key: key, includeCertificate: includeCertificate)
        let identity = IssuerIdentity(summary, digester: OpenSSLDigester())
        let singles: [(CertID, CertStatus)] = (0..<40).map { (identity.certID(serial: serial(0x1000 + $0), hash: .sha1), .good) }
        let der = try OCSPResponder.sign(OCSPResponder.responseData(singles, signer: signer, at: now, validity: 3600), with: signer)
        let parsed = try OCSPResponse(derEncoded: der[...])
        let maybeBasic = try parsed.basicResponse()
        let basic = try #require(maybeBasic)
        #expect(basic.tbsResponseData.responses.count == 40)
        #expect((basic.certs?.count ?? 0) == (includeCertificate ? 1 : 0))
        let rebuilt = OCSPResponse(
            responseStatus: .successful,
            responseBytes: ResponseBytes(responseType: OCSPObjectIdentifier.basicResponse, response: try basic.derBytes()[...])
        )
        #expect(try rebuilt.derBytes() == der)
        let json = try Peers.verifySuccessful(response: Data(der), issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"))
        #expect(json.responses.count == 40)
    }

    @Test(arguments: [(TestPKI.Kind.rsa, TestPKI.Kind.p256), (.p256, .p384), (.p256, .rsa), (.ed25519, .p256)])
    func aKeyOfAnotherCertificateIsRefused(certificate: TestPKI.Kind, key: TestPKI.Kind) throws {
        let pki = TestPKI.shared
        let summary = try Certificate.certificates(pem: try load(pki.path(certificate, "ca.pem")))[0]
        let other = try PrivateKey(pem: try load(pki.path(key, "ca.key")), passphrase: nil)
        #expect(throws: (any Error).self) { try OpenSSLSigner(certificate: summary, key: other, includeCertificate: false) }
    }
}
