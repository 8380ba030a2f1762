internal import COpenSSL

/// A failure in libcrypto, with OpenSSL's error queue drained into the message.
package struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    package var operation: String
    package var details: [String]

    package var description: String {
        details.isEmpty ? operation : "\(operation): \(details.joined(separator: "; "))"
    }

    /// Captures and clears the thread's OpenSSL error queue, so one failure does not leak into the next call.
    init(_ operation: String) {
        self.operation = operation
        var details: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.details = details
    }
}

/// One-time library set-up, cheaper than the default: a one-shot process does not need openssl.cnf,
/// nor `OPENSSL_cleanup` at exit (about 1.2 million instructions after a signature), which only frees
/// memory the exiting process gives back anyway; keys and contexts are still freed by their owners.
/// This must be the process's first full `OPENSSL_init_crypto` call: only the first decides whether the
/// clean-up is registered (Connector/C's own initialisation comes later, with its first connection).
enum OpenSSLLibrary {
    private static let initialized: Bool = {
        guard OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG) | UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1 else { return false }
        // The random generator RSA blinding draws from: Hash_DRBG with SHA-256 (NIST SP 800-90A, 256-bit
        // security strength, as the default CTR_DRBG with AES-256). Its first use fetches its
        // primitive from the provider, which builds every method of that kind: every cipher for
        // CTR_DRBG (about 3.1 million instructions, 15% of a one-shot run that signs), the few digests
        // for Hash_DRBG. Only the type is chosen here; seeding from the kernel is OpenSSL's as before.
        _ = RAND_set_DRBG_type(nil, "HASH-DRBG", nil, nil, "SHA256")
        return true
    }()

    static func initialize() {
        _ = initialized
    }
}

/// A memory BIO over bytes, freed when the closure returns.
func withMemoryBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> T) throws -> T {
    try bytes.withUnsafeBytes { buffer in
        guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
            throw OpenSSLError("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        return try body(bio)
    }
}

/// Calls an i2d-style function twice, for the length then the bytes.
func derEncode(_ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
    let length = encode(nil)
    guard length > 0 else { throw OpenSSLError("DER encoding") }
    var bytes = [UInt8](repeating: 0, count: Int(length))
    let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
        return encode(&cursor)
    }
    guard written == length else { throw OpenSSLError("DER encoding") }
    return bytes
}
