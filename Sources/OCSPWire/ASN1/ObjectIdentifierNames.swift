import SwiftASN1

/// Readable names for the object identifiers `inspect` prints, as `openssl ocsp -resp_text` names them;
/// anything else is printed dotted, so an unknown identifier is still exact.
package enum ObjectIdentifierNames {
    private static let known: [ASN1ObjectIdentifier: String] = [
        AlgorithmObjectIdentifier.sha1: "sha1",
        AlgorithmObjectIdentifier.sha256: "sha256",
        AlgorithmObjectIdentifier.sha384: "sha384",
        AlgorithmObjectIdentifier.sha512: "sha512",
        AlgorithmObjectIdentifier.sha256WithRSAEncryption: "sha256WithRSAEncryption",
        AlgorithmObjectIdentifier.sha384WithRSAEncryption: "sha384WithRSAEncryption",
        AlgorithmObjectIdentifier.sha512WithRSAEncryption: "sha512WithRSAEncryption",
        AlgorithmObjectIdentifier.ecdsaWithSHA256: "ecdsa-with-SHA256",
        AlgorithmObjectIdentifier.ecdsaWithSHA384: "ecdsa-with-SHA384",
        AlgorithmObjectIdentifier.ecdsaWithSHA512: "ecdsa-with-SHA512",
        AlgorithmObjectIdentifier.ed25519: "ED25519",
        AlgorithmObjectIdentifier.rsaEncryption: "rsaEncryption",
        AlgorithmObjectIdentifier.ecPublicKey: "id-ecPublicKey",
        AlgorithmObjectIdentifier.sha1WithRSAEncryption: "sha1WithRSAEncryption",
        AlgorithmObjectIdentifier.sha224WithRSAEncryption: "sha224WithRSAEncryption",
        AlgorithmObjectIdentifier.ecdsaWithSHA224: "ecdsa-with-SHA224",
        [1, 2, 840, 113549, 1, 1, 10]: "rsassaPss",
        AlgorithmObjectIdentifier.ecdsaWithSHA1: "ecdsa-with-SHA1",
        [1, 3, 101, 113]: "ED448",
        OCSPObjectIdentifier.basicResponse: "id-pkix-ocsp-basic",
        OCSPObjectIdentifier.nonce: "id-pkix-ocsp-nonce",
        OCSPObjectIdentifier.acceptableResponses: "id-pkix-ocsp-response",
        OCSPObjectIdentifier.noCheck: "id-pkix-ocsp-nocheck",
        OCSPObjectIdentifier.serviceLocator: "id-pkix-ocsp-service-locator",
        OCSPObjectIdentifier.preferredSignatureAlgorithms: "id-pkix-ocsp-pref-sig-algs",
        OCSPObjectIdentifier.extendedRevoke: "id-pkix-ocsp-extended-revoke",
        [1, 3, 6, 1, 5, 5, 7, 48, 1, 3]: "id-pkix-ocsp-crl",
        [1, 3, 6, 1, 5, 5, 7, 48, 1, 6]: "id-pkix-ocsp-archive-cutoff",
    ]

    /// The name of `id`, or its dotted form when we have none.
    package static func name(of id: ASN1ObjectIdentifier) -> String {
        known[id] ?? id.description
    }
}
