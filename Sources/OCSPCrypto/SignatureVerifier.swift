import OCSPWire
internal import COpenSSL
import SwiftASN1

/// Checks a signature with a public key given as SubjectPublicKeyInfo DER, for the algorithms OCSP
/// responses are signed with: sha256/384/512WithRSAEncryption (PKCS#1 v1.5), ecdsa-with-SHA256/384/512
/// and Ed25519.
///
/// Used to verify a response (`inspect --issuer`, `check`) and a certificate's signature by its issuer
/// (`Certificate.isIssued(by:)`), so it takes plain bytes and says nothing about OCSP.
package enum SignatureVerifier {
    /// Why a signature could not even be checked (as opposed to checked and found wrong).
    package struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// True when `signature` over `message` verifies with the key; false when it does not (including a
    /// signature that is not even well formed, such as a broken ECDSA DER).
    ///
    /// Throws when the algorithm is not one we support, when the key cannot be decoded, or when the key
    /// is not of the type the algorithm names: an RSA key must not "verify" an ECDSA algorithm identifier.
    package static func verify(
        signature: [UInt8], message: [UInt8], algorithm: AlgorithmIdentifier, subjectPublicKeyInfoDER: [UInt8]
    ) throws(Failure) -> Bool {
        guard Scheme(algorithm) != nil else {
            throw Failure("unsupported signature algorithm \(ObjectIdentifierNames.name(of: algorithm.algorithm))")
        }
        return try verify(signature: signature, message: message, algorithm: algorithm, key: PublicKey(subjectPublicKeyInfoDER: subjectPublicKeyInfoDER))
    }

    /// The same with a key decoded once, for a key that checks many signatures (a CA's, over its certificates).
    ///
    /// - Parameter legacyDigests: also SHA-1 and SHA-224 (RSA and ECDSA), for certificates: a private CA
    ///   that has run for years has issued such certificates, and OpenSSL still checks them. Responses
    ///   are not checked with these: we never sign so, and a client should not trust such an answer.
    package static func verify(
        signature: [UInt8], message: [UInt8], algorithm: AlgorithmIdentifier, key: PublicKey, legacyDigests: Bool = false
    ) throws(Failure) -> Bool {
        guard let scheme = Scheme(algorithm, legacyDigests: legacyDigests) else {
            throw Failure("unsupported signature algorithm \(ObjectIdentifierNames.name(of: algorithm.algorithm))")
        }
        guard EVP_PKEY_get_base_id(key.pointer) == scheme.keyType else {
            ERR_clear_error()
            throw Failure("a \(scheme.name) signature cannot come from this key's type")
        }
        guard let context = EVP_MD_CTX_new() else { throw Failure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, scheme.digest(), nil, key.pointer) == 1 else {
            let error = OpenSSLError("EVP_DigestVerifyInit")
            throw Failure("cannot set up \(scheme.name) verification (\(error.inputReason))")
        }
        // 1 verified, 0 a wrong signature, a negative value a malformed one: both of those are "no".
        let result = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        ERR_clear_error()
        return result == 1
    }

    /// An algorithm identifier we can verify: the key type it needs and the digest (nil for Ed25519,
    /// which hashes internally and must be given no digest).
    private struct Scheme {
        var name: String
        var keyType: Int32
        var digest: () -> OpaquePointer?

        init?(_ identifier: AlgorithmIdentifier, legacyDigests: Bool = false) {
            let id = identifier.algorithm
            name = ObjectIdentifierNames.name(of: id)
            switch id {
            case AlgorithmObjectIdentifier.sha1WithRSAEncryption where legacyDigests: (keyType, digest) = (EVP_PKEY_RSA, { EVP_sha1() })
            case AlgorithmObjectIdentifier.sha224WithRSAEncryption where legacyDigests: (keyType, digest) = (EVP_PKEY_RSA, { EVP_sha224() })
            case AlgorithmObjectIdentifier.ecdsaWithSHA1 where legacyDigests: (keyType, digest) = (EVP_PKEY_EC, { EVP_sha1() })
            case AlgorithmObjectIdentifier.ecdsaWithSHA224 where legacyDigests: (keyType, digest) = (EVP_PKEY_EC, { EVP_sha224() })
            case AlgorithmObjectIdentifier.sha256WithRSAEncryption: (keyType, digest) = (EVP_PKEY_RSA, { EVP_sha256() })
            case AlgorithmObjectIdentifier.sha384WithRSAEncryption: (keyType, digest) = (EVP_PKEY_RSA, { EVP_sha384() })
            case AlgorithmObjectIdentifier.sha512WithRSAEncryption: (keyType, digest) = (EVP_PKEY_RSA, { EVP_sha512() })
            case AlgorithmObjectIdentifier.ecdsaWithSHA256: (keyType, digest) = (EVP_PKEY_EC, { EVP_sha256() })
            case AlgorithmObjectIdentifier.ecdsaWithSHA384: (keyType, digest) = (EVP_PKEY_EC, { EVP_sha384() })
            case AlgorithmObjectIdentifier.ecdsaWithSHA512: (keyType, digest) = (EVP_PKEY_EC, { EVP_sha512() })
            case AlgorithmObjectIdentifier.ed25519: (keyType, digest) = (EVP_PKEY_ED25519, { nil })
            default: return nil
            }
            // RFC 4055 / RFC 5758 / RFC 8410: RSA takes NULL (or, leniently, nothing); ECDSA and Ed25519 take nothing.
            let isRSA = keyType == EVP_PKEY_RSA
            if let parameters = identifier.parameters, !(isRSA && parameters == AlgorithmIdentifier.nullParameters) {
                return nil
            }
        }
    }
}
