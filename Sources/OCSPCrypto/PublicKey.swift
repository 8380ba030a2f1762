internal import COpenSSL

/// A public key decoded from SubjectPublicKeyInfo DER, owning OpenSSL's `EVP_PKEY`, to verify signatures.
///
/// `@unchecked Sendable`: the key is never mutated after decoding, and OpenSSL 3 verifies concurrently
/// with one `EVP_PKEY` when each verification has its own `EVP_MD_CTX`, which `SignatureVerifier` makes.
package final class PublicKey: @unchecked Sendable {
    let pointer: OpaquePointer

    deinit {
        EVP_PKEY_free(pointer)
    }

    package init(subjectPublicKeyInfoDER der: [UInt8]) throws(SignatureVerifier.Failure) {
        OpenSSLLibrary.initialize()
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let decoded else {
            let error = OpenSSLError("d2i_PUBKEY")
            throw SignatureVerifier.Failure("cannot decode the public key (\(error.inputReason))")
        }
        pointer = decoded
    }

    /// The key family and size, e.g. `RSA-2048`, `EC P-256`, `Ed25519`.
    package var kind: PrivateKey.Kind { PrivateKey.Kind(pointer) }
}
