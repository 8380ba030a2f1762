import OCSPAdmin
import OCSPWire
import Testing

/// `resign`'s decision for one CertID, without files: every way a kept response stays or is signed again.
@Suite("resign's plan")
struct ResignPlanTests {
    typealias R = StoredResponses
    let certID = R.certID(1)
    /// Signed again when its nextUpdate is within the next hour.
    let dueWithin: Int64 = 3600

    func decide(_ bytes: [UInt8]?, status: CertStatus = .good, all: Bool = false) -> ResignDecision {
        ResignPlan.decide(kept: bytes, certID: certID, status: status, signerKeyHash: R.ourKeyHash, at: R.moment, dueWithin: dueWithin, all: all)
    }

    @Test("A sound response that says what the table says and is not due is kept, with its nextUpdate")
    func keep() throws {
        #expect(decide(try R.der([R.single(certID, nextUpdate: 7200)])) == .keep(nextUpdate: R.moment + 7200))
        #expect(decide(try R.der([R.single(certID, R.revoked, nextUpdate: 3601)]), status: R.revoked) == .keep(nextUpdate: R.moment + 3601))
    }

    @Test("Signed again: --all, missing, unsound, status changed, due, thisUpdate in the future")
    func sign() throws {
        let sound = try R.der([R.single(certID, nextUpdate: 7200)])
        #expect(decide(sound, all: true) == .sign("--all"))
        #expect(decide(nil) == .sign("missing"))
        let unsound = "not a sound response for this CertID"
        #expect(decide([0x30, 0x03, 0x0A, 0x01, 0x00]) == .sign(unsound))
        #expect(decide([]) == .sign(unsound))
        #expect(decide(OCSPResponse.error(.tryLater)) == .sign(unsound))
        #expect(decide(try R.der([R.single(R.certID(2), nextUpdate: 7200)])) == .sign(unsound))
        #expect(decide(try R.der([R.single(certID, nextUpdate: 7200), R.single(R.certID(2), nextUpdate: 7200)])) == .sign(unsound))
        #expect(decide(try R.der([R.single(certID, nextUpdate: 7200)], nonce: true)) == .sign(unsound))
        #expect(decide(try R.der([R.single(certID, nextUpdate: 7200)], keyHash: R.otherKeyHash)) == .sign(unsound))
        #expect(decide(try R.der([R.single(certID, nextUpdate: 7200)], keyHash: nil)) == .sign(unsound))

        #expect(decide(sound, status: R.revoked) == .sign("status changed (good -> revoked)"))
        #expect(decide(sound, status: .unknown) == .sign("status changed (good -> unknown)"))
        // Due: no nextUpdate, or one within `dueWithin` (its very end included), or already past.
        #expect(decide(try R.der([R.single(certID, nextUpdate: nil)])) == .sign("due"))
        #expect(decide(try R.der([R.single(certID, nextUpdate: 3600)])) == .sign("due"))
        #expect(decide(try R.der([R.single(certID, nextUpdate: -10)])) == .sign("due"))
        #expect(decide(try R.der([R.single(certID, thisUpdate: 10, nextUpdate: 7200)])) == .sign("thisUpdate in the future"))
    }

    @Test("A changed status is said before due; thisUpdate in the future before due")
    func order() throws {
        #expect(decide(try R.der([R.single(certID, nextUpdate: 10)]), status: R.revoked) == .sign("status changed (good -> revoked)"))
        // Signed either way; the shared check names the future thisUpdate first (before: "due").
        #expect(decide(try R.der([R.single(certID, thisUpdate: 10, nextUpdate: 20)])) == .sign("thisUpdate in the future"))
    }
}
