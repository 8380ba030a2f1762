#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCSPWire
internal import COpenSSL

/// The key type of a delegated responder `sign-delegates` issues.
package enum DelegateKeyType: String, CaseIterable, Sendable {
    case rsa2048, p256, ed25519
}

/// A delegated OCSP responder certificate (RFC 6960 §4.2.2.2), issued offline by the CA's key with a
/// fresh key of its own: id-kp-OCSPSigning, id-pkix-ocsp-nocheck (§4.2.2.2.1: clients do not ask about
/// it), critical digitalSignature key usage, CA:FALSE, key identifiers, and the CA's own
/// authorityInfoAccess copied when the CA has one.
package enum DelegateIssuance {
    /// The certificate and its new key, both PEM (the key unencrypted PKCS#8: the caller writes it 0600).
    package static func issue(
        ca: Certificate, caKey: PrivateKey, commonName: String, notBefore: UnixTime, notAfter: UnixTime, keyType: DelegateKeyType
    ) throws -> (certificate: [UInt8], key: [UInt8]) {
        OpenSSLLibrary.initialize()
        let key = try GeneratedKey(keyType)
        let issuer = try X509Handle(der: ca.der)
        guard let x509 = X509_new() else { throw OpenSSLError("X509_new") }
        defer { X509_free(x509) }
        guard X509_set_version(x509, 2) == 1 else { throw OpenSSLError("X509_set_version") }

        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw OpenSSLError("RAND_bytes") }
        serial[0] = serial[0] & 0x7f | 0x40
        guard let number = BN_bin2bn(serial, Int32(serial.count), nil) else { throw OpenSSLError("BN_bin2bn") }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509)) != nil else { throw OpenSSLError("BN_to_ASN1_INTEGER") }

        guard X509_set_issuer_name(x509, X509_get_subject_name(issuer.pointer)) == 1 else { throw OpenSSLError("X509_set_issuer_name") }
        guard let name = X509_NAME_new() else { throw OpenSSLError("X509_NAME_new") }
        defer { X509_NAME_free(name) }
        guard X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1,
              X509_set_subject_name(x509, name) == 1 else { throw OpenSSLError("the subject name") }
        guard ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.seconds)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.seconds)) != nil else { throw OpenSSLError("the validity") }
        guard X509_set_pubkey(x509, key.pointer) == 1 else { throw OpenSSLError("X509_set_pubkey") }

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer.pointer, x509, nil, nil, 0)
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "OCSPSigning"),
            (NID_id_pkix_OCSP_noCheck, "yes"),
            (NID_subject_key_identifier, "hash"),
        ]
        if X509_get_ext_by_NID(issuer.pointer, NID_subject_key_identifier, -1) >= 0 {
            extensions.append((NID_authority_key_identifier, "keyid"))
        }
        for (nid, value) in extensions {
            guard let made = X509V3_EXT_nconf_nid(nil, &context, nid, value) else { throw OpenSSLError("extension \(value)") }
            defer { X509_EXTENSION_free(made) }
            guard X509_add_ext(x509, made, -1) == 1 else { throw OpenSSLError("X509_add_ext") }
        }
        let access = X509_get_ext_by_NID(issuer.pointer, NID_info_access, -1)
        if access >= 0, let copied = X509_get_ext(issuer.pointer, access) {
            guard X509_add_ext(x509, copied, -1) == 1 else { throw OpenSSLError("X509_add_ext authorityInfoAccess") }
        }
        guard X509_sign(x509, caKey.pointer, try caKey.signatureScheme.digest) > 0 else { throw OpenSSLError("X509_sign") }

        let certificatePEM = try pemText { PEM_write_bio_X509($0, x509) }
        let keyPEM = try pemText { PEM_write_bio_PrivateKey($0, key.pointer, nil, nil, 0, nil, nil) }
        return (certificatePEM, keyPEM)
    }

    private static func pemText(_ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLError("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw OpenSSLError("PEM writing") }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { throw OpenSSLError("PEM writing") }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// A key made here, freed with its owner.
private final class GeneratedKey {
    let pointer: OpaquePointer

    init(_ type: DelegateKeyType) throws {
        let id: Int32 = switch type {
        case .rsa2048: EVP_PKEY_RSA
        case .p256: EVP_PKEY_EC
        case .ed25519: EVP_PKEY_ED25519
        }
        guard let context = EVP_PKEY_CTX_new_id(id, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSLError("EVP_PKEY_keygen_init") }
        switch type {
        case .rsa2048: guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1 else { throw OpenSSLError("RSA key size") }
        case .p256: guard EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1 else { throw OpenSSLError("EC curve") }
        case .ed25519: break
        }
        var made: OpaquePointer?
        guard EVP_PKEY_keygen(context, &made) == 1, let made else { throw OpenSSLError("EVP_PKEY_keygen") }
        pointer = made
    }

    deinit {
        EVP_PKEY_free(pointer)
    }
}

/// A parsed X509 of libcrypto, freed with its owner.
private final class X509Handle {
    let pointer: OpaquePointer

    init(der: [UInt8]) throws {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLError("d2i_X509") }
        pointer = parsed
    }

    deinit {
        X509_free(pointer)
    }
}
