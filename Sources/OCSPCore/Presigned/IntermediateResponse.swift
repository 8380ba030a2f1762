/// The CA certificate we answer for, as its own issuer (the root) names it in a CertID, and the response
/// about it that the root signed offline (`[ocsp] ocspresponse`).
///
/// We cannot sign for the root, so a request about the CA itself is answered with that file, byte for
/// byte, and only while it is sound: it parses, it answers for this certificate, and it is current.
/// The root's key is not configured, so a request names this certificate when its serial and its
/// issuerNameHash match; the issuerKeyHash is compared with the file's when both use the same hash.
public struct IntermediateResponse {
    public enum Answer {
        /// Serve these bytes; the single response is for the log line.
        case response(StoredResponse, SingleResponse)
        /// The file is sound but answers another issuer's certificate of the same serial and name.
        case notThisCertificate
        /// The file cannot be served; the reason names the file and what is wrong.
        case unusable(String)
    }

    /// The CA certificate's serial.
    public let serial: CertificateSerialNumber
    /// Where the pre-signed response is, for messages.
    public let path: String
    private let issuerNameHashes: [HashAlgorithm: [UInt8]]
    private let read: () throws -> [UInt8]

    /// - Parameters:
    ///   - issuerNameDER: the DER of the CA certificate's issuer name (the root's subject).
    ///   - read: reads the file; called only when a request asks about this certificate.
    public init(
        serial: CertificateSerialNumber, issuerNameDER: [UInt8], path: String, digester: some Digester,
        read: @escaping () throws -> [UInt8]
    ) {
        self.serial = serial
        self.path = path
        self.read = read
        var hashes: [HashAlgorithm: [UInt8]] = [:]
        for algorithm in HashAlgorithm.allCases { hashes[algorithm] = digester.digest(algorithm, issuerNameDER) }
        self.issuerNameHashes = hashes
    }

    /// True when `certID` asks about the CA certificate itself.
    public func names(_ certID: CertID) -> Bool {
        guard certID.serialNumber == serial, let algorithm = HashAlgorithm(certID.hashAlgorithm) else { return false }
        return issuerNameHashes[algorithm].map(certID.issuerNameHash.bytes.elementsEqual) ?? false
    }

    /// Reads and checks the file for a request whose CertID `names` this certificate.
    public func answer(for certID: CertID, at now: UnixTime) -> Answer {
        let stored: StoredResponse
        do {
            stored = try StoredResponse(derOrPEM: try read())
        } catch {
            return .unusable("ocspresponse \(path): \(error.inputReason)")
        }
        let ours = stored.data.responses.filter { single in
            guard single.certID.serialNumber == serial, let algorithm = HashAlgorithm(single.certID.hashAlgorithm) else { return false }
            return issuerNameHashes[algorithm].map(single.certID.issuerNameHash.bytes.elementsEqual) ?? false
        }
        guard let single = ours.first else {
            return .unusable("ocspresponse \(path): it does not answer for serial 0x\(serial) issued by this CA's issuer")
        }
        if single.certID.hashAlgorithm == certID.hashAlgorithm && single.certID.issuerKeyHash != certID.issuerKeyHash {
            return .notThisCertificate
        }
        if let stale = StoredResponse.staleness(of: single, at: now) {
            return .unusable("ocspresponse \(path): \(stale); have the root sign a new one (ocsp-responder sign)")
        }
        return .response(stored, single)
    }
}
