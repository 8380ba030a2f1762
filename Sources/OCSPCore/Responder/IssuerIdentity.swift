import OCSPWire
import SwiftASN1

/// A CA we answer for, as CertIDs name it: the hashes of its subject name and of its public key.
///
/// RFC 6960 §4.1.1: issuerNameHash is over the DER of the issuer's distinguished name, issuerKeyHash
/// over the value of the subjectPublicKey BIT STRING (without tag, length and unused-bits octet).
/// The hashes for every supported algorithm are computed once, when the identity is made.
package struct IssuerIdentity: Sendable {
    package struct Hashes: Hashable, Sendable {
        package var name: [UInt8]
        package var key: [UInt8]
    }

    package let subjectNameDER: [UInt8]
    package let publicKeyBits: [UInt8]
    /// One entry per algorithm, at its `position`. An array rather than a dictionary: a dictionary keyed
    /// by `HashAlgorithm` is a generic type the Swift runtime instantiates by name at every start, about
    /// 230,000 instructions of a one-shot `respond`.
    private let hashes: [Hashes]

    package init(subjectNameDER: [UInt8], publicKeyBits: [UInt8], digester: some Digester) {
        self.subjectNameDER = subjectNameDER
        self.publicKeyBits = publicKeyBits
        hashes = HashAlgorithm.allCases.map { algorithm in
            Hashes(name: digester.digest(algorithm, subjectNameDER), key: digester.digest(algorithm, publicKeyBits))
        }
    }

    /// The identity of the CA whose certificate is `certificate`.
    package init(_ certificate: Certificate, digester: some Digester) {
        self.init(subjectNameDER: certificate.subjectNameDER, publicKeyBits: certificate.publicKeyBits, digester: digester)
    }

    /// True when both name the same CA: the same subject name and the same public key, what a CertID
    /// hashes. Two certificates of one CA (a renewal with the same key) are the same CA; a CA that kept
    /// its name but changed its key is another, whose CertIDs differ.
    package func isSameCA(as other: IssuerIdentity) -> Bool {
        subjectNameDER == other.subjectNameDER && publicKeyBits == other.publicKeyBits
    }

    package func hashes(_ algorithm: HashAlgorithm) -> Hashes {
        hashes[algorithm.position]
    }

    /// True when the CertID's hashes, computed with the algorithm it names, are this issuer's.
    package func matches(_ certID: CertID) -> Bool {
        guard let algorithm = HashAlgorithm(certID.hashAlgorithm) else { return false }
        let expected = hashes(algorithm)
        return certID.issuerNameHash.bytes.elementsEqual(expected.name)
            && certID.issuerKeyHash.bytes.elementsEqual(expected.key)
    }

    /// The CertID naming one of this issuer's certificates.
    package func certID(serial: CertificateSerialNumber, hash algorithm: HashAlgorithm) -> CertID {
        let expected = hashes(algorithm)
        return CertID(
            hashAlgorithm: algorithm.algorithmIdentifier,
            issuerNameHash: ASN1OctetString(contentBytes: expected.name[...]),
            issuerKeyHash: ASN1OctetString(contentBytes: expected.key[...]),
            serialNumber: serial
        )
    }
}
