import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import SwiftASN1
import TestSupport

/// The test PKI's CAs as the core sees them: identity, signer, and requests built here.
struct CAFixture {
    let kind: TestPKI.Kind
    let certificate: Certificate
    let identity: IssuerIdentity
    let signer: OpenSSLSigner

    init(_ kind: TestPKI.Kind, delegated: Bool = false) throws {
        let pki = TestPKI.shared
        self.kind = kind
        certificate = try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: pki.path(kind, "ca.pem")))))[0]
        identity = IssuerIdentity(certificate, digester: OpenSSLDigester())
        let signerCertificate = delegated
            ? try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: pki.path(kind, "responder.pem")))))[0]
            : certificate
        let keyFile = delegated ? "responder.key" : "ca.key"
        let key = try PrivateKey(pem: Array(try Data(contentsOf: URL(fileURLWithPath: pki.path(kind, keyFile)))), passphrase: nil)
        signer = try OpenSSLSigner(certificate: signerCertificate, key: key, includeCertificate: delegated)
    }

    var certificatePath: String { TestPKI.shared.path(kind, "ca.pem") }
    var chainPath: String { TestPKI.shared.path(kind, "chain.pem") }

    func request(_ serials: [UInt64], hash: HashAlgorithm = .sha1, nonce: [UInt8]? = nil) throws -> [UInt8] {
        let certIDs = serials.map { identity.certID(serial: serial($0), hash: hash) }
        return try makeRequest(certIDs, nonce: nonce)
    }
}

extension OCSPResponder {
    init(_ fixture: CAFixture, rows: [UInt64: RecordedStatus] = [:], notFound: NotFoundPolicy = .unknown, failure: StatusSourceError? = nil) {
        var table: [CertificateSerialNumber: RecordedStatus] = [:]
        for (key, value) in rows { table[serial(key)] = value }
        self.init(authorities: [Authority(
            issuer: fixture.identity, signer: fixture.signer,
            statusSource: InMemoryStatusSource(rows: table, failure: failure), notFound: notFound, validity: 3600
        )])
    }
}

/// The moment the tests answer at: three days after the test PKI was made (its certificates start then),
/// so that every time the tests use, a few days before or after, is within each CA's validity (nothing is
/// signed outside a signer's period).
let now: UnixTime = {
    _ = TestPKI.shared
    return UnixTime(seconds: Int64(Date().timeIntervalSince1970) + 3 * 86_400)
}()
