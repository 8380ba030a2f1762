import OCSPCrypto
import OCSPWire

/// Loading and checking a signer's certificate and key files, the same way for `respond` (from
/// config.ini) and `sign` (from the command line), so both refuse the same things with the same words.
package enum SigningFiles {
    /// A certificate or key that cannot be used; the message names the file and, where there is one, the fix.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// The first certificate of a PEM file, read once and parsed once (see `Certificate`).
    package static func certificate(path: String) throws(Failure) -> Certificate {
        do {
            let pem = try FileIO.read(path: path, limit: 1 << 20)
            guard let first = try Certificate.certificates(pem: pem).first else { throw PEMError("no -----BEGIN CERTIFICATE----- block") }
            return first
        } catch {
            throw Failure("cannot load the certificate \(path): \(error.inputReason)")
        }
    }

    /// A PEM private key, refused unread when others can read the file (see `SecretFileMode`).
    ///
    /// - Parameter keyType: the certificate's key type, which makes decoding much cheaper (see `PrivateKey`).
    ///   - serviceUser: `[ocsp] user`, whose group may read a root-owned key (see `SecretFileMode`); nil: ours.
    package static func privateKey(path: String, passphrase: String?, keyType: String?, serviceUser: String? = nil) throws(Failure) -> PrivateKey {
        if let problem = keyPermissionProblem(path: path, serviceUser: serviceUser) { throw Failure(problem) }
        let pem: [UInt8]
        do {
            pem = try FileIO.read(path: path, limit: 1 << 20)
        } catch {
            throw Failure("cannot read the private key: \(error.inputReason)")
        }
        do {
            return try PrivateKey(pem: pem, passphrase: passphrase, keyType: keyType)
        } catch {
            throw Failure("\(path): \(error.inputReason)")
        }
    }

    /// A token's user PIN from its `pin-source` file: the first line, held to the key file's rules
    /// (`SecretFileMode`). The message names the file, never its content.
    package static func pin(path: String, serviceUser: String? = nil) throws(Failure) -> [UInt8] {
        if let problem = SecretFileMode.problem(path: path, what: "the PIN file", serviceUser: serviceUser) { throw Failure(problem) }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: path, limit: 4096)
        } catch {
            throw Failure("cannot read the PIN file: \(error.inputReason)")
        }
        let line = bytes.prefix { $0 != 0x0a && $0 != 0x0d }
        guard !line.isEmpty else { throw Failure("the PIN file \(path) is empty; its first line is the token's user PIN") }
        return Array(line)
    }

    /// Why the key file at `path` must not be used (see `SecretFileMode`), as ssh refuses keys others can read.
    package static func keyPermissionProblem(path: String, serviceUser: String? = nil) -> String? {
        SecretFileMode.problem(path: path, what: "the private key", serviceUser: serviceUser)
    }

    /// Why `responder` cannot sign for `issuer` as a delegated responder, or nil when it can.
    /// RFC 6960 §4.2.2.2: a delegate is issued directly by the CA and marked for OCSP signing.
    package static func delegationProblem(
        responder: Certificate, responderPath: String, issuer: Certificate, issuerPath: String
    ) -> String? {
        guard responder.isIssued(by: issuer) else {
            return "\(responderPath) (\(responder.subject)) is not issued by the issuer \(issuerPath) (\(issuer.subject))"
        }
        guard responder.hasOCSPSigningUsage else {
            return "\(responderPath) is a delegated responder but lacks the OCSPSigning extended key usage"
        }
        return nil
    }
}
