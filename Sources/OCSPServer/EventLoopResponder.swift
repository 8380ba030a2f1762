import OCSPCore
import OCSPRuntime
import OCSPWire

/// Answers a request with a nonce on the event loop that read it, when every status it asks about was
/// read from the table less than `RecentStatuses`' window ago: the signature is the only work left, and
/// handing it to a worker thread and back cost two cross-thread wake-ups per request (a tenth of a nonce
/// answer's time on two cores, `scripts/bench.sh`), which a server of single-threaded processes such as
/// `openssl ocsp -multi` does not pay. Whatever needs the table, a file (the CA certificate's own
/// `ocspresponse`) or the response cache is not at hand, and goes to a worker as before.
///
/// The same responder logic and signers as the workers' (`OCSPResponder`), with status sources that only
/// read `RecentStatuses` and throw `unavailable` for anything else; only a successful answer is sent from
/// here: any other outcome (not at hand, a malformed or foreign request, a signer outside its period, a
/// failed signature) is left for a worker to decide, so that it is decided, logged and counted as before.
///
/// One per generation (`ServeGeneration`): a reload's new keys and statuses sign the event loops'
/// answers too.
package final class EventLoopResponder: @unchecked Sendable {
    // @unchecked Sendable: nothing in it changes after `init`; the signers are Sendable (one `EVP_PKEY`
    // shared, a fresh `EVP_MD_CTX` for each signature), the status sources only read `RecentStatuses`
    // (Sendable, behind its lock), and the responder has no cache and no intermediate files to read.
    private let responder: OCSPResponder
    /// Which CertIDs ask about one of our CA certificates: those are answered from a file, by a worker.
    private let caCertificates: [IntermediateResponse.Naming]
    /// What the worker's decision says when `[ocsp] cache` is set: `bypass` (a nonce answer is never kept).
    private let cacheUse: CacheUse
    private let signerNotices: SignerNotices?

    /// `recentStatuses`: one per authority, in config order, the workers' own.
    init(authorities: [Authority], recentStatuses: [RecentStatuses], cacheConfigured: Bool, signerNotices: SignerNotices?) {
        var atHand = authorities
        for (index, recent) in zip(atHand.indices, recentStatuses) {
            atHand[index].statusSource = recent.atHand
            atHand[index].intermediate = nil
        }
        responder = OCSPResponder(authorities: atHand, cache: nil)
        caCertificates = authorities.compactMap { $0.intermediate?.naming }
        cacheUse = cacheConfigured ? .bypass : .off
        self.signerNotices = signerNotices
    }

    /// The signed answer to `request`, or nil when a worker must answer it: it has no nonce, asks about a
    /// CA certificate, or needs a status that is not at hand, or the answer would not be `successful`.
    func answer(_ request: OCSPRequest) -> ServedAnswer? {
        guard request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil else { return nil }
        let certIDs = request.tbsRequest.requestList
        guard !certIDs.contains(where: { single in caCertificates.contains { $0.names(single.certID) } }) else { return nil }
        let started = ContinuousClock.now
        let now = RunClock.currentTime()
        var outcome = responder.respond(to: request, at: now)
        guard outcome.decision.status == .successful else { return nil }
        outcome.decision.cache = cacheUse
        if let notice = outcome.decision.signerNotice {
            signerNotices?.note(notice, refused: false, at: now.seconds)
        }
        return .ocspResponse(outcome.der, caching: nil, ifNoneMatch: nil, at: now, decision: LoggedDecision(outcome.decision),
                             milliseconds: RunClock.milliseconds(since: started))
    }
}
