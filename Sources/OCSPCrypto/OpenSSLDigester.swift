internal import COpenSSL
import OCSPCore

/// The CertID digests, on libcrypto.
public struct OpenSSLDigester: Digester {
    public init() {
        OpenSSLLibrary.initialize()
    }

    public func digest(_ algorithm: HashAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        let message = Array(bytes)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = message.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, algorithm.evpMessageDigest, nil)
        }
        // EVP_Digest fails only on allocation failure for these built-in digests.
        precondition(ok == 1, "EVP_Digest failed: \(OpenSSLError("EVP_Digest"))")
        return Array(output.prefix(Int(length)))
    }
}

extension HashAlgorithm {
    var evpMessageDigest: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
