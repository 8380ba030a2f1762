import SwiftASN1

/// The object identifiers OCSP needs, in one place.
package enum OCSPObjectIdentifier {
    /// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1): the only response type we produce.
    package static let basicResponse: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]
    /// `id-pkix-ocsp-nonce` (RFC 9654).
    package static let nonce: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
    /// `id-pkix-ocsp-response`: the acceptable-responses request extension (RFC 6960 §4.4.3).
    package static let acceptableResponses: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 4]
    /// `id-pkix-ocsp-nocheck` (RFC 6960 §4.2.2.2.1).
    package static let noCheck: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
    /// `id-pkix-ocsp-service-locator` (RFC 6960 §4.4.6).
    package static let serviceLocator: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 7]
    /// `id-pkix-ocsp-pref-sig-algs` (RFC 6960 §4.4.7).
    package static let preferredSignatureAlgorithms: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 8]
    /// `id-pkix-ocsp-extended-revoke` (RFC 6960 §4.4.8).
    package static let extendedRevoke: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 9]
}

/// Digest and signature algorithm identifiers.
package enum AlgorithmObjectIdentifier {
    package static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    package static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    package static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    package static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    package static let sha1WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 5]
    package static let sha224WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 14]
    package static let ecdsaWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 1]
    package static let ecdsaWithSHA224: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 1]
    package static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    package static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    package static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
    package static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    package static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    package static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    package static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    /// Public key algorithms (SubjectPublicKeyInfo.algorithm).
    package static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    package static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
}
