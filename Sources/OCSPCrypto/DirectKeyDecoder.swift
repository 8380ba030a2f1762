import OCSPWire
internal import COpenSSL
import SwiftASN1

/// Decodes the common unencrypted private keys without OpenSSL 3's provider decoders.
///
/// Why: setting up `OSSL_DECODER_CTX_new_for_pkey` enumerates every key manager and decoder the default
/// provider has, about 5 million instructions, a quarter of a one-shot run answered from the cache. The
/// DER inside is small and well defined, so the PKCS#8 wrapper is read with swift-asn1 and the key itself
/// with OpenSSL's type-specific decoders, which cost a few thousand instructions:
///
/// ```
/// PrivateKeyInfo ::= SEQUENCE {              -- RFC 5208 / RFC 5958, PEM "PRIVATE KEY"
///     version                   INTEGER,
///     privateKeyAlgorithm       AlgorithmIdentifier,
///     privateKey                OCTET STRING,  -- RSAPrivateKey, ECPrivateKey, or CurvePrivateKey
///     ... }
/// ```
///
/// Also "RSA PRIVATE KEY" and "EC PRIVATE KEY" (the traditional forms). Anything else, and every
/// encrypted key, returns nil and goes through the provider decoders as before.
enum DirectKeyDecoder {
    static func decode(pem: [UInt8]) -> OpaquePointer? {
        if let der = try? PEM.decodeAllBlocks(pem, label: "PRIVATE KEY").first {
            return decodePKCS8(der)
        }
        if let der = try? PEM.decodeAllBlocks(pem, label: "RSA PRIVATE KEY").first {
            return rsa(der)
        }
        if let der = try? PEM.decodeAllBlocks(pem, label: "EC PRIVATE KEY").first {
            return ec(der, curve: nil)
        }
        return nil
    }

    static func decodePKCS8(_ der: [UInt8]) -> OpaquePointer? {
        guard let (algorithm, privateKey) = try? DER.sequence(DER.parse(der[...]), identifier: .sequence, { nodes in
            _ = try Int(derEncoded: &nodes)
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let privateKey = try ASN1OctetString(derEncoded: &nodes)
            while nodes.next() != nil {}
            return (algorithm, Array(privateKey.bytes))
        }) else { return nil }
        switch algorithm.algorithm {
        case AlgorithmObjectIdentifier.rsaEncryption:
            return rsa(privateKey)
        case AlgorithmObjectIdentifier.ecPublicKey:
            // The named curve is in the algorithm's parameters; ECPrivateKey may leave it out.
            guard let parameters = algorithm.parameters,
                  let curve = try? ASN1ObjectIdentifier(asn1Any: parameters) else { return nil }
            return ec(privateKey, curve: curve)
        case AlgorithmObjectIdentifier.ed25519:
            // CurvePrivateKey ::= OCTET STRING (RFC 8410), the 32 raw octets.
            guard let raw = try? ASN1OctetString(derEncoded: privateKey[...]), raw.bytes.count == 32 else { return nil }
            return Array(raw.bytes).withUnsafeBufferPointer {
                EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
            }
        default:
            return nil
        }
    }

    static func rsa(_ der: [UInt8]) -> OpaquePointer? {
        let rsa: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_RSAPrivateKey(nil, &cursor, buffer.count)
        }
        guard let rsa, let key = EVP_PKEY_new() else { return nil }
        defer { RSA_free(rsa) }
        guard EVP_PKEY_set1_RSA(key, rsa) == 1 else {
            EVP_PKEY_free(key)
            return nil
        }
        return key
    }

    static func ec(_ der: [UInt8], curve: ASN1ObjectIdentifier?) -> OpaquePointer? {
        var ecKey: OpaquePointer?
        if let curve {
            let nid = OBJ_txt2nid(curve.description)
            guard nid != NID_undef, let made = EC_KEY_new_by_curve_name(nid) else { return nil }
            ecKey = made
        }
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECPrivateKey(&ecKey, &cursor, buffer.count)
        }
        guard let decoded else {
            if let ecKey { EC_KEY_free(ecKey) }
            return nil
        }
        defer { EC_KEY_free(decoded) }
        guard EC_KEY_get0_public_key(decoded) != nil, let key = EVP_PKEY_new() else { return nil }
        guard EVP_PKEY_set1_EC_KEY(key, decoded) == 1 else {
            EVP_PKEY_free(key)
            return nil
        }
        return key
    }

    /// The public key as a certificate's subjectPublicKey BIT STRING holds it: RSAPublicKey DER, the EC
    /// point in uncompressed form, or Ed25519's 32 octets. Nil for other types.
    static func publicKeyBits(_ key: OpaquePointer) -> [UInt8]? {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA:
            guard let rsa = EVP_PKEY_get0_RSA(key) else { return nil }
            return try? derEncode { i2d_RSAPublicKey(rsa, $0) }
        case EVP_PKEY_EC:
            guard let ec = EVP_PKEY_get0_EC_KEY(key) else { return nil }
            return try? derEncode { i2o_ECPublicKey(ec, $0) }
        case EVP_PKEY_ED25519:
            var length = 0
            guard EVP_PKEY_get_raw_public_key(key, nil, &length) == 1 else { return nil }
            var bytes = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_get_raw_public_key(key, &bytes, &length) == 1 else { return nil }
            return Array(bytes.prefix(length))
        default:
            return nil
        }
    }
}
