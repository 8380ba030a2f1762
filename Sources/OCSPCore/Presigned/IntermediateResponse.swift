import OCSPWire
/// The CA certificate we answer for, as its own issuer (the root) names it in a CertID, and the responses
/// about it that the root signed offline (`[ocsp] ocspresponse`, one file or several).
///
/// We cannot sign for the root, so a request about the CA itself is answered with one of those files,
/// byte for byte, and only while it is sound: it parses, it holds a SingleResponse for every CertID the
/// request asks (the same hash algorithm, both hashes, the serial: a client looks for exactly that), and
/// that answer is current. The root's key is not configured, so a request names this certificate when
/// its serial and its issuerNameHash match; the files say which issuerKeyHash is the root's.
package struct IntermediateResponse {
    package enum Answer {
        /// Serve these bytes; the single response is for the log line.
        case response(StoredResponse, SingleResponse)
        /// The files are sound but answer another issuer's certificate of the same serial and name.
        case notThisCertificate
        /// No file holds the CertID asked (another hash algorithm than the root signed): `unauthorized`,
        /// never a successful response that does not answer the question.
        case notAnswered(String)
        /// The file that would answer cannot be served; the reason names the file and what is wrong.
        case unusable(String)
    }

    /// Which CertIDs name the CA certificate: plain values, without the reader, so that `serve`'s health
    /// check and metrics can hold them and look at the files themselves.
    package struct Naming: Hashable, Sendable {
        /// The CA certificate's serial.
        package let serial: CertificateSerialNumber
        let issuerNameHashes: [HashAlgorithm: [UInt8]]

        /// True when `certID` asks about the CA certificate itself.
        package func names(_ certID: CertID) -> Bool {
            guard certID.serialNumber == serial, let algorithm = HashAlgorithm(certID.hashAlgorithm),
                  let nameHash = issuerNameHashes[algorithm] else { return false }
            return certID.issuerNameHash.bytes.elementsEqual(nameHash)
        }

        /// When `stored` stops answering for the CA certificate: the earliest nextUpdate of its
        /// SingleResponses that name it. `.never` when none of them has a nextUpdate; nil when none names it.
        package func validUntil(_ stored: StoredResponse) -> Validity? {
            let ours = stored.data.responses.filter { names($0.certID) }
            guard !ours.isEmpty else { return nil }
            let ends = ours.compactMap { $0.nextUpdate.map(UnixTime.init) }
            guard let first = ends.min() else { return .never }
            return .until(first)
        }

        package enum Validity: Hashable, Sendable {
            case until(UnixTime)
            case never
        }
    }

    /// The CA certificate's serial.
    package var serial: CertificateSerialNumber { naming.serial }
    /// Where the pre-signed responses are, in config order, for messages.
    package let paths: [String]
    package let naming: Naming
    private let read: (String) throws -> [UInt8]

    /// - Parameters:
    ///   - issuerNameDER: the DER of the CA certificate's issuer name (the root's subject).
    ///   - read: reads one of `paths`; called only when a request asks about this certificate.
    package init(
        serial: CertificateSerialNumber, issuerNameDER: [UInt8], paths: [String], digester: some Digester,
        read: @escaping (String) throws -> [UInt8]
    ) {
        self.paths = paths
        self.read = read
        var hashes: [HashAlgorithm: [UInt8]] = [:]
        for algorithm in HashAlgorithm.allCases { hashes[algorithm] = digester.digest(algorithm, issuerNameDER) }
        self.naming = Naming(serial: serial, issuerNameHashes: hashes)
    }

    /// True when `certID` asks about the CA certificate itself.
    package func names(_ certID: CertID) -> Bool {
        naming.names(certID)
    }

    /// The file to serve for a request whose CertIDs all `name` this certificate: the first, in config
    /// order, that answers every one of them.
    ///
    /// A file that cannot be read or is about another serial is skipped when another answers; when none
    /// does, its problem is the answer (`tryLater`: the operator must fix it), else `notAnswered`.
    package func answer(for certIDs: [CertID], at now: UnixTime) -> Answer {
        var problems: [String] = []
        var otherKey = false
        for path in paths {
            let stored: StoredResponse
            do {
                stored = try StoredResponse(derOrPEM: try read(path))
            } catch {
                problems.append("ocspresponse \(path): \(error.inputReason)")
                continue
            }
            let ours = stored.data.responses.filter { names($0.certID) }
            guard !ours.isEmpty else {
                problems.append("ocspresponse \(path): it does not answer for serial 0x\(serial) issued by this CA's issuer")
                continue
            }
            // Only the CertIDs are the root's to vouch for: its key is not configured (the client checks the
            // signature), and the file is served as the operator gave it.
            let check = SoundnessCheck(certIDs: .each(certIDs), signerKeyHash: nil, refusesNonce: false)
            switch check.verdict(on: stored, at: now) {
            case .sound(let singles):
                guard let first = singles.first else { continue }
                return .response(stored, first)
            case .stale(_, let staleness):
                return .unusable("ocspresponse \(path): \(staleness); have the root sign a new one (ocsp-responder sign)")
            case .unsound:
                // The file names this serial with the same hash algorithm but another issuer key: the request
                // is about another CA's certificate, which this file does not answer.
                otherKey = otherKey || certIDs.contains { certID in
                    ours.contains { $0.certID.hashAlgorithm.algorithm == certID.hashAlgorithm.algorithm && $0.certID.issuerKeyHash != certID.issuerKeyHash }
                }
                continue
            }
        }
        if let problem = problems.first { return .unusable(problem) }
        if otherKey { return .notThisCertificate }
        let asked = HashAlgorithm.allCases.filter { algorithm in certIDs.contains { HashAlgorithm($0.hashAlgorithm) == algorithm } }
        let options = asked.map { "--hash \($0.rawValue)" }.joined(separator: " ")
        return .notAnswered(
            "ocspresponse \(paths.joined(separator: ", ")): no file answers the \(asked.map(\.rawValue).joined(separator: " and ")) CertID asked for serial 0x\(serial); have the root sign one (ocsp-responder sign \(options))"
        )
    }
}
