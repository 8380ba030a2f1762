import OCSPWire

/// Whether a stored response may stand as the answer to a question: the one check the responder (a kept
/// response in the cache), `resign` (a response file it may keep) and the CA certificate's own files
/// (`IntermediateResponse`) share. Each says what it requires (`certIDs`, `signerKeyHash`, `refusesNonce`)
/// and how long the response must hold; the check says whether it does.
///
/// Parsing is the caller's (`StoredResponse(der:)` for what we wrote, `StoredResponse(derOrPEM:)` for the
/// operator's files): a response that does not parse is never sound, and each caller words that itself.
package struct SoundnessCheck: Sendable {
    package enum CertIDs: Sendable {
        /// The response holds exactly one SingleResponse, for exactly this CertID, byte for byte: what we
        /// signed for one request and kept.
        case onlyThis(CertID)
        /// The response holds a SingleResponse for each of these (in any order, among others), compared as
        /// clients compare them (`sameCertificate`), under a hash algorithm we know with its parameters absent
        /// or NULL (RFC 5754): the root's files may answer several CertIDs at once.
        case each([CertID])
    }

    /// What makes a stored response unfit whatever the time.
    package enum Unsoundness: Hashable, Sendable {
        /// It does not answer the CertIDs asked (as `certIDs` requires).
        case certIDs
        /// It carries a nonce: it answered one request and must not be served again.
        case nonce
        /// It was not signed (byKey) by the responder key required.
        case signer
    }

    /// Why a SingleResponse that answers the question may not be served for the time asked.
    package enum Staleness: Equatable, Sendable, CustomStringConvertible {
        /// RFC 5019 requires a nextUpdate of pre-signed answers: nothing bounds how long it holds.
        case noNextUpdate
        /// Its thisUpdate is later than now.
        case notYetValid(thisUpdate: UnixTime)
        /// Its nextUpdate is not later than the end of the time it must hold.
        case expires(nextUpdate: UnixTime)

        package var description: String {
            switch self {
            case .noNextUpdate: "it has no nextUpdate"
            case .notYetValid(let thisUpdate): "its thisUpdate \(thisUpdate) is in the future"
            case .expires(let nextUpdate): "it expired at its nextUpdate \(nextUpdate)"
            }
        }
    }

    package enum Verdict {
        /// Sound and current: the SingleResponses answering the CertIDs, in their order.
        case sound([SingleResponse])
        /// Sound, but the first of its answers (in the CertIDs' order) that does not hold for the time asked
        /// does not: the answers, and why.
        case stale([SingleResponse], Staleness)
        case unsound(Unsoundness)
    }

    package var certIDs: CertIDs
    /// The responder key hash (byKey) that must have signed it: ours, for what we signed; nil for the root's
    /// files, whose key is not configured (the client checks that signature).
    package var signerKeyHash: [UInt8]?
    /// True for what we keep (a nonce answered one request); the root's files are served as they are.
    package var refusesNonce: Bool

    package init(certIDs: CertIDs, signerKeyHash: [UInt8]?, refusesNonce: Bool) {
        self.certIDs = certIDs
        self.signerKeyHash = signerKeyHash
        self.refusesNonce = refusesNonce
    }

    /// A response we signed ourselves for one CertID and keep (the cache, `resign`'s files).
    package static func keptAnswer(for certID: CertID, signerKeyHash: [UInt8]) -> SoundnessCheck {
        SoundnessCheck(certIDs: .onlyThis(certID), signerKeyHash: signerKeyHash, refusesNonce: true)
    }

    /// Checks `stored` at `now`: each answer must have thisUpdate ≤ now and a nextUpdate later than
    /// `until` (default `now`: current this moment; `resign` asks for longer, so that it is not due).
    package func verdict(on stored: StoredResponse, at now: UnixTime, until end: UnixTime? = nil) -> Verdict {
        let singles: [SingleResponse]
        switch certIDs {
        case .onlyThis(let certID):
            guard let single = stored.onlySingle(for: certID) else { return .unsound(.certIDs) }
            singles = [single]
        case .each(let asked):
            var found: [SingleResponse] = []
            found.reserveCapacity(asked.count)
            for certID in asked {
                guard let single = stored.data.responses.first(where: {
                    Self.sameCertificate($0.certID, certID) && HashAlgorithm($0.certID.hashAlgorithm) != nil
                }) else {
                    return .unsound(.certIDs)
                }
                found.append(single)
            }
            singles = found
        }
        if refusesNonce && stored.hasNonce { return .unsound(.nonce) }
        if let signerKeyHash {
            guard let keyHash = stored.responderKeyHash, keyHash.elementsEqual(signerKeyHash) else { return .unsound(.signer) }
        }
        for single in singles {
            if let staleness = Self.staleness(of: single, at: now, until: end ?? now) { return .stale(singles, staleness) }
        }
        return .sound(singles)
    }

    /// Why `single` does not hold from `now` to `end`: thisUpdate ≤ now, and a nextUpdate later than `end`.
    package static func staleness(of single: SingleResponse, at now: UnixTime, until end: UnixTime) -> Staleness? {
        guard let next = single.nextUpdate else { return .noNextUpdate }
        let thisUpdate = UnixTime(single.thisUpdate)
        if now < thisUpdate { return .notYetValid(thisUpdate: thisUpdate) }
        let nextUpdate = UnixTime(next)
        if !(end < nextUpdate) { return .expires(nextUpdate: nextUpdate) }
        return nil
    }

    /// The same CertID as a client compares it (OpenSSL's `OCSP_id_cmp`): the hash algorithm's OID, both
    /// hashes and the serial; the algorithm's parameters (NULL or absent) do not change what is named.
    package static func sameCertificate(_ a: CertID, _ b: CertID) -> Bool {
        a.hashAlgorithm.algorithm == b.hashAlgorithm.algorithm && a.issuerNameHash == b.issuerNameHash
            && a.issuerKeyHash == b.issuerKeyHash && a.serialNumber == b.serialNumber
    }
}
