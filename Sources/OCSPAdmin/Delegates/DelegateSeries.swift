import OCSPCrypto
import OCSPRuntime
import OCSPWire

/// `ocsp-responder sign-delegates`: a staggered series of delegated responder certificates issued offline,
/// certificate i valid from start + i*(length - overlap) for `length` seconds, each with a fresh key,
/// written as `NAME.pem` + `NAME.key` (0600), the pairing the directory form of `[ocsp] cert` reads.
package enum DelegateSeries {
    package struct Options: Sendable {
        package var caPath: String
        package var caKeyPath: String
        package var length: Int64
        package var overlap: Int64
        package var count: Int
        package var outDirectory: String
        package var keyType: DelegateKeyType
        package var start: UnixTime

        package init(caPath: String, caKeyPath: String, length: Int64, overlap: Int64, count: Int, outDirectory: String,
                     keyType: DelegateKeyType, start: UnixTime) {
            self.caPath = caPath
            self.caKeyPath = caKeyPath
            self.length = length
            self.overlap = overlap
            self.count = count
            self.outDirectory = outDirectory
            self.keyType = keyType
            self.start = start
        }
    }

    /// The periods of the series, pure: certificate i from start + i*(length - overlap), for `length`.
    package static func periods(start: UnixTime, length: Int64, overlap: Int64, count: Int) -> [(notBefore: UnixTime, notAfter: UnixTime)] {
        (0..<count).map { index in
            let from = start + Int64(index) * (length - overlap)
            return (from, from + length)
        }
    }

    /// Issues and writes the series; the lines to print, one per pair.
    package static func run(_ options: Options) throws -> [String] {
        let ca = try SigningFiles.certificate(path: options.caPath)
        let caKey = try SigningFiles.privateKey(path: options.caKeyPath, passphrase: nil, keyType: PrivateKey.typeName(for: ca.publicKeyAlgorithm))
        if !FileIO.isDirectory(options.outDirectory) { try FileIO.makeDirectory(path: options.outDirectory, mode: 0o755) }
        var lines: [String] = []
        for (index, period) in periods(start: options.start, length: options.length, overlap: options.overlap, count: options.count).enumerated() {
            // Named by start time, so names sort by age and a later series never overwrites an earlier one.
            let name = "ocsp-\(period.notBefore.seconds)-\(index + 1)"
            let issued = try DelegateIssuance.issue(
                ca: ca, caKey: caKey, commonName: "OCSP responder \(index + 1) from \(period.notBefore)",
                notBefore: period.notBefore, notAfter: period.notAfter, keyType: options.keyType
            )
            let base = options.outDirectory.hasSuffix("/") ? options.outDirectory : options.outDirectory + "/"
            try FileIO.replace(path: base + name + ".key", with: issued.key, defaultMode: 0o600, inPlaceFallback: false)
            try FileIO.replace(path: base + name + ".pem", with: issued.certificate, defaultMode: 0o644, inPlaceFallback: false)
            lines.append("\(base)\(name).pem  valid \(period.notBefore) to \(period.notAfter)")
        }
        return lines
    }
}
