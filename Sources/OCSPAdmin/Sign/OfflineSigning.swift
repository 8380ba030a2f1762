import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ocsp-responder sign`: one pre-signed OCSP response, made offline, as `cfssl ocspsign` makes one.
///
/// Its use is the intermediate's own status: the root's key, kept offline, signs "the intermediate is
/// good until nextUpdate", and the online responder hands that response out (`[ocsp] ocspresponse`).
/// No config file, no database: everything comes from the command line.
package enum OfflineSigning {
    /// Which certificate the response is about.
    package enum Subject: Sendable {
        /// A certificate file: its serial, after checking that the issuer issued it.
        case certificate(path: String)
        /// A bare serial, for a certificate at hand only as a number.
        case serial(CertificateSerialNumber)
    }

    /// What the response says of the certificate.
    package enum Status: Sendable {
        case good
        case revoked(at: UnixTime, reason: CRLReason?)
        case unknown

        var certStatus: CertStatus {
            switch self {
            case .good: .good
            case .revoked(let time, let reason): RecordedStatus.revoked(at: time, reason: reason).certStatus
            case .unknown: .unknown
            }
        }
    }

    package enum OutputFormat: Sendable {
        /// The DER OCSPResponse, what `openssl ocsp -respin` and `[ocsp] ocspresponse` read.
        case der
        /// The DER in base64 between `-----BEGIN OCSP RESPONSE-----` lines, for pasting into mail or tickets.
        case pem
    }

    package struct Options: Sendable {
        /// The CA that issued the certificate answered for; the CertID's hashes are its.
        package var issuerPath: String
        /// The signer's private key: the issuer's, or the delegated responder's.
        package var keyPath: String
        /// A delegated responder's certificate; nil when the issuer signs.
        package var signerPath: String?
        package var subject: Subject
        package var status: Status
        /// Seconds from thisUpdate to nextUpdate.
        package var validity: Int64
        /// The CertIDs' hash algorithms: one SingleResponse each, in this order, in one response, so that
        /// a client asking with any of them finds its CertID in the file (`[ocsp] ocspresponse`).
        package var hashes: [HashAlgorithm]
        /// A file whose first line is the key's passphrase; never taken from the command line, where `ps` shows it.
        package var passwordFilePath: String?
        /// The PKCS#11 module for a `--key pkcs11:...` URI.
        package var pkcs11Module: String? = nil
        /// Where the response goes; `-` for standard output.
        package var output: String
        package var format: OutputFormat

        package init(
            issuerPath: String, keyPath: String, signerPath: String?, subject: Subject, status: Status,
            validity: Int64, hashes: [HashAlgorithm] = [.sha1], passwordFilePath: String? = nil, pkcs11Module: String? = nil,
            output: String, format: OutputFormat = .der
        ) {
            self.pkcs11Module = pkcs11Module
            self.issuerPath = issuerPath
            self.keyPath = keyPath
            self.signerPath = signerPath
            self.subject = subject
            self.status = status
            self.validity = validity
            self.hashes = hashes.isEmpty ? [.sha1] : hashes
            self.passwordFilePath = passwordFilePath
            self.output = output
            self.format = format
        }
    }

    /// Why nothing was made: a one-line message naming the fix, and the exit status for it.
    package typealias Failure = CommandFailure

    /// What was signed, for the one line a successful run prints.
    package struct Signed: Sendable {
        package var der: [UInt8]
        package var serial: CertificateSerialNumber
        package var certStatus: CertStatus
        package var nextUpdate: UnixTime
        /// Said on stderr when nextUpdate was capped at the signer's end (see `SigningPeriod`).
        package var notice: String?
    }

    /// The whole command: makes the response, writes it, and returns the exit status. Failures print
    /// one line to stderr; the passphrase is never printed.
    package static func run(_ options: Options) -> Int32 {
        do throws(Failure) {
            let signed = try response(options, at: RunClock.currentTime())
            let bytes = options.format == .pem ? Array(PEM.encode(signed.der, label: "OCSP RESPONSE").utf8) : signed.der
            do {
                if options.output == "-" {
                    try FileIO.writeStandardOutput(bytes)
                } else {
                    try FileIO.replace(path: options.output, with: bytes)
                }
            } catch {
                throw Failure(ExitStatus.ioError, "cannot write the response: \(error.inputReason)")
            }
            if let notice = signed.notice {
                LogDestination.standardError.write("ocsp-responder: warning: \(notice)\n")
            }
            if options.output != "-" {
                // stdout may be the response itself; the confirmation goes where messages go.
                LogDestination.standardError.write(
                    "ocsp-responder: signed serial 0x\(signed.serial): \(signed.certStatus.name), valid until \(signed.nextUpdate), written to \(options.output)\n"
                )
            }
            return 0
        } catch {
            Console.printError(error.description)
            return error.exitStatus
        }
    }

    /// Loads and checks the files, then builds and signs the response at `now`.
    package static func response(_ options: Options, at now: UnixTime) throws(Failure) -> Signed {
        let issuer = try certificate(options.issuerPath)

        let serial: CertificateSerialNumber
        switch options.subject {
        case .serial(let given):
            serial = given
        case .certificate(let path):
            let subject = try certificate(path)
            guard subject.isIssued(by: issuer) else {
                throw .unusable("\(path) (\(subject.subject)) is not issued by --issuer \(options.issuerPath) (\(issuer.subject)); give the certificate's own issuer")
            }
            serial = subject.serialNumber
        }

        let signerCertificate: Certificate
        if let signerPath = options.signerPath {
            signerCertificate = try certificate(signerPath)
            if let problem = SigningFiles.delegationProblem(
                responder: signerCertificate, responderPath: signerPath, issuer: issuer, issuerPath: options.issuerPath
            ) {
                throw .unusable(problem)
            }
        } else {
            signerCertificate = issuer
        }

        let signer: any ResponseSigner
        if PKCS11URI.isURI(options.keyPath) {
            signer = try tokenSigner(options, certificate: signerCertificate, issuer: issuer)
        } else {
            signer = try fileSigner(options, certificate: signerCertificate, issuer: issuer)
        }

        let identity = IssuerIdentity(issuer, digester: OpenSSLDigester())
        // A response its clients would reject: refused here, where the operator can renew the certificate.
        if let problem = signer.period.problem(at: now) {
            throw .unusable(problem)
        }
        let status = options.status.certStatus
        var hashes: [HashAlgorithm] = []
        for hash in options.hashes where !hashes.contains(hash) { hashes.append(hash) }
        let statuses = hashes.map { (certID: identity.certID(serial: serial, hash: $0), status: status) }
        let data = OCSPResponder.responseData(statuses, signer: signer, at: now, validity: options.validity)
        do {
            let der = try OCSPResponder.sign(data, with: signer)
            return Signed(der: der, serial: serial, certStatus: status, nextUpdate: signer.period.nextUpdate(at: now, validity: options.validity),
                          notice: signer.period.capNotice(at: now, validity: options.validity))
        } catch {
            throw Failure(ExitStatus.config, "signing failed: \(error.inputReason)")
        }
    }

    static func certificate(_ path: String) throws(Failure) -> Certificate {
        do {
            return try SigningFiles.certificate(path: path)
        } catch {
            throw .unusable(error.description)
        }
    }

    /// The first line of the password file, as `openssl -passin file:` reads it.
    /// The signer of a `--key` file.
    static func fileSigner(_ options: Options, certificate signerCertificate: Certificate, issuer: Certificate) throws(Failure) -> any ResponseSigner {
        let passphrase = try options.passwordFilePath.map { path throws(Failure) in try readPassphrase(path) }
        let key: PrivateKey
        do {
            key = try SigningFiles.privateKey(path: options.keyPath, passphrase: passphrase, keyType: PrivateKey.typeName(for: signerCertificate.publicKeyAlgorithm))
        } catch {
            // PrivateKey words this for config.ini ("no password is configured"); here the fix is an option.
            let hint = passphrase == nil && error.description.contains("encrypted") ? "; give its passphrase with --password-file FILE" : ""
            throw .unusable("\(error.inputReason)\(hint)")
        }
        let signer: any ResponseSigner
        do {
            signer = try OpenSSLSigner(
                certificate: signerCertificate, key: key, includeCertificate: options.signerPath != nil,
                issuer: options.signerPath == nil ? nil : issuer
            )
        } catch {
            let certificateOption = options.signerPath == nil ? "--issuer \(options.issuerPath)" : "--signer \(options.signerPath!)"
            throw .unusable("--key \(options.keyPath) cannot sign for \(certificateOption): \(error.inputReason)")
        }
        return signer
    }

    /// The signer of a `--key pkcs11:...` URI, with `--pkcs11-module`; the PIN from the URI's pin-source file.
    static func tokenSigner(_ options: Options, certificate: Certificate, issuer: Certificate) throws(Failure) -> any ResponseSigner {
        let uri: PKCS11URI
        do {
            uri = try PKCS11URI(options.keyPath)
        } catch {
            throw .unusable("--key: \(error.description)")
        }
        guard let pinFile = uri.pinFile else { throw .unusable("--key: the PKCS#11 URI needs pin-source=file:/path (the PIN's file)") }
        guard let modulePath = options.pkcs11Module else { throw .unusable("--key pkcs11:... needs --pkcs11-module /path/to/module.so") }
        let pin: [UInt8]
        do {
            pin = try SigningFiles.pin(path: pinFile)
        } catch {
            throw .unusable(error.description)
        }
        let module: PKCS11Module
        do {
            module = try PKCS11Module.shared(path: modulePath)
        } catch {
            throw .unusable("--pkcs11-module: \(error.description)")
        }
        do {
            return try PKCS11Signer(
                certificate: certificate, module: module, uri: uri, pin: pin, includeCertificate: options.signerPath != nil,
                issuer: options.signerPath == nil ? nil : issuer
            )
        } catch {
            throw .unusable("--key \(uri): \(error.inputReason)")
        }
    }

    static func readPassphrase(_ path: String) throws(Failure) -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: path, limit: 64 * 1024)
        } catch {
            throw .unusable("cannot read the password file: \(error.inputReason)")
        }
        var line = bytes.prefix(while: { $0 != UInt8(ascii: "\n") })
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
