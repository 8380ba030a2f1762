import OCSPWire
/// Signs ResponseData. OCSPCrypto implements it with OpenSSL; the core only needs these five things.
/// Sendable: one signer serves every worker of `resign` and `serve` at once.
package protocol ResponseSigner: Sendable {
    /// The AlgorithmIdentifier written into BasicOCSPResponse.signatureAlgorithm.
    var signatureAlgorithm: AlgorithmIdentifier { get }
    /// SHA-1 of the signer's subjectPublicKey BIT STRING value, for ResponderID byKey.
    var responderKeyHash: [UInt8] { get }
    /// DER certificates to put in `certs`: the delegated responder's, or none when the CA signs itself.
    var certificates: [[UInt8]] { get }
    /// When its answers can be verified: nothing is signed outside it, no nextUpdate passes its end.
    var period: SigningPeriod { get }
    /// The signature over `message`, the DER of ResponseData.
    func sign(_ message: [UInt8]) throws -> [UInt8]
}

/// A signer that cannot sign now but may later (a token removed, a wrong PIN, a module that fails):
/// the request gets `tryLater` and the description is logged. It must never contain a secret.
package struct SignerUnavailableError: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(description: String) { self.description = description }
}
