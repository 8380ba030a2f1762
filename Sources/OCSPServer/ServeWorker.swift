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
    private let connections: [any StoreConnection]
    private let digester = OpenSSLDigester()
    /// Where answers from the file cache go for the event loops to repeat; nil without `[ocsp] cache`.
    private let recentAnswers: RecentAnswers?
    /// Where what the operator must hear about a signer goes; nil: only the access log has it.
    private let signerNotices: SignerNotices?

    /// `recentStatuses`: one per authority, in config order, shared by all workers; nil: every nonce request
    /// reads its status from the table.
    convenience init(authorities: [Authority], config: ResponderConfiguration, cache: (any ResponseCache)?,
                     recentAnswers: RecentAnswers? = nil, recentStatuses: [RecentStatuses]? = nil, signerNotices: SignerNotices? = nil) {
        var ownAuthorities = authorities
        var connections: [any StoreConnection] = []
        for index in ownAuthorities.indices {
            let store = StoreOpener.open(config.database, table: config.authorities[index].table, access: .readOnly)
            ownAuthorities[index].statusSource = store
            if let connection = store as? any StoreConnection { connections.append(connection) }
        }
        var nonceAuthorities = ownAuthorities
        if let recentStatuses {
            for (index, recent) in zip(nonceAuthorities.indices, recentStatuses) {
                nonceAuthorities[index].statusSource = recent.remembering(ownAuthorities[index].statusSource)
            }
        }
        self.init(responder: OCSPResponder(authorities: ownAuthorities, cache: cache, revalidation: config.run.revalidation),
                  nonceResponder: OCSPResponder(authorities: nonceAuthorities, cache: cache, revalidation: config.run.revalidation),
                  connections: connections, recentAnswers: recentAnswers, signerNotices: signerNotices)
    }

    /// A worker around a responder built elsewhere (the HTTP fuzz target's, with tables in memory);
    /// `nonceResponder` answers requests with a nonce (nil: `responder` does); `connections` are what
    /// `close` drops.
    package init(responder: OCSPResponder, nonceResponder: OCSPResponder? = nil, connections: [any StoreConnection] = [],
                 recentAnswers: RecentAnswers? = nil, signerNotices: SignerNotices? = nil) {
        self.responder = responder
        self.nonceResponder = nonceResponder ?? responder
        self.connections = connections
        self.recentAnswers = recentAnswers
        self.signerNotices = signerNotices
    }

    /// Answers a DER request, as `respond` would at this moment, with the HTTP headers around it. An answer
    /// the file cache gave is handed to `recentAnswers` for the event loops to repeat.
    func answer(_ der: [UInt8], ifNoneMatch: String?) -> ServedAnswer {
        let started = ContinuousClock.now
        let now = RunClock.currentTime()
        let outcome: ResponderOutcome
        var hasNonce = false
        do {
            let request = try OCSPResponder.parseRequest(der)
            hasNonce = request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil
            outcome = (hasNonce ? nonceResponder : responder).respond(to: request, at: now)
        } catch {
            outcome = .failure(.malformedRequest, error.description)
        }
        if outcome.status == .tryLater || outcome.status == .internalError || outcome.cache == .unrevalidated {
            // The connection may be what broke (a restarted server, a dropped socket): the next request
            // on this worker connects afresh.
            close()
        }

        var detail = "ocsp=\(outcome.status)"
        if outcome.status == .successful {
            detail += " cache=\(outcome.cache.rawValue)"
        }
        let certs = outcome.answersForLog
        if !certs.isEmpty {
            detail += " certs=" + certs
        }
        if let reason = outcome.reason ?? outcome.signerNotice {
            detail += " reason=\"\(reason.replacingQuotes)\""
        }
        if let notice = outcome.signerNotice {
            signerNotices?.note(notice, refused: outcome.status != .successful, at: now.seconds)
        }

        // Caching headers only for signed responses without a nonce. A nonce answer is known from the
        // request, without parsing the response again.
        let caching = outcome.status == .successful && !hasNonce ? ResponseCaching.of(outcome.der, digester: digester) : nil
        if let recentAnswers {
            if outcome.cache == .hit || outcome.cache == .revalidated, let caching, let checkedAt = outcome.checkedAt {
                recentAnswers.keep(
                    body: outcome.der, caching: caching, certs: certs, for: der, monotonicNow: started,
                    untilRevalidation: .seconds(responder.revalidation.deadline(checkedAt: checkedAt).seconds)
                        - .nanoseconds(RunClock.wallClockNanoseconds()))
            } else if !hasNonce {
                // Revoked, or no longer in the file cache: the event loops must not repeat the old answer.
                recentAnswers.forget(der)
            }
        }
        detail += " ms=\(RunClock.milliseconds(since: started))"
        return .ocspResponse(outcome.der, caching: caching, ifNoneMatch: ifNoneMatch, at: now, logDetail: detail)
    }

    /// Drops every database connection; the next look-up connects again.
    func close() {
        for connection in connections { connection.close() }
    }
}

extension String {
    var replacingQuotes: String { String(map { $0 == "\"" ? "'" : $0 }) }
}
