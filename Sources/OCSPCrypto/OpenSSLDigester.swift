import OCSPCore
import OCSPWire
internal import COpenSSL

/// The CertID digests, on libcrypto's SHA implementations.
///
/// Why the low-level `SHA*_Init/Update/Final` and not `EVP_Digest`: the first EVP digest of a process
/// fetches its implementation from the provider, which enumerates every algorithm the provider has,
/// about 3.6 million instructions, a quarter of a one-shot run answered from the cache. The low-level
/// functions are the same code without the fetch.
package struct OpenSSLDigester: Digester {
    package init() {
        OpenSSLLibrary.initialize()
    }

    package func digest(_ algorithm: HashAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        let message = Array(bytes)
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        message.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                let md = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                switch algorithm {
                case .sha1:
                    var context = SHA_CTX()
                    SHA1_Init(&context)
                    SHA1_Update(&context, input.baseAddress, input.count)
                    SHA1_Final(md, &context)
                case .sha256:
                    var context = SHA256_CTX()
                    SHA256_Init(&context)
                    SHA256_Update(&context, input.baseAddress, input.count)
                    SHA256_Final(md, &context)
                case .sha384:
                    var context = SHA512_CTX()
                    SHA384_Init(&context)
                    SHA384_Update(&context, input.baseAddress, input.count)
                    SHA384_Final(md, &context)
                case .sha512:
                    var context = SHA512_CTX()
                    SHA512_Init(&context)
                    SHA512_Update(&context, input.baseAddress, input.count)
                    SHA512_Final(md, &context)
                }
            }
        }
        return output
    }
}
