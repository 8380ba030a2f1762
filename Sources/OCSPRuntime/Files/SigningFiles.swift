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

    /// One certificate and its key, as `[ocsp] cert` and `pkey` name them.
    package struct Pair: Hashable, Sendable {
        package var certificatePath: String
        package var keyPath: String
    }

    /// The signer pairs `cert` and `pkey` name; nil when they name one file each (the plain form).
    ///
    /// - a directory: `cert = /etc/ocsp-responder/signers`: every `NAME.pem` in it, with the key
    ///   `NAME.key` in the directory `pkey` names (the same one, or another). A `NAME.pem` without its
    ///   `NAME.key` is a pair that fails to load (logged and skipped), as `ocsp-responder sign-delegates`
    ///   writes them.
    /// - a list: `cert = a.pem, b.pem` with `pkey = a.key, b.key`, paired by position (commas, as `ocspresponse`).
    package static func pairs(certificate: String, key: String) throws(Failure) -> [Pair]? {
        if FileIO.isDirectory(certificate) {
            guard FileIO.isDirectory(key) else { throw Failure("cert \(certificate) is a directory of signer pairs, so pkey must name the directory of their NAME.key files (it may be the same one)") }
            let names: [String]
            do {
                names = try FileIO.names(in: certificate, prefix: "")
            } catch {
                throw Failure("cannot list \(error)")
            }
            let stems = names.filter { $0.hasSuffix(".pem") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }.sorted()
            guard !stems.isEmpty else { throw Failure("the directory \(certificate) holds no NAME.pem signer certificate") }
            return stems.map { Pair(certificatePath: joined(certificate, "\($0).pem"), keyPath: joined(key, "\($0).key")) }
        }
        let certificates = list(certificate), keys = list(key)
        guard certificates.count > 1 || keys.count > 1 else { return nil }
        guard certificates.count == keys.count else {
            throw Failure("cert names \(certificates.count) certificates but pkey \(keys.count) keys; list one key per certificate, in the same order")
        }
        return zip(certificates, keys).map { Pair(certificatePath: $0, keyPath: $1) }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            .filter { !$0.isEmpty }
    }

    private static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
