import OCSPCore
import OCSPWire
internal import COpenSSL

/// Random octets from OpenSSL's CSPRNG (seeded from the kernel), for values an attacker must not guess,
/// such as a request's nonce (RFC 9654 §2.1).
package enum SecureRandom {
    package static func bytes(count: Int) throws -> [UInt8] {
        OpenSSLLibrary.initialize()
        var bytes = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&bytes, Int32(count)) == 1 else {
            throw OpenSSLError("RAND_bytes")
        }
        return bytes
    }
}
