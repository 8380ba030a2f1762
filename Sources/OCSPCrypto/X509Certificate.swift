import OCSPCore
import OCSPWire
internal import COpenSSL

/// An X.509 certificate, owning OpenSSL's `X509`.
///
/// `@unchecked Sendable`: the certificate is never mutated after it is made, and OpenSSL guards the
/// extension cache it fills lazily (`X509_check_purpose`) with the object's own lock.
package final class X509Certificate: @unchecked Sendable {
    private let pointer: OpaquePointer

    private init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_free(pointer)
    }

    /// Every certificate in a PEM file's bytes, in order. Throws if there is none.
    package static func certificates(pem: [UInt8]) throws -> [X509Certificate] {
        OpenSSLLibrary.initialize()
        return try withMemoryBIO(pem) { bio in
            var certificates: [X509Certificate] = []
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(X509Certificate(taking: x509))
            }
            // Reading stops with "no start line" at the end of the file; anything else is a real error.
            let error = OpenSSLError("reading PEM certificate")
            guard !certificates.isEmpty else { throw error }
            return certificates
        }
    }

    /// A certificate from DER.
    package convenience init(der: [UInt8]) throws {
        OpenSSLLibrary.initialize()
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLError("parsing DER certificate") }
        self.init(taking: parsed)
    }

    /// The certificate's DER.
    package var der: [UInt8] {
        get throws { try derEncode { i2d_X509(pointer, $0) } }
    }

    /// The DER of the subject's distinguished name: what issuerNameHash is computed over.
    package var subjectNameDER: [UInt8] {
        get throws { try derEncode { i2d_X509_NAME(X509_get_subject_name(pointer), $0) } }
    }

    /// The DER of the issuer's distinguished name: what the issuer's own CertIDs hash as issuerNameHash.
    package var issuerNameDER: [UInt8] {
        get throws { try derEncode { i2d_X509_NAME(X509_get_issuer_name(pointer), $0) } }
    }

    /// The value of the subjectPublicKey BIT STRING: what issuerKeyHash and ResponderID byKey hash.
    package var publicKeyBits: [UInt8] {
        guard let bits = X509_get0_pubkey_bitstr(pointer), let data = ASN1_STRING_get0_data(bits) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(bits))))
    }

    package var serialNumber: CertificateSerialNumber {
        get throws {
            let der = try derEncode { i2d_ASN1_INTEGER(X509_get0_serialNumber(pointer), $0) }
            return try CertificateSerialNumber(derEncoded: der[...])
        }
    }

    package var notBefore: UnixTime? { Self.unixTime(X509_get0_notBefore(pointer)) }
    package var notAfter: UnixTime? { Self.unixTime(X509_get0_notAfter(pointer)) }

    private static func unixTime(_ time: UnsafePointer<ASN1_TIME>?) -> UnixTime? {
        var fields = tm()
        guard let time, ASN1_TIME_to_tm(time, &fields) == 1 else { return nil }
        return UnixTime(
            year: Int(fields.tm_year) + 1900, month: Int(fields.tm_mon) + 1, day: Int(fields.tm_mday),
            hours: Int(fields.tm_hour), minutes: Int(fields.tm_min), seconds: Int(fields.tm_sec)
        )
    }

    /// OpenSSL's name for the public key's type (`RSA`, `EC`, `ED25519`), to load the matching private key fast.
    package var publicKeyTypeName: String? {
        guard let key = X509_get0_pubkey(pointer), let name = EVP_PKEY_get0_type_name(key) else { return nil }
        return String(cString: name)
    }

    /// The subject as one line, RFC 2253 style, for messages.
    package var subject: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "?" }
        defer { BIO_free(bio) }
        X509_NAME_print_ex(bio, X509_get_subject_name(pointer), 0, shim_XN_FLAG_RFC2253())
        var data: UnsafeMutablePointer<CChar>?
        let length = shim_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// True when both certificates name the same subject with the same public key: the same CA.
    package func sameKeyAndName(as other: X509Certificate) -> Bool {
        (try? subjectNameDER == other.subjectNameDER) == true && publicKeyBits == other.publicKeyBits
    }

    /// True when `issuer`'s name and key identifiers fit this certificate and its key verifies the signature.
    package func isIssued(by issuer: X509Certificate) -> Bool {
        guard X509_check_issued(issuer.pointer, pointer) == X509_V_OK,
              let key = X509_get0_pubkey(issuer.pointer) else { return false }
        let verified = X509_verify(pointer, key) == 1
        ERR_clear_error()
        return verified
    }

    /// True when the extended key usage includes id-kp-OCSPSigning (RFC 6960 §4.2.2.2).
    package var hasOCSPSigningUsage: Bool {
        let flags = X509_get_extension_flags(pointer)
        return flags & UInt32(EXFLAG_XKUSAGE) != 0 && X509_get_extended_key_usage(pointer) & UInt32(XKU_OCSP_SIGN) != 0
    }

    /// True when the certificate carries id-pkix-ocsp-nocheck.
    package var hasOCSPNoCheck: Bool {
        X509_get_ext_by_NID(pointer, NID_id_pkix_OCSP_noCheck, -1) >= 0
    }
}
