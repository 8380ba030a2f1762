import SwiftASN1

/// The outer SEQUENCE that X.509 wraps around what an issuer signs, the same for a certificate (RFC 5280
/// §4.1) and a CRL (§5.1):
///
/// ```
/// SEQUENCE  {
///      tbs                  TBSCertificate | TBSCertList,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// ```
struct SignedEnvelope {
    /// The signed part, still a node: each type reads its own fields.
    let tbs: ASN1Node
    let signatureAlgorithm: AlgorithmIdentifier
    /// The signatureValue BIT STRING's bytes; nil when it has unused bits (no signature scheme makes those).
    let signature: [UInt8]?

    /// - Parameter what: the type's name in messages ("a certificate", "a CRL").
    init(der: [UInt8], what: String) throws {
        let root = try DER.parse(der[...])
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw ASN1Error.invalidASN1Object(reason: "\(what) is a SEQUENCE")
        }
        var nodes = children.makeIterator()
        guard let tbs = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "\(what) has nothing signed") }
        signatureAlgorithm = try AlgorithmIdentifier(derEncoded: &nodes)
        let signatureValue = try ASN1BitString(derEncoded: &nodes)
        guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "\(what) has three fields") }
        self.tbs = tbs
        signature = signatureValue.paddingBits == 0 ? Array(signatureValue.bytes) : nil
    }
}
