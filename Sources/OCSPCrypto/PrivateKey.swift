import OCSPWire
internal import COpenSSL
import SwiftASN1

/// A private key, owning OpenSSL's `EVP_PKEY`.
///
/// `@unchecked Sendable`: the key is immutable after loading, and OpenSSL 3 allows concurrent signing
/// with one `EVP_PKEY` as long as each signature uses its own `EVP_MD_CTX`, which `sign` does.
package final class PrivateKey: @unchecked Sendable {
    let pointer: OpaquePointer

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Loads a PEM private key (PKCS#8, encrypted PKCS#8, or traditional RSA/EC), decrypting it with
    /// `passphrase` if it is encrypted.
    ///
    /// - Parameter keyType: OpenSSL's name for the key type (`RSA`, `EC`, `ED25519`), when known from the
    ///   certificate. OpenSSL 3 otherwise builds a decoder chain for every key type it knows, which costs
    ///   over a millisecond, a large share of a one-shot run.
    ///
    /// Without a passphrase an encrypted key fails instead of prompting on the terminal, which a
    /// process run by a socket app must never do.
    /// "PEM" as a C string that lives as long as the process: OpenSSL 3.0 keeps the input type's pointer
    /// (`OSSL_DECODER_CTX_set_input_type` stores it) and reads it again in `OSSL_DECODER_from_data`.
    // nonisolated(unsafe): written once by the static initialiser, only read after, never freed.
    private nonisolated(unsafe) static let pemInputType: UnsafeMutablePointer<CChar> = strdup("PEM")

    package init(pem: [UInt8], passphrase: String?, keyType: String? = nil) throws {
        OpenSSLLibrary.initialize()
        if passphrase == nil, let key = DirectKeyDecoder.decode(pem: pem) {
            self.pointer = key
            return
        }
        ERR_clear_error()
        // The decoder keeps this address and writes the key through it in OSSL_DECODER_from_data, after
        // OSSL_DECODER_CTX_new_for_pkey has returned: it must outlive both calls, which `&local` does not
        // promise (Swift's inout-to-pointer conversion is valid for one call only).
        let keySlot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        keySlot.initialize(to: nil)
        defer { keySlot.deallocate() }
        // Likewise the key type's C string: a Swift String argument is converted for the one call only.
        let keyTypeCString = keyType.map { strdup($0) } ?? nil
        defer { free(keyTypeCString) }
        let selection = shim_EVP_PKEY_KEYPAIR()
        guard let context = OSSL_DECODER_CTX_new_for_pkey(keySlot, Self.pemInputType, nil, keyTypeCString, selection, nil, nil) else {
            throw OpenSSLError("OSSL_DECODER_CTX_new_for_pkey")
        }
        defer { OSSL_DECODER_CTX_free(context) }
        if let passphrase {
            let secret = Array(passphrase.utf8)
            _ = OSSL_DECODER_CTX_set_passphrase(context, secret, secret.count)
        } else {
            // No passphrase configured: fail on an encrypted key rather than ask a terminal for one. The
            // pointer must not be NULL, which an empty Swift array may pass: OpenSSL refuses a NULL
            // passphrase, sets no empty one, and the decode fails.
            let empty: [UInt8] = [0]
            _ = OSSL_DECODER_CTX_set_passphrase(context, empty, 0)
        }
        let decoded = pem.withUnsafeBufferPointer { buffer -> Int32 in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            var remaining = buffer.count
            return OSSL_DECODER_from_data(context, &cursor, &remaining)
        }
        guard decoded == 1, let key = keySlot.pointee else {
            let error = OpenSSLError("reading private key")
            let text = String(decoding: pem.prefix(400), as: UTF8.self)
            if text.contains("ENCRYPTED") {
                throw KeyError(passphrase == nil ? "the key is encrypted and no password is configured" : "wrong password for the key")
            }
            throw KeyError("not a PEM private key\(keyType.map { " of type \($0)" } ?? "") (\(error.inputReason))")
        }
        self.pointer = key
    }

    /// True when this key is the private half of the public key in `subjectPublicKeyInfoDER`.
    ///
    /// Compares encodings first: equal bytes settle it without decoding the certificate's key (a costly
    /// OpenSSL 3 decoder chain). Only when the bytes differ (another but equivalent encoding, such as a
    /// compressed EC point) is the certificate's key decoded and compared.
    package func matches(subjectPublicKeyInfoDER spki: [UInt8], publicKeyBits: [UInt8]) -> Bool {
        // Cheapest first: the key's own public half, encoded as the certificate's BIT STRING holds it.
        if let ours = DirectKeyDecoder.publicKeyBits(pointer), ours == publicKeyBits { return true }
        ERR_clear_error()
        if let ours = try? derEncode({ i2d_PUBKEY(pointer, $0) }), ours == spki { return true }
        let decoded: OpaquePointer? = spki.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        defer { if let decoded { EVP_PKEY_free(decoded) } }
        let equal = decoded.map { EVP_PKEY_eq(pointer, $0) == 1 } ?? false
        ERR_clear_error()
        return equal
    }

    /// OpenSSL's key type name for a certificate's public key algorithm, to decode the private key fast.
    package static func typeName(for algorithm: ASN1ObjectIdentifier) -> String? {
        switch algorithm {
        case AlgorithmObjectIdentifier.rsaEncryption: "RSA"
        case AlgorithmObjectIdentifier.ecPublicKey: "EC"
        case AlgorithmObjectIdentifier.ed25519: "ED25519"
        default: nil
        }
    }

    /// The key family and size, e.g. `RSA-2048`, `EC P-256`, `Ed25519`.
    package var kind: Kind {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: return .rsa(bits: Int(EVP_PKEY_get_bits(pointer)))
        case EVP_PKEY_EC: return .ec(bits: Int(EVP_PKEY_get_bits(pointer)))
        case EVP_PKEY_ED25519: return .ed25519
        default: return .other(Int(EVP_PKEY_get_base_id(pointer)))
        }
    }

    package enum Kind: Hashable, Sendable, CustomStringConvertible {
        case rsa(bits: Int)
        case ec(bits: Int)
        case ed25519
        case other(Int)

        package var description: String {
            switch self {
            case .rsa(let bits): "RSA-\(bits)"
            case .ec(let bits): "EC P-\(bits == 521 ? 521 : bits)"
            case .ed25519: "Ed25519"
            case .other(let id): "key type \(id)"
            }
        }
    }

    /// The signature algorithm we use with this key, and the digest it hashes with (nil for Ed25519).
    var signatureScheme: (identifier: AlgorithmIdentifier, digest: OpaquePointer?) {
        get throws {
            switch kind {
            case .rsa:
                return (AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.sha256WithRSAEncryption,
                                            parameters: AlgorithmIdentifier.nullParameters), EVP_sha256())
            case .ec(let bits) where bits <= 256:
                return (AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.ecdsaWithSHA256), EVP_sha256())
            case .ec(let bits) where bits <= 384:
                return (AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.ecdsaWithSHA384), EVP_sha384())
            case .ec:
                return (AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.ecdsaWithSHA512), EVP_sha512())
            case .ed25519:
                return (AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.ed25519), nil)
            case .other:
                throw KeyError("unsupported key type (\(kind)); use RSA, EC P-256/P-384 or Ed25519")
            }
        }
    }

    /// Signs `message` with the digest (nil for Ed25519, which hashes internally).
    func sign(_ message: [UInt8], digest: OpaquePointer?) throws -> [UInt8] {
        if digest == EVP_sha256(), EVP_PKEY_get_base_id(pointer) == EVP_PKEY_RSA, let rsa = EVP_PKEY_get0_RSA(pointer) {
            return try Self.signPKCS1SHA256(message, rsa: rsa)
        }
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, digest, nil, pointer) == 1 else {
            throw OpenSSLError("EVP_DigestSignInit")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw OpenSSLError("EVP_DigestSign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw OpenSSLError("EVP_DigestSign")
        }
        return Array(signature.prefix(length))
    }

    /// sha256WithRSAEncryption (PKCS #1 v1.5) through `RSA_sign`, which OpenSSL 3.0 deprecates.
    ///
    /// Why: `EVP_DigestSignInit` on a key first fetches the key manager, the signature and the digest
    /// from the provider (each fetch builds every method of its kind) and copies the key into the
    /// provider, about 4.9 million instructions, a fifth of a one-shot run that signs. The provider's
    /// RSA signature then calls this same `RSA_sign` on its copy of the key, so the signature is the
    /// same bytes (PKCS #1 v1.5 is deterministic; the tests compare it with the EVP path), with the same
    /// blinding (on unless a key sets RSA_FLAG_NO_BLINDING, which no key we load does) and the same
    /// check of the CRT result. `RSA_sign` is safe on one key from several threads, as the provider's is.
    static func signPKCS1SHA256(_ message: [UInt8], rsa: OpaquePointer) throws -> [UInt8] {
        let hash = OpenSSLDigester().digest(.sha256, message)
        var signature = [UInt8](repeating: 0, count: Int(RSA_size(rsa)))
        var length: UInt32 = 0
        guard RSA_sign(NID_sha256, hash, UInt32(hash.count), &signature, &length, rsa) == 1 else {
            throw OpenSSLError("RSA_sign")
        }
        return Array(signature.prefix(Int(length)))
    }
}

/// A key that cannot be used, said without any of its secret.
package struct KeyError: Error, CustomStringConvertible, Sendable {
    package var description: String
    init(_ description: String) { self.description = description }
}

