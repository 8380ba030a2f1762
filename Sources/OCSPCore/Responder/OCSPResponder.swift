import OCSPWire
import SwiftASN1

/// The decision logic of a responder: DER request in, DER response out. No files, no database, no C:
/// statuses come from each authority's `CertificateStatusSource`, signatures from its `ResponseSigner`.
package struct OCSPResponder {
    /// Requests larger than this are refused unread; a real one is a few hundred bytes.
    package static let maximumRequestSize = 64 * 1024
    /// RFC 9654 §2.1: a nonce is 1 to 32 octets; a longer one must be refused with malformedRequest.
    package static let nonceLengths = 1...32

    /// The CAs we answer for, in config order: the first that a request names answers it.
    package var authorities: [Authority]
    /// Signed responses kept between runs; nil: every answer is signed fresh.
    package var cache: (any ResponseCache)?
    /// How long a kept response is served before the table is asked again.
    package var revalidation: Revalidation

    package init(authorities: [Authority], cache: (any ResponseCache)? = nil, revalidation: Revalidation = Revalidation()) {
        self.authorities = authorities
        self.cache = cache
        self.revalidation = revalidation
    }

    /// Answers one DER request at `now`. Never throws: every failure becomes an OCSP error status.
    package func respond(to requestDER: some Collection<UInt8>, at now: UnixTime) -> ResponderOutcome {
        let request: OCSPRequest
        do {
            request = try Self.parseRequest(requestDER)
        } catch {
            return .failure(.malformedRequest, error.reason)
        }
        return respond(to: request, at: now)
    }

    /// Answers a request that is already parsed and checked.
    ///
    /// In order: a request about one of our CA certificates is answered with the file its issuer signed;
    /// a single CertID without a nonce is answered from the cache while the kept response is sound and
    /// was checked against the table less than `revalidation.interval` ago, or after the table confirms
    /// it; everything else is looked up and signed by the first CA the request names, and a signed answer
    /// to a single CertID without a nonce is kept for next time.
    package func respond(to request: OCSPRequest, at now: UnixTime) -> ResponderOutcome {
        answer(request, at: now, dry: false)
    }

    /// What `respond` would decide for `requestDER` at `now`, without doing any of it (`explain`): nothing
    /// is signed, and the cache is only read (no response kept, renewed or discarded). The statuses are
    /// read as `respond` reads them. A signature that would fail cannot be foreseen: the decision is then
    /// `successful` where `respond` would answer `internalError`.
    package func dryRun(_ requestDER: some Collection<UInt8>, at now: UnixTime) -> Decision {
        let request: OCSPRequest
        do {
            request = try Self.parseRequest(requestDER)
        } catch {
            return .refusal(.malformedRequest, error.reason)
        }
        return answer(request, at: now, dry: true).decision
    }

    /// The CA whose signer answers a request for `certIDs`: the first CertID, in request order, that names
    /// a CA we serve picks it (RFC 5019 clients send one); nil when none does.
    package func signingAuthority(for certIDs: [CertID]) -> Authority? {
        for certID in certIDs {
            if let authority = authorities.first(where: { $0.issuer.matches(certID) }) { return authority }
        }
        return nil
    }

    /// The sections whose tables are asked about `certID` when `signer` answers, in config order: those of
    /// its own CA (CertIDs of other CAs in the same request get unknown) that the CertID names.
    package func owners(of certID: CertID, signedBy signer: Authority) -> [Authority] {
        authorities.filter { signer.signerIsAuthorized(for: $0) && $0.issuer.matches(certID) }
    }

    /// `respond`, or with `dry` its decision alone (`dryRun`): no signature, no change to the cache.
    private func answer(_ request: OCSPRequest, at now: UnixTime, dry: Bool) -> ResponderOutcome {
        let certIDs = request.tbsRequest.requestList.map(\.certID)
        if let answer = answerFromIntermediateFile(certIDs, request: request, at: now) {
            return answer
        }
        guard let authority = signingAuthority(for: certIDs) else {
            return .failure(.unauthorized, "no CertID names an issuer this responder serves", request: request)
        }
        // Outside its period every client rejects what the signer signs, kept answers included: say so
        // (the operator must renew it) rather than hand out answers that fail.
        if let problem = authority.signer.period.problem(at: now) {
            var outcome = ResponderOutcome.failure(.tryLater, "signer [\(authority.name)]: \(problem)", request: request)
            outcome.decision.signerNotice = outcome.decision.reason
            return outcome
        }

        let cacheable = cache != nil && certIDs.count == 1 && request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] == nil
        var cacheUse: CacheUse = cache == nil ? .off : (cacheable ? .miss : .bypass)
        // The first CertID's status when revalidating a kept response already read it.
        var alreadyRead: (certID: CertID, recorded: RecordedStatus?)?
        if cacheable, let kept = keptAnswer(for: certIDs[0], signer: authority.signer, at: now) {
            if revalidation.isCurrent(checkedAt: kept.checkedAt, at: now) {
                return cachedOutcome(kept, for: certIDs[0], use: .hit, checkedAt: kept.checkedAt)
            }
            let owners = owners(of: certIDs[0], signedBy: authority)
            let recorded: RecordedStatus?
            do {
                recorded = try Self.recordedStatus(of: certIDs[0], in: owners)
            } catch where error.kind == .unavailable {
                // Availability over freshness, within the response's own validity: what the table said at
                // the last check, which the client would equally accept from any cache on the way.
                var outcome = cachedOutcome(kept, for: certIDs[0], use: .unrevalidated, checkedAt: kept.checkedAt)
                outcome.decision.reason = "served unrevalidated, last checked \(kept.checkedAt): status look-up failed: \(error.message)"
                return outcome
            } catch {
                return .failure(.internalError, "status look-up failed: \(error.message)", request: request)
            }
            if let recorded, recorded.certStatus == kept.single.certStatus {
                if !dry { cache?.renew(certIDs[0], checkedAt: now) }
                return cachedOutcome(kept, for: certIDs[0], use: .revalidated, checkedAt: now)
            }
            // Changed, or gone from the table: the kept response must not be served again by anyone.
            if recorded == nil, !dry { cache?.discard(certIDs[0]) }
            alreadyRead = (certIDs[0], recorded)
            cacheUse = .changed
        }

        var statuses: [(certID: CertID, status: CertStatus)] = []
        var answers: [Decision.Answer] = []
        var usedExtendedRevoke = false
        var keepable = cacheable

        for (position, certID) in certIDs.enumerated() {
            let status: CertStatus
            var source = Decision.Answer.Source.database
            // Sections for the same CA are asked in config order; the first that holds the serial answers.
            let owners = owners(of: certID, signedBy: authority)
            if let owner = owners.first {
                let recorded: RecordedStatus?
                if position == 0, let alreadyRead, alreadyRead.certID == certID {
                    recorded = alreadyRead.recorded
                } else {
                    do {
                        recorded = try Self.recordedStatus(of: certID, in: owners)
                    } catch {
                        let outcome: OCSPResponseStatus = error.kind == .unavailable ? .tryLater : .internalError
                        return .failure(outcome, "status look-up failed: \(error.message)", request: request)
                    }
                }
                switch recorded {
                case let recorded?:
                    status = recorded.certStatus
                case nil:
                    source = .notFound
                    // Not kept: the CA may add the certificate to the table at any moment.
                    keepable = false
                    switch owner.notFound {
                    case .unknown:
                        status = .unknown
                    case .unauthorized:
                        return .failure(
                            .unauthorized, "serial \(certID.serialNumber) is not in the status table", request: request
                        )
                    case .revoked:
                        usedExtendedRevoke = true
                        status = .revoked(
                            RevokedInfo(revocationTime: UnixTime.epoch.generalizedTime, revocationReason: .certificateHold)
                        )
                    }
                }
            } else {
                status = .unknown
                source = .foreignIssuer
                keepable = false
            }
            statuses.append((certID, status))
            answers.append(.init(serial: certID.serialNumber, status: status, source: source))
        }

        var responseExtensions: [Extension] = []
        if let nonce = request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] {
            responseExtensions.append(Extension(id: OCSPObjectIdentifier.nonce, critical: false, value: nonce.value))
        }
        if usedExtendedRevoke {
            // RFC 6960 §4.4.8: the extension's value is NULL.
            responseExtensions.append(Extension(id: OCSPObjectIdentifier.extendedRevoke, critical: false, value: [0x05, 0x00]))
        }

        let data = Self.responseData(
            statuses, signer: authority.signer, at: now, validity: authority.validity, extensions: responseExtensions
        )
        var der: [UInt8] = []
        if !dry {
            do {
                der = try Self.sign(data, with: authority.signer)
            } catch {
                return .failure(.internalError, "signing failed: \(error.inputReason)", request: request)
            }
            // The status was read at or after `now`, so `now` is a check time that is never too late.
            if keepable { cache?.store(der, for: certIDs[0], checkedAt: now) }
        }
        var decision = Decision(
            status: .successful, cache: cacheUse, answers: answers, thisUpdate: now,
            nextUpdate: authority.signer.period.nextUpdate(at: now, validity: authority.validity),
            carriesNonce: request.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce] != nil, checkedAt: keepable ? now : nil
        )
        decision.signerNotice = authority.signer.period.capNotice(at: now, validity: authority.validity)
            .map { "signer [\(authority.name)]: \($0)" }
        return ResponderOutcome(der: der, decision: decision)
    }

    /// The status the table records for `certID`, from the first of `owners` (sections for the same CA,
    /// in config order) that holds its serial; nil when none does.
    static func recordedStatus(of certID: CertID, in owners: [Authority]) throws(StatusSourceError) -> RecordedStatus? {
        for owner in owners {
            if let recorded = try owner.statusSource.status(of: certID.serialNumber) { return recorded }
        }
        return nil
    }

    /// A kept response that may be served, parsed: its bytes, its one SingleResponse, its check time.
    struct SoundKeptResponse {
        var stored: StoredResponse
        var single: SingleResponse
        var checkedAt: UnixTime
    }

    /// The kept response for `certID` if it is sound: exactly this CertID, no nonce, our signer, current.
    /// Anything else is a miss, and the fresh answer then replaces it.
    private func keptAnswer(for certID: CertID, signer: any ResponseSigner, at now: UnixTime) -> SoundKeptResponse? {
        guard let kept = cache?.storedResponse(for: certID), let stored = try? StoredResponse(der: kept.der),
              case .sound(let singles) = SoundnessCheck.keptAnswer(for: certID, signerKeyHash: signer.responderKeyHash).verdict(on: stored, at: now),
              let single = singles.first
        else { return nil }
        return SoundKeptResponse(stored: stored, single: single, checkedAt: kept.checkedAt)
    }

    private func cachedOutcome(
        _ kept: SoundKeptResponse, for certID: CertID, use: CacheUse, checkedAt: UnixTime
    ) -> ResponderOutcome {
        ResponderOutcome(der: kept.stored.der, decision: Decision(
            status: .successful, cache: use, answers: [.init(serial: certID.serialNumber, status: kept.single.certStatus, source: .cache)],
            thisUpdate: UnixTime(kept.single.thisUpdate), nextUpdate: kept.single.nextUpdate.map(UnixTime.init), checkedAt: checkedAt
        ))
    }

    /// A request whose every CertID asks about one of our CA certificates gets the file its issuer signed
    /// that answers every CertID asked; `tryLater` when that file is missing, broken or stale; `unauthorized`
    /// when no file holds the CertID asked. Nil: the request is not about a CA certificate.
    private func answerFromIntermediateFile(_ certIDs: [CertID], request: OCSPRequest, at now: UnixTime) -> ResponderOutcome? {
        guard let first = certIDs.first else { return nil }
        for authority in authorities {
            guard let intermediate = authority.intermediate, intermediate.names(first),
                  certIDs.allSatisfy(intermediate.names) else { continue }
            switch intermediate.answer(for: certIDs, at: now) {
            case .response(let stored, let single):
                let answer = Decision.Answer(serial: first.serialNumber, status: single.certStatus, source: .ocspresponse)
                return ResponderOutcome(der: stored.der, decision: .answer(stored.data, answers: [answer], cache: .bypass))
            case .unusable(let reason):
                return .failure(.tryLater, reason, request: request)
            case .notAnswered(let reason):
                return .failure(.unauthorized, reason, request: request)
            case .notThisCertificate:
                continue
            }
        }
        return nil
    }

    /// The ResponseData every response of ours has, whether answered now (`respond`) or made offline
    /// (`sign`, `resign`): ResponderID byKey, producedAt = thisUpdate = `now`, nextUpdate = `now + validity`
    /// but never past the end of the signer's period, one SingleResponse per CertID in the given order.
    package static func responseData(
        _ statuses: [(certID: CertID, status: CertStatus)], signer: any ResponseSigner, at now: UnixTime,
        validity: Int64, extensions: [Extension] = []
    ) -> ResponseData {
        let thisUpdate = now.generalizedTime
        let nextUpdate = signer.period.nextUpdate(at: now, validity: validity).generalizedTime
        return ResponseData(
            responderID: .byKey(ASN1OctetString(contentBytes: signer.responderKeyHash[...])),
            producedAt: thisUpdate,
            responses: statuses.map {
                SingleResponse(certID: $0.certID, certStatus: $0.status, thisUpdate: thisUpdate, nextUpdate: nextUpdate)
            },
            responseExtensions: extensions.isEmpty ? nil : Extensions(extensions)
        )
    }

    /// Signs ResponseData and wraps it as a successful OCSPResponse.
    ///
    /// The layers around the signed data are assembled from their DER parts (`DERAssembly`) rather than
    /// serialized from `BasicOCSPResponse` and `OCSPResponse` values: the same bytes, without moving the
    /// whole response once per layer (tests compare both).
    /// Whoever calls it, nothing is signed outside the signer's period: `SigningPeriodError`.
    package static func sign(_ data: ResponseData, with signer: any ResponseSigner) throws -> [UInt8] {
        if let problem = signer.period.problem(at: UnixTime(data.producedAt)) { throw SigningPeriodError(description: problem) }
        let tbs = try data.derBytes()
        let signature = try signer.sign(tbs)
        var basicParts = [
            tbs,
            try signer.signatureAlgorithm.derBytes(),
            DERAssembly.element(DERAssembly.bitString, [0], signature),  // no unused bits
        ]
        if !signer.certificates.isEmpty {
            basicParts.append(DERAssembly.element(DERAssembly.explicitZero, DERAssembly.element(DERAssembly.sequence, signer.certificates)))
        }
        let basic = DERAssembly.element(DERAssembly.sequence, basicParts)
        let responseBytes = DERAssembly.element(
            DERAssembly.sequence,
            try OCSPObjectIdentifier.basicResponse.derBytes(),
            DERAssembly.element(DERAssembly.octetString, basic)
        )
        return DERAssembly.element(
            DERAssembly.sequence,
            DERAssembly.element(DERAssembly.enumerated, [UInt8(OCSPResponseStatus.successful.rawValue)]),
            DERAssembly.element(DERAssembly.explicitZero, responseBytes)
        )
    }

    /// Parses a request strictly and checks what RFC 6960 and RFC 9654 require of it.
    package static func parseRequest(_ der: some Collection<UInt8>) throws(RequestError) -> OCSPRequest {
        guard !der.isEmpty else { throw RequestError("empty request") }
        guard der.count <= maximumRequestSize else { throw RequestError("request larger than \(maximumRequestSize) bytes") }
        let request: OCSPRequest
        do {
            request = try OCSPRequest(derEncoded: Array(der)[...])
        } catch {
            throw RequestError("not a DER OCSPRequest (\(error.inputReason))")
        }
        let tbs = request.tbsRequest
        guard tbs.version == 0 else { throw RequestError("unsupported request version \(tbs.version)") }
        guard !tbs.requestList.isEmpty else { throw RequestError("request has no CertID") }

        let knownRequestExtensions = [
            OCSPObjectIdentifier.nonce, OCSPObjectIdentifier.acceptableResponses,
            OCSPObjectIdentifier.preferredSignatureAlgorithms,
        ]
        for ext in tbs.requestExtensions?.all ?? [] where ext.critical && !knownRequestExtensions.contains(ext.id) {
            throw RequestError("unsupported critical request extension \(ext.id)")
        }
        for single in tbs.requestList {
            for ext in single.singleRequestExtensions?.all ?? []
            where ext.critical && ext.id != OCSPObjectIdentifier.serviceLocator {
                throw RequestError("unsupported critical single-request extension \(ext.id)")
            }
        }
        if let nonce = tbs.requestExtensions?[OCSPObjectIdentifier.nonce] {
            let length = nonceLength(nonce.value)
            guard nonceLengths.contains(length) else {
                throw RequestError("nonce of \(length) octets; RFC 9654 allows \(nonceLengths.lowerBound) to \(nonceLengths.upperBound)")
            }
        }
        return request
    }

    /// The nonce's length: RFC 9654 wraps it in an OCTET STRING; some old clients put the raw octets.
    package static func nonceLength(_ value: ArraySlice<UInt8>) -> Int {
        if let octets = try? ASN1OctetString(derEncoded: value) {
            return octets.bytes.count
        }
        return value.count
    }
}

/// Why a request was refused as malformed.
package struct RequestError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

extension Error {
    /// The one-line reason, for a log line or stderr.
    var reason: String { (self as? RequestError)?.description ?? inputReason }
}

/// A response that would be signed outside its signer's period (see `SigningPeriod`).
package struct SigningPeriodError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
}

/// What a responder decided, and the bytes that say it to the client.
///
/// The decision's fields read through (`outcome.status`, `outcome.answers`): callers ask the outcome what
/// was decided, and hand `decision` on to whatever logs or counts it.
@dynamicMemberLookup
package struct ResponderOutcome {
    /// The DER OCSPResponse to send: signed when successful, the bare status otherwise.
    package var der: [UInt8]
    package var decision: Decision

    package init(der: [UInt8], decision: Decision) {
        self.der = der
        self.decision = decision
    }

    package subscript<Value>(dynamicMember field: KeyPath<Decision, Value>) -> Value {
        decision[keyPath: field]
    }

    package static func failure(_ status: OCSPResponseStatus, _ reason: String, request: OCSPRequest? = nil) -> Self {
        ResponderOutcome(der: OCSPResponse.error(status), decision: .refusal(status, reason, request: request))
    }
}
