import OCSPCore
import OCSPFuzzing
import OCSPWire
import SwiftASN1

/// Stored responses made in memory, for the pure tests of the soundness check and of `resign`'s plan:
/// signed by a signer that does not sign (`FuzzHarness.FixedSigner`), so nothing here starts a process.
enum StoredResponses {
    static let moment = UnixTime(seconds: 1_800_000_000)
    static let ourKeyHash = FuzzHarness.FixedSigner().responderKeyHash
    static let otherKeyHash: [UInt8] = Array(repeating: 0xCD, count: 20)

    static func certID(_ serial: UInt8, nameHash: UInt8 = 0x11, parameters: ASN1Any? = AlgorithmIdentifier.nullParameters) -> CertID {
        CertID(
            hashAlgorithm: AlgorithmIdentifier(algorithm: HashAlgorithm.sha1.objectIdentifier, parameters: parameters),
            issuerNameHash: ASN1OctetString(contentBytes: Array(repeating: nameHash, count: 20)[...]),
            issuerKeyHash: ASN1OctetString(contentBytes: Array(repeating: 0x22, count: 20)[...]),
            serialNumber: CertificateSerialNumber(magnitude: [0x10, serial])
        )
    }

    static func single(_ certID: CertID, _ status: CertStatus = .good, thisUpdate: Int64 = -60, nextUpdate: Int64? = 3600) -> SingleResponse {
        SingleResponse(certID: certID, certStatus: status, thisUpdate: (moment + thisUpdate).generalizedTime,
                       nextUpdate: nextUpdate.map { (moment + $0).generalizedTime })
    }

    static let revoked = CertStatus.revoked(RevokedInfo(revocationTime: (moment + -86_400).generalizedTime, revocationReason: .keyCompromise))

    /// The DER of a successful response holding `singles`, by `keyHash` (nil: by name), with a nonce if asked.
    static func der(_ singles: [SingleResponse], keyHash: [UInt8]? = ourKeyHash, nonce: Bool = false) throws -> [UInt8] {
        let extensions = nonce ? Extensions([Extension(id: OCSPObjectIdentifier.nonce, value: [0x04, 0x01, 0x42][...])]) : nil
        let responderID: ResponderID = if let keyHash {
            .byKey(ASN1OctetString(contentBytes: keyHash[...]))
        } else {
            .byName(try ASN1Any(derEncoded: DER.parse([0x30, 0x00])))
        }
        let data = ResponseData(responderID: responderID, producedAt: moment.generalizedTime, responses: singles, responseExtensions: extensions)
        return try OCSPResponder.sign(data, with: FuzzHarness.FixedSigner())
    }

    static func stored(_ singles: [SingleResponse], keyHash: [UInt8]? = ourKeyHash, nonce: Bool = false) throws -> StoredResponse {
        try StoredResponse(der: try der(singles, keyHash: keyHash, nonce: nonce))
    }
}
