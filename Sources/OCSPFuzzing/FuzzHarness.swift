import OCSPCore
import OCSPCrypto
import OCSPWire

/// The inputs the fuzzers drive, shared by the libFuzzer targets (built by scripts/fuzz.sh) and by the
/// regression test that replays every input the fuzzers ever found worth keeping.
///
/// Everything here must return normally for any bytes: a crash, a trap or a hang is the finding.
package enum FuzzHarness {
    /// The request parser alone.
    package static func parseRequest(_ bytes: [UInt8]) {
        _ = try? OCSPResponder.parseRequest(bytes)
    }

    /// The whole answer path: two CAs with tables in memory, a cache and the intermediate's file that
    /// return the same fuzzed bytes (so a stored response is parsed and checked too), every not_found
    /// policy, and the request itself.
    package static func respond(_ bytes: [UInt8]) {
        let policy = NotFoundPolicy.allCases[Int(bytes.first ?? 0) % NotFoundPolicy.allCases.count]
        let cache = EchoCache(bytes: bytes, now: fixtures.now)
        var responder = OCSPResponder(authorities: fixtures.authorities(notFound: policy, intermediateFile: bytes), cache: cache)
        _ = responder.respond(to: bytes, at: fixtures.now)
        // The same bytes as a stored response, read back the way the cache and `resign` read them.
        if let stored = try? StoredResponse(derOrPEM: bytes) {
            for certID in stored.data.responses.map(\.certID).prefix(2) {
                _ = SoundnessCheck.keptAnswer(for: certID, signerKeyHash: FixedSigner().responderKeyHash).verdict(on: stored, at: fixtures.now)
            }
            let asked = SoundnessCheck(certIDs: .each(stored.data.responses.map(\.certID)), signerKeyHash: nil, refusesNonce: false)
            _ = asked.verdict(on: stored, at: fixtures.now)
        }
        responder.cache = nil
        _ = responder.respond(to: bytes, at: fixtures.now)
    }

    /// A cache that holds the fuzzed bytes for every CertID and forgets what it is given. Inputs of even
    /// length were checked just now (a hit), those of odd length long ago (a revalidation against the table).
    final class EchoCache: ResponseCache {
        let bytes: [UInt8]
        let checkedAt: UnixTime
        init(bytes: [UInt8], now: UnixTime) {
            self.bytes = bytes
            self.checkedAt = bytes.count % 2 == 0 ? now : .epoch
        }
        func storedResponse(for certID: CertID) -> KeptResponse? { KeptResponse(der: bytes, checkedAt: checkedAt) }
        func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime) {}
        func renew(_ certID: CertID, checkedAt: UnixTime) {}
        func discard(_ certID: CertID) {}
    }

    /// A signer that does not sign: the fuzzers look for crashes in the logic, not in OpenSSL.
    package struct FixedSigner: ResponseSigner {
        package let signatureAlgorithm = AlgorithmIdentifier(algorithm: AlgorithmObjectIdentifier.ecdsaWithSHA256)
        package let responderKeyHash: [UInt8] = Array(repeating: 0xAB, count: 20)
        package let certificates: [[UInt8]] = []
        package let period = SigningPeriod.unbounded
        package init() {}
        package func sign(_ message: [UInt8]) throws -> [UInt8] { Array(repeating: 0x5A, count: 64) }
    }

    package struct Fixtures: Sendable {
        package let now = UnixTime(year: 2026, month: 11, day: 25, hours: 12)
        package let first: IssuerIdentity
        package let second: IssuerIdentity

        init() {
            let digester = OpenSSLDigester()
            // The name and key of the CAs do not matter; seeds are made for the first one (see fuzz.sh).
            first = IssuerIdentity(subjectNameDER: [0x30, 0x00], publicKeyBits: Array(repeating: 1, count: 65), digester: digester)
            second = IssuerIdentity(subjectNameDER: [0x30, 0x02, 0x31, 0x00], publicKeyBits: Array(repeating: 2, count: 65), digester: digester)
        }

        package func authorities(notFound: NotFoundPolicy, intermediateFile: [UInt8]) -> [Authority] {
            let rows: [CertificateSerialNumber: RecordedStatus] = [
                CertificateSerialNumber(magnitude: [0x10, 0x01]): .good,
                CertificateSerialNumber(magnitude: [0x10, 0x02]): .revoked(at: now + -86_400, reason: .keyCompromise),
                CertificateSerialNumber(magnitude: [0x10, 0x03]): .revoked(at: .epoch, reason: nil),
            ]
            let intermediate = IntermediateResponse(
                serial: CertificateSerialNumber(magnitude: [0x01]), issuerNameDER: [0x30, 0x00], paths: ["fuzz"],
                digester: OpenSSLDigester(), read: { _ in intermediateFile }
            )
            return [
                Authority(issuer: first, signer: FixedSigner(), statusSource: InMemoryStatusSource(rows: rows),
                          notFound: notFound, validity: 3600, intermediate: intermediate),
                Authority(issuer: second, signer: FixedSigner(), statusSource: InMemoryStatusSource(
                    rows: [:], failure: StatusSourceError(.unavailable, "down")), validity: 60, name: "second"),
            ]
        }
    }

    package static let fixtures = Fixtures()

    /// A request for the first CA's certificates, for seeding: `serials`, `hash`, a nonce of `nonce` octets.
    package static func seedRequest(serials: [UInt8], hash: HashAlgorithm, nonce: Int?) -> [UInt8] {
        let certIDs = serials.map { fixtures.first.certID(serial: CertificateSerialNumber(magnitude: [0x10, $0]), hash: hash) }
        var extensions: [Extension] = []
        if let nonce {
            // RFC 9654: the nonce's octets wrapped in an OCTET STRING (short form: nonce < 128 octets).
            let value = [0x04, UInt8(nonce)] + Array(repeating: UInt8(0x42), count: nonce)
            extensions.append(Extension(id: OCSPObjectIdentifier.nonce, value: value[...]))
        }
        let tbs = TBSRequest(requestList: certIDs.map { Request(certID: $0) }, requestExtensions: extensions.isEmpty ? nil : Extensions(extensions))
        return (try? OCSPRequest(tbsRequest: tbs).derBytes()) ?? []
    }

    /// The replay tool's work: `--write-seeds DIR` writes `seeds`, else each file goes through `body`.
    package static func replay(arguments: [String], seeds: () -> [Seed], _ body: ([UInt8]) -> Void) {
        if arguments.first == "--write-seeds", arguments.count == 2 {
            write(seeds(), to: arguments[1])
            return
        }
        for path in arguments {
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer.prefix(count) }
            fclose(file)
            body(bytes)
            print("\(path): ok")
        }
    }

    /// One input of a seed corpus, and the file name it is written under.
    package typealias Seed = (fileName: String, bytes: [UInt8])

    /// The DER targets' seeds: requests for the first CA with every hash, with and without nonces of
    /// allowed and refused lengths, one and several CertIDs, and a stored-response-shaped input.
    package static func seeds() -> [Seed] {
        var seeds: [Seed] = []
        for hash in HashAlgorithm.allCases {
            for nonce in [nil, 1, 16, 32, 33] as [Int?] {
                seeds.append(("\(hash.rawValue)-nonce\(nonce.map(String.init) ?? "none").der", seedRequest(serials: [0x01], hash: hash, nonce: nonce)))
            }
        }
        seeds.append(("several.der", seedRequest(serials: [0x01, 0x02, 0x03, 0x77], hash: .sha256, nonce: 16)))
        seeds.append(("intermediate.der", {
            let certID = IssuerIdentity(subjectNameDER: [0x30, 0x00], publicKeyBits: [], digester: OpenSSLDigester())
                .certID(serial: CertificateSerialNumber(magnitude: [0x01]), hash: .sha1)
            return (try? OCSPRequest(tbsRequest: TBSRequest(requestList: [Request(certID: certID)])).derBytes()) ?? []
        }()))
        let certID = fixtures.first.certID(serial: CertificateSerialNumber(magnitude: [0x10, 0x01]), hash: .sha1)
        if let response = try? OCSPResponder.sign(
            OCSPResponder.responseData([(certID, .good)], signer: FixedSigner(), at: fixtures.now, validity: 3600), with: FixedSigner()
        ) {
            seeds.append(("stored-response.der", response))
        }
        return seeds
    }

    /// Writes each seed to `directory`, under its file name.
    static func write(_ seeds: [Seed], to directory: String) {
        for (name, bytes) in seeds {
            guard let file = fopen("\(directory)/\(name)", "wb") else { continue }
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
