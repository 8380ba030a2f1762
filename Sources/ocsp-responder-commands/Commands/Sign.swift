import OCSPAdmin
import OCSPCore
import OCSPRuntime
import OCSPWire
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign one OCSP response offline (like `cfssl ocspsign`), e.g. the intermediate's, with the root's key.",
        discussion: """
            Makes a Basic OCSP response about one certificate, signed by --key: the issuer's own key, \
            or a delegated responder's (--signer, issued by --issuer with the OCSPSigning extended key \
            usage). No database is read. thisUpdate = producedAt = now, nextUpdate = now + --valid.

            A config file (--config, else $OCSP_RESPONDER_CONFIG or \(ResponderConfiguration.defaultPath) \
            when that file exists) is read only for its [ocsp] user: started as root, sign runs as that \
            user; started as another user, it refuses. Without a config (an offline root's machine) \
            anyone may sign.

            The key file must not be readable by group or others. An encrypted key's passphrase is \
            read from the first line of --password-file, never from the command line.

            Exit status: 0 written; 64 bad arguments; 78 a certificate, key or password file that \
            cannot be used (unreadable, wrong issuer, wrong key, readable by group or others), a config \
            that does not load, or the wrong user; 74 the response could not be written.

            Examples:
              # the intermediate's response, signed with the root's key, valid 30 days
              ocsp-responder sign --issuer root.pem --key root.key \\
                --cert intermediate.pem --status good --valid 30d \\
                --out intermediate.ocsp.der
              # revoked, by serial, with a reason
              ocsp-responder sign --issuer root.pem --key root.key \\
                --serial 0x1A2B --status revoked --revoked-at 2026-01-02 \\
                --reason key_compromise --valid 7d --out revoked.ocsp.der
            """
    )

    @Option(name: .long, help: ArgumentHelp(
        "PEM of the CA that issued the certificate answered for; the CertID names it.", valueName: "cert"))
    var issuer: String

    @Option(name: .long, help: ArgumentHelp(
        "PEM private key of the signer (--signer, else --issuer), or its PKCS#11 URI (pkcs11:token=T;object=K?pin-source=file:/path) with --pkcs11-module.",
        valueName: "key"))
    var key: String

    @Option(name: .long, help: ArgumentHelp(
        "A delegated responder's certificate, issued by --issuer with the OCSPSigning EKU; it goes in the response.",
        valueName: "cert"))
    var signer: String?

    @Option(name: .long, help: ArgumentHelp(
        "The certificate answered for (its serial; it must be issued by --issuer).", valueName: "cert"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp(
        "The serial answered for, in hex (0x optional, any case), instead of --cert.", valueName: "hex"))
    var serial: CertificateSerialNumber?

    @Option(name: .long, help: ArgumentHelp("good, revoked or unknown.", valueName: "status"))
    var status: Status

    @Option(name: .long, help: ArgumentHelp(
        "With --status revoked: 2026-01-02T03:04:05Z, '2026-01-02 03:04:05' (UTC), 2026-01-02 or now (default).",
        valueName: "time"))
    var revokedAt: TimeArgument?

    @Option(name: .long, help: ArgumentHelp(
        "With --status revoked: key_compromise, ca_compromise, superseded, certificate_hold, ... (or keyCompromise, ...).",
        valueName: "reason"))
    var reason: CRLReason?

    @Option(name: .long, help: ArgumentHelp(
        "How long the response is valid: a number and h, d, m (30 days) or y (365 days), e.g. 7d.", valueName: "duration"))
    var valid: DurationArgument

    @Option(name: .long, help: ArgumentHelp("Write the response here; - for standard output.", valueName: "file"))
    var out: String

    @Option(name: .long, help: ArgumentHelp(
        "The CertID's hash: sha1 (default), sha256, sha384 or sha512; repeat it for one SingleResponse per hash in the one response.",
        valueName: "hash"))
    var hash: [HashAlgorithm] = []

    @Option(name: .long, help: ArgumentHelp("A file whose first line is the key's passphrase.", valueName: "file"))
    var passwordFile: String?

    @Option(name: .long, help: ArgumentHelp("The PKCS#11 module that holds a --key pkcs11: URI's token, e.g. /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so.", valueName: "file"))
    var pkcs11Module: String?

    @Flag(name: .long, help: "Write base64 PEM (BEGIN OCSP RESPONSE) instead of DER.")
    var pem = false

    @Option(name: .long, help: ArgumentHelp(
        "A config whose [ocsp] user to obey (default: $OCSP_RESPONDER_CONFIG, else \(ResponderConfiguration.defaultPath), if it exists).",
        valueName: "path"))
    var config: String?

    func validate() throws {
        switch (cert, serial) {
        case (nil, nil): throw ValidationError("Name the certificate: give --cert FILE or --serial HEX.")
        case (_?, _?): throw ValidationError("Give --cert or --serial, not both.")
        default: break
        }
        if pkcs11Module != nil, !key.lowercased().hasPrefix("pkcs11:") {
            throw ValidationError("--pkcs11-module goes only with a --key pkcs11: URI.")
        }
        if status != .revoked {
            if revokedAt != nil { throw ValidationError("--revoked-at goes only with --status revoked.") }
            if reason != nil { throw ValidationError("--reason goes only with --status revoked.") }
        }
    }

    /// `--status`.
    enum Status: String, CaseIterable, ExpressibleByArgument {
        case good, revoked, unknown

        init?(argument: String) {
            self.init(rawValue: argument.lowercased())
        }
    }

    func run() throws {
        if let path = configPath { _ = try RunStart.begin(.init(configPath: path, logLevel: nil, opensLog: false)) }
        let subject: OfflineSigning.Subject
        if let cert {
            subject = .certificate(path: cert)
        } else if let serial {
            subject = .serial(serial)
        } else {
            throw ValidationError("Name the certificate: give --cert FILE or --serial HEX.")
        }
        let certStatus: OfflineSigning.Status = switch status {
        case .good: .good
        case .unknown: .unknown
        case .revoked: .revoked(at: (revokedAt ?? .now).time, reason: reason)
        }
        let exitStatus = OfflineSigning.run(.init(
            issuerPath: issuer, keyPath: key, signerPath: signer, subject: subject, status: certStatus,
            validity: valid.seconds, hashes: hash, passwordFilePath: passwordFile, pkcs11Module: pkcs11Module, output: out,
            format: pem ? .pem : .der
        ))
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }

    /// The config whose `[ocsp] user` to obey: `--config`, else the usual one only if it is there, for
    /// `sign` also runs on an offline machine with no responder installed.
    var configPath: String? {
        let path = ResponderConfiguration.resolvePath(explicit: config)
        return config != nil || access(path, F_OK) == 0 ? path : nil
    }
}
