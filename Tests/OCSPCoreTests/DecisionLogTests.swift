import OCSPCore
import OCSPWire
import Testing
import TestSupport

/// The one formatter of a decision: the exact words `respond`'s log line and `serve`'s access log give.
@Suite("A decision in the log lines")
struct DecisionLogTests {
    typealias R = StoredResponses
    let good = Decision.Answer(serial: CertificateSerialNumber(magnitude: [0x10, 0x01]), status: .good, source: .database)

    func respondFields(_ decision: Decision) -> [String] {
        decision.logFields(for: .respond).map { "\($0.key)=\($0.value)" }
    }

    @Test("Answers: the status, the cache, every CertID's answer")
    func answers() {
        let miss = Decision(status: .successful, cache: .miss, answers: [good])
        #expect(miss.logText(for: .access) == "ocsp=successful cache=miss certs=0x1001:good:database")
        #expect(respondFields(miss) == ["status=successful", "cache=miss", "certs=0x1001:good:database"])
        #expect(!miss.isWarning)

        let several = Decision(status: .successful, cache: .bypass, answers: [
            good,
            .init(serial: CertificateSerialNumber(magnitude: [0x10, 0x02]), status: R.revoked, source: .cache),
            .init(serial: CertificateSerialNumber(magnitude: [0x77, 0x77]), status: .unknown, source: .notFound),
            .init(serial: CertificateSerialNumber(magnitude: [0x0F]), status: .unknown, source: .foreignIssuer),
            .init(serial: CertificateSerialNumber(magnitude: [0x01]), status: .good, source: .ocspresponse),
        ])
        #expect(several.logText(for: .access)
            == "ocsp=successful cache=bypass certs=0x1001:good:database,0x1002:revoked:cache,0x7777:unknown:not-found,0xf:unknown:foreign-issuer,0x1:good:ocspresponse")

        var memory = Decision(status: .successful, cache: .hit, answers: [.init(serial: good.serial, status: .good, source: .cache)])
        memory.cache = .memory
        #expect(memory.logText(for: .access) == "ocsp=successful cache=memory certs=0x1001:good:cache")
    }

    @Test("Warnings: an answer with a reason or a signer notice")
    func warnings() {
        var unrevalidated = Decision(status: .successful, cache: .unrevalidated, answers: [good])
        unrevalidated.reason = "served unrevalidated, last checked 2026-11-25T12:00:00Z: status look-up failed: \"down\""
        #expect(unrevalidated.isWarning)
        #expect(unrevalidated.logText(for: .access)
            == "ocsp=successful cache=unrevalidated certs=0x1001:good:database reason=\"served unrevalidated, last checked 2026-11-25T12:00:00Z: status look-up failed: 'down'\"")
        // The respond log escapes what it must itself: the reason is handed over as it is.
        #expect(respondFields(unrevalidated).last == "reason=served unrevalidated, last checked 2026-11-25T12:00:00Z: status look-up failed: \"down\"")

        var capped = Decision(status: .successful, cache: .miss, answers: [good])
        capped.signerNotice = "signer [rsa]: nextUpdate capped at 2027-01-01T00:00:00Z"
        #expect(capped.isWarning)
        #expect(capped.logText(for: .access) == "ocsp=successful cache=miss certs=0x1001:good:database reason=\"signer [rsa]: nextUpdate capped at 2027-01-01T00:00:00Z\"")
    }

    @Test("Refusals: no cache part; respond names the serials asked, the access log does not")
    func refusals() throws {
        let request = try OCSPRequest(derEncoded: makeRequest([R.certID(1), R.certID(2)])[...])
        let refused = Decision.refusal(.unauthorized, "no CertID names an issuer this responder serves", request: request)
        #expect(refused.logText(for: .access) == "ocsp=unauthorized reason=\"no CertID names an issuer this responder serves\"")
        #expect(respondFields(refused) == ["status=unauthorized", "serials=0x1001,0x1002", "reason=no CertID names an issuer this responder serves"])
        #expect(!refused.isWarning)

        let malformed = Decision.refusal(.malformedRequest, "empty request")
        #expect(malformed.logText(for: .access) == "ocsp=malformedRequest reason=\"empty request\"")
        #expect(respondFields(malformed) == ["status=malformedRequest", "reason=empty request"])
    }

    @Test("A stored response's times: its newest thisUpdate, its first nextUpdate; none when one has none")
    func times() throws {
        let data = try R.stored([R.single(R.certID(1), thisUpdate: -60, nextUpdate: 3600), R.single(R.certID(2), thisUpdate: -30, nextUpdate: 600)]).data
        let decision = Decision.answer(data, answers: [good], cache: .bypass)
        #expect(decision.thisUpdate == R.moment + -30)
        #expect(decision.nextUpdate == R.moment + 600)
        #expect(!decision.carriesNonce)
        let open = try R.stored([R.single(R.certID(1)), R.single(R.certID(2), nextUpdate: nil)], nonce: true).data
        let unbounded = Decision.answer(open, answers: [good], cache: .bypass)
        #expect(unbounded.nextUpdate == nil)
        #expect(unbounded.carriesNonce)
    }
}
