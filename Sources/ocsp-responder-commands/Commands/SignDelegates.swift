import ArgumentParser
import OCSPAdmin
import OCSPCrypto
import OCSPRuntime
import OCSPWire

extension DelegateKeyType: ExpressibleByArgument {}

/// `ocsp-responder sign-delegates`: a staggered series of delegated responder certificates, offline.
struct SignDelegates: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-delegates",
        abstract: "Issue a staggered series of delegated OCSP responder certificates with the CA's key, offline.",
        discussion: "Certificate i is valid from now + i*(days-overlap) for --days, with id-kp-OCSPSigning, id-pkix-ocsp-nocheck, digitalSignature, the CA's authorityInfoAccess, and a fresh key; written as NAME.pem + NAME.key (0600) in --out, the directory form of [ocsp] cert and pkey. (--pkcs11 keys: not done.)"
    )

    @Option(name: .long, help: ArgumentHelp("PEM of the CA certificate.", valueName: "cert")) var ca: String
    @Option(name: .customLong("ca-key"), help: ArgumentHelp("PEM of the CA's private key.", valueName: "key")) var caKey: String
    @Option(name: .long, help: "Validity of each certificate, in days.") var days: Int64 = 30
    @Option(name: .long, help: "Days each certificate overlaps the next.") var overlap: Int64 = 15
    @Option(name: .long, help: "How many certificates.") var count: Int = 6
    @Option(name: .long, help: ArgumentHelp("Directory to write NAME.pem and NAME.key into.", valueName: "dir")) var out: String
    @Option(name: .customLong("key-type"), help: "rsa2048, p256 or ed25519.") var keyType: DelegateKeyType = .p256
    @Flag(name: .long, help: "--days and --overlap count seconds (for tests).") var seconds = false

    func validate() throws {
        guard days > 0, overlap >= 0, overlap < days else { throw ValidationError("--overlap must be at least 0 and less than --days") }
        guard (1...1000).contains(count) else { throw ValidationError("--count must be 1 to 1000") }
    }

    func run() throws {
        let unit: Int64 = seconds ? 1 : 86_400
        let lines = try DelegateSeries.run(.init(
            caPath: ca, caKeyPath: caKey, length: days * unit, overlap: overlap * unit, count: count, outDirectory: out,
            keyType: keyType, start: UnixTime(seconds: Int64(RunClock.currentTime().seconds))
        ))
        for line in lines { print(line) }
    }
}
