import OCSPCore
import OCSPWire
internal import COpenSSL

/// Signs responses with a certificate's private key: the CA's own, or a delegated responder's.
package final class OpenSSLSigner: ResponseSigner, @unchecked Sendable {
    // @unchecked Sendable: all stored properties are immutable, and PrivateKey signs concurrently safely.
    package let key: PrivateKey
    package let signatureAlgorithm: AlgorithmIdentifier
    package let responderKeyHash: [UInt8]
    package let certificates: [[UInt8]]
    package let period: SigningPeriod
    private let digest: OpaquePointer?

    /// - Parameters:
    ///   - includeCertificate: put the signer's certificate in `certs`, as a delegated responder must
    ///     (and as `[ocsp] include_signer` asks of a CA that signs itself).
    ///   - issuer: the CA that issued `certificate`, when it is not the CA itself: its validity bounds the
    ///     signer's `period` too.
    package init(certificate: Certificate, key: PrivateKey, includeCertificate: Bool, issuer: Certificate? = nil) throws {
        guard key.matches(subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER, publicKeyBits: certificate.publicKeyBits) else {
            throw KeyError("the private key does not match the certificate's public key")
        }
        self.key = key
        let scheme = try key.signatureScheme
        self.signatureAlgorithm = scheme.identifier
        self.digest = scheme.digest
        self.responderKeyHash = OpenSSLDigester().digest(.sha1, certificate.publicKeyBits)
        self.certificates = includeCertificate ? [certificate.der] : []
        self.period = SigningPeriod(signer: certificate, issuer: issuer)
    }

    package func sign(_ message: [UInt8]) throws -> [UInt8] {
        try key.sign(message, digest: digest)
    }
}
