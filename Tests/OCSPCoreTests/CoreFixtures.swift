import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import SwiftASN1
import TestSupport

/// What the in-process tests answer with: the committed CA certificate of Tests/Fixtures (read with
/// swift-asn1, hashed in-process), and a signer whose "signature" is a fixed string of octets. These
/// tests check decisions and encodings, which our own parser reads back; that signatures verify is the
/// peers' job, in PeerTests.
enum CoreFixture {
    /// Tests/Fixtures/NAME, read whole.
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/\(name)")))
    }

    /// The rsa test CA that made the committed openssl requests (`Tests/Fixtures/rsa-ca.der`).
    static let caSummary: Certificate? = try? Certificate(der: try bytes("rsa-ca.der"))

    /// The CA's identity, or a failure naming the missing fixture.
    static func identity() throws -> IssuerIdentity {
        guard let summary = caSummary else { throw TestFailure("cannot read Tests/Fixtures/rsa-ca.der") }
        return IssuerIdentity(subjectNameDER: summary.subjectNameDER, publicKeyBits: summary.publicKeyBits, digester: OpenSSLDigester())
    }

    /// Another CA's identity, made of names and keys no certificate has: its CertIDs match nothing of ours.
    static let foreignIdentity = IssuerIdentity(
        subjectNameDER: [0x30, 0x00], publicKeyBits: [UInt8](repeating: 0x42, count: 32), digester: OpenSSLDigester()
    )
}

/// A signer that needs no key: Ed25519's algorithm identifier, a fixed key hash, and 64 octets of 0x5A as
/// the signature. Valid at all times unless given a period.
struct StubSigner: ResponseSigner {
    var signatureAlgorithm: AlgorithmIdentifier { AlgorithmIdentifier(algorithm: [1, 3, 101, 112]) }
    var responderKeyHash: [UInt8] { [UInt8](repeating: 0xA5, count: 20) }
    var certificates: [[UInt8]] { [] }
    var period: SigningPeriod = .unbounded
    static let signature = [UInt8](repeating: 0x5A, count: 64)
    func sign(_ message: [UInt8]) throws -> [UInt8] { Self.signature }
}

/// A fixed moment, so that nothing here depends on the clock.
let now = UnixTime(year: 2027, month: 1, day: 1, hours: 12)

extension OCSPResponder {
    /// One authority: the fixture CA, the stub signer, a table in memory.
    static func stub(
        rows: [UInt64: RecordedStatus] = [:], notFound: NotFoundPolicy = .unknown, failure: StatusSourceError? = nil
    ) throws -> OCSPResponder {
        var table: [CertificateSerialNumber: RecordedStatus] = [:]
        for (key, value) in rows { table[serial(key)] = value }
        return OCSPResponder(authorities: [Authority(
            issuer: try CoreFixture.identity(), signer: StubSigner(),
            statusSource: InMemoryStatusSource(rows: table, failure: failure), notFound: notFound, validity: 3600
        )])
    }
}

extension IssuerIdentity {
    func request(_ serials: [UInt64], hash: HashAlgorithm = .sha1, nonce: [UInt8]? = nil) throws -> [UInt8] {
        try makeRequest(serials.map { certID(serial: serial($0), hash: hash) }, nonce: nonce)
    }
}
