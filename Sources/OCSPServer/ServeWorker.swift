import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire

/// One worker thread's responder: the authorities loaded once at start-up, shared, each with status
/// stores of this worker's own (the stores are not thread-safe: one connection each), and a file cache
/// of its own behind the shared in-memory one.
///
/// A worker is used by one thread at a time (`WorkerPool` checks it out under a lock), never concurrently.
package final class ServeWorker {
    private let responder: OCSPResponder
    /// The same authorities and connections, with `RecentStatuses` in front of each status table: for
    /// requests with a nonce only (see there).
    private let nonceResponder: OCSPResponder
    private let connections: [any StatusStore]
    private let digester = OpenSSLDigester()
    /// Where answers from the file cache go for the event loops to repeat; nil without `[ocsp] cache`.
    private let recentAnswers: RecentAnswers?
    /// Where what the operator must hear about a signer goes; nil: only the access log has it.
    private let signerNotices: SignerNotices?

    /// `recentStatuses`: one per authority, in config order, shared by all workers; nil: every nonce request
    /// reads its status from the table.
    convenience init(authorities: [Authority], config: ResponderConfiguration, requestAuthentication: RequestAuthentication,
                     cache: (any ResponseCache)?,
                     recentAnswers: RecentAnswers? = nil, recentStatuses: [RecentStatuses]? = nil, signerNotices: SignerNotices? = nil) {
        var ownAuthorities = authorities
        var connections: [any StatusStore] = []
        for index in ownAuthorities.indices {
            let store = StoreOpener.open(config.database, table: config.authorities[index].table, access: .readOnly)
            ownAuthorities[index].statusSource = store
            connections.append(store)
        }
        var nonceAuthorities = ownAuthorities
        if let recentStatuses {
            for (index, recent) in zip(nonceAuthorities.indices, recentStatuses) {
                nonceAuthorities[index].statusSource = recent.remembering(ownAuthorities[index].statusSource)
            }
        }
        self.init(responder: OCSPResponder(authorities: ownAuthorities, cache: cache, revalidation: config.run.revalidation,
                                           requestAuthentication: requestAuthentication),
                  nonceResponder: OCSPResponder(authorities: nonceAuthorities, cache: cache, revalidation: config.run.revalidation,
                                                requestAuthentication: requestAuthentication),
                  connections: connections, recentAnswers: recentAnswers, signerNotices: signerNotices)
    }

    /// A worker around a responder built elsewhere (the HTTP fuzz target's, with tables in memory);
    /// `nonceResponder` answers requests with a nonce (nil: `responder` does); `connections` are what
    /// `close` drops.
    package init(responder: OCSPResponder, nonceResponder: OCSPResponder? = nil, connections: [any StatusStore] = [],
                 recentAnswers: RecentAnswers? = nil, signerNotices: SignerNotices? = nil) {
        self.responder = responder
        self.nonceResponder = nonceResponder ?? responder
        self.connections = connections
        self.recentAnswers = recentAnswers
        self.signerNotices = signerNotices
    }

    /// Answers a DER request, as `respond` would at this moment, with the HTTP headers around it. An answer
    /// the file cache gave is handed to `recentAnswers` for the event loops to repeat.
    ///
    /// `limit`: the rate limit and the client, asked for a token when the answer must be signed now; an
    /// answer it refuses is `tryLater` with `Retry-After` (`rateLimited`).
    func answer(_ der: [UInt8], ifNoneMatch: String?, limit: (limiter: RateLimiter, client: RateLimitClient)? = nil) -> ServedAnswer {
        let started = ContinuousClock.now
        let now = RunClock.currentTime()
        let outcome: ResponderOutcome
        var hasNonce = false
        var retryAfter: Int?
        do {
            let request = try OCSPResponder.parseRequest(der)
            hasNonce = request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil
            outcome = (hasNonce ? nonceResponder : responder).respond(to: request, at: now) {
                guard let limit else { return true }
                retryAfter = limit.limiter.take(limit.client)
                return retryAfter == nil
            }
        } catch {
            outcome = .failure(.malformedRequest, error.description)
        }
        if let retryAfter, let limit {
            // Not a cache hit: the event loops must not repeat an older answer either.
            if !hasNonce { recentAnswers?.forget(der) }
            return .rateLimited(retryAfter: retryAfter, limit: limit.limiter.limit)
        }
        let decision = outcome.decision
        if decision.status == .tryLater || decision.status == .internalError || decision.cache == .unrevalidated {
            // The connection may be what broke (a restarted server, a dropped socket): the next request
            // on this worker connects afresh.
            close()
        }

        if let notice = decision.signerNotice {
            signerNotices?.note(notice, refused: decision.status != .successful, at: now.seconds)
        }

        // Caching headers only for signed responses without a nonce (the CA certificate's own file answers
        // a request with a nonce too, without one: for this request alone all the same).
        let caching = hasNonce ? nil : ResponseCaching.of(decision, der: outcome.der, digester: digester)
        if let recentAnswers {
            if decision.cache == .hit || decision.cache == .revalidated, let caching, let checkedAt = decision.checkedAt {
                var repeated = decision
                repeated.cache = .memory
                recentAnswers.keep(
                    body: outcome.der, caching: caching, decision: LoggedDecision(repeated), for: der, monotonicNow: started,
                    untilRevalidation: .seconds(responder.revalidation.deadline(checkedAt: checkedAt).seconds)
                        - .nanoseconds(RunClock.wallClockNanoseconds()))
            } else if !hasNonce {
                // Revoked, or no longer in the file cache: the event loops must not repeat the old answer.
                recentAnswers.forget(der)
            }
        }
        return .ocspResponse(outcome.der, caching: caching, ifNoneMatch: ifNoneMatch, at: now, decision: LoggedDecision(decision),
                             milliseconds: RunClock.milliseconds(since: started))
    }

    /// Drops every database connection; the next look-up connects again.
    func close() {
        for connection in connections { connection.close() }
    }
}
