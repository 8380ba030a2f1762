import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ocsp-responder request`: a DER OCSP request, as `openssl ocsp -reqout` makes one, for testing a
/// responder (`request … | ocsp-responder respond - | ocsp-responder inspect -`).
package enum RequestBuilder {
    /// One certificate asked about.
    package enum Subject: Sendable {
        /// A certificate file: its serial, after checking that the issuer issued it.
        case certificate(path: String)
        /// A bare serial.
        case serial(CertificateSerialNumber)
    }

    package struct Options: Sendable {
        /// The CA that issued the certificates asked about; every CertID carries its hashes.
        package var issuerPath: String
        /// One CertID each, in this order.
        package var subjects: [Subject]
        /// The CertID's hash algorithm: SHA-1 by default, as RFC 5019 clients send.
        package var hash: HashAlgorithm
        /// Add a nonce (RFC 9654) of `nonceLength` random octets.
        package var nonce: Bool
        /// Where the request goes; `-` for standard output.
        package var output: String

        package init(issuerPath: String, subjects: [Subject], hash: HashAlgorithm = .sha1, nonce: Bool = true, output: String = "-") {
            self.issuerPath = issuerPath
            self.subjects = subjects
            self.hash = hash
            self.nonce = nonce
            self.output = output
        }
    }

    /// RFC 9654 §2.1 asks for at least 16 octets (and responders accept at most 32).
    package static let nonceLength = 16

    /// `nonceLength` octets an attacker cannot guess (RFC 9654 §2.1): the system generator is the
    /// kernel's CSPRNG (getrandom(2) on Linux).
    package static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
    package typealias Failure = CommandFailure

    /// The whole command: builds the request, writes it, returns the exit status. Failures print one line.
    package static func run(_ options: Options) -> Int32 {
        do throws(Failure) {
            if options.output == "-" && isatty(STDOUT_FILENO) == 1 {
                throw Failure(ExitStatus.usage, "the request is binary DER; pipe it (| ocsp-responder respond -) or give --out FILE")
            }
            let der = try request(options)
            do {
                if options.output == "-" {
                    try FileIO.writeStandardOutput(der)
                } else {
                    try FileIO.replace(path: options.output, with: der)
                }
            } catch {
                throw Failure(ExitStatus.ioError, "cannot write the request: \(error.inputReason)")
            }
            return 0
        } catch {
            Console.printError(error.description)
            return error.exitStatus
        }
    }

    /// Loads and checks the certificates, then builds the DER request.
    package static func request(_ options: Options) throws(Failure) -> [UInt8] {
        let issuer = try certificate(options.issuerPath)
        let identity = IssuerIdentity(issuer, digester: OpenSSLDigester())
        var certIDs: [CertID] = []
        for subject in options.subjects {
            certIDs.append(identity.certID(serial: try serial(of: subject, issuer: issuer, issuerPath: options.issuerPath), hash: options.hash))
        }
        let nonce = options.nonce ? randomNonce() : nil
        do {
            return try OCSPRequest(certIDs: certIDs, nonce: nonce).derBytes()
        } catch {
            throw Failure(ExitStatus.software, "cannot encode the request: \(error.inputReason)")
        }
    }

    static func serial(of subject: Subject, issuer: Certificate, issuerPath: String) throws(Failure) -> CertificateSerialNumber {
        switch subject {
        case .serial(let serial):
            return serial
        case .certificate(let path):
            let certificate = try certificate(path)
            guard certificate.isIssued(by: issuer) else {
                throw .unusable("\(path) (\(certificate.subject)) is not issued by --issuer \(issuerPath) (\(issuer.subject)); give the certificate's own issuer")
            }
            return certificate.serialNumber
        }
    }

    static func certificate(_ path: String) throws(Failure) -> Certificate {
        do {
            return try SigningFiles.certificate(path: path)
        } catch {
            throw .unusable(error.description)
        }
    }
}
