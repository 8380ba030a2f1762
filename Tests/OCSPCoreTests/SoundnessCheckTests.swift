import OCSPCore
import OCSPWire
import SwiftASN1
import Testing

/// The one check of a stored response, as the cache, `resign` and the CA certificate's files use it.
@Suite("Soundness of a stored response")
struct SoundnessCheckTests {
    typealias R = StoredResponses
    let asked = R.certID(1)
    var kept: SoundnessCheck { .keptAnswer(for: asked, signerKeyHash: R.ourKeyHash) }

    @Test("A kept answer: exactly this one CertID, no nonce, our key; anything else is unsound")
    func keptAnswer() throws {
        guard case .sound(let singles) = kept.verdict(on: try R.stored([R.single(asked)]), at: R.moment) else {
            Issue.record("a sound response was refused")
            return
        }
        #expect(singles == [R.single(asked)])

        let cases: [(StoredResponse, SoundnessCheck.Unsoundness)] = [
            (try R.stored([R.single(R.certID(2))]), .certIDs),
            (try R.stored([R.single(asked), R.single(R.certID(2))]), .certIDs),
            // Byte for byte: the same CertID with its parameters absent is another one to what we keep.
            (try R.stored([R.single(R.certID(1, parameters: nil))]), .certIDs),
            (try R.stored([R.single(asked)], nonce: true), .nonce),
            (try R.stored([R.single(asked)], keyHash: R.otherKeyHash), .signer),
            (try R.stored([R.single(asked)], keyHash: nil), .signer),
        ]
        for (stored, expected) in cases {
            guard case .unsound(let why) = kept.verdict(on: stored, at: R.moment) else {
                Issue.record("expected \(expected)")
                continue
            }
            #expect(why == expected)
        }
    }

    @Test("Current: thisUpdate ≤ now and a nextUpdate later than the end asked (now by default)")
    func staleness() throws {
        let cases: [(SingleResponse, UnixTime?, SoundnessCheck.Staleness?)] = [
            (R.single(asked, thisUpdate: 0, nextUpdate: 1), nil, nil),
            (R.single(asked, nextUpdate: nil), nil, .noNextUpdate),
            (R.single(asked, thisUpdate: 1), nil, .notYetValid(thisUpdate: R.moment + 1)),
            (R.single(asked, nextUpdate: 0), nil, .expires(nextUpdate: R.moment)),
            (R.single(asked, nextUpdate: -1), nil, .expires(nextUpdate: R.moment + -1)),
            // Asked to hold an hour: a nextUpdate at that hour's end is not enough, one after it is.
            (R.single(asked, nextUpdate: 3600), R.moment + 3600, .expires(nextUpdate: R.moment + 3600)),
            (R.single(asked, nextUpdate: 3601), R.moment + 3600, nil),
        ]
        for (single, end, expected) in cases {
            let verdict = kept.verdict(on: try R.stored([single]), at: R.moment, until: end)
            switch verdict {
            case .sound(let singles):
                #expect(expected == nil)
                #expect(singles == [single])
            case .stale(let singles, let why):
                #expect(why == expected)
                #expect(singles == [single])
            case .unsound(let why):
                Issue.record("unsound: \(why)")
            }
        }
        #expect("\(SoundnessCheck.Staleness.noNextUpdate)" == "it has no nextUpdate")
        #expect("\(SoundnessCheck.Staleness.notYetValid(thisUpdate: UnixTime(seconds: 0)))" == "its thisUpdate 1970-01-01T00:00:00Z is in the future")
        #expect("\(SoundnessCheck.Staleness.expires(nextUpdate: UnixTime(seconds: 0)))" == "it expired at its nextUpdate 1970-01-01T00:00:00Z")
    }

    @Test("The root's files: every CertID asked answered, compared as clients compare, any signer, a nonce allowed")
    func eachAsked() throws {
        let first = R.certID(1), second = R.certID(2)
        let file = try R.stored([R.single(R.certID(9)), R.single(second, R.revoked), R.single(first)], keyHash: R.otherKeyHash, nonce: true)
        let check = SoundnessCheck(certIDs: .each([first, second]), signerKeyHash: nil, refusesNonce: false)
        guard case .sound(let singles) = check.verdict(on: file, at: R.moment) else {
            Issue.record("a sound file was refused")
            return
        }
        // In the order asked, not the file's.
        #expect(singles.map(\.certID) == [first, second])

        // NULL or absent parameters name the same certificate; other parameters name no algorithm we know.
        let absent = SoundnessCheck(certIDs: .each([R.certID(1, parameters: nil)]), signerKeyHash: nil, refusesNonce: false)
        guard case .sound = absent.verdict(on: file, at: R.moment) else {
            Issue.record("absent parameters did not match NULL ones")
            return
        }
        let odd = try ASN1Any(erasing: ASN1OctetString(contentBytes: [1]))
        let oddFile = try R.stored([R.single(R.certID(1, parameters: odd))])
        guard case .unsound(.certIDs) = SoundnessCheck(certIDs: .each([first]), signerKeyHash: nil, refusesNonce: false).verdict(on: oddFile, at: R.moment) else {
            Issue.record("a CertID under unknown parameters answered")
            return
        }
        // One CertID not answered: unsound; another issuer name hash is another certificate.
        let missing = SoundnessCheck(certIDs: .each([first, R.certID(2, nameHash: 0x99)]), signerKeyHash: nil, refusesNonce: false)
        guard case .unsound(.certIDs) = missing.verdict(on: file, at: R.moment) else {
            Issue.record("a CertID the file does not answer was accepted")
            return
        }
        // The first stale answer, in the order asked, is the reason.
        let staleFile = try R.stored([R.single(first), R.single(second, nextUpdate: nil)])
        guard case .stale(let answers, .noNextUpdate) = check.verdict(on: staleFile, at: R.moment) else {
            Issue.record("a stale answer was served")
            return
        }
        #expect(answers.count == 2)
        // Required, the signer and the nonce are checked here too.
        let strict = SoundnessCheck(certIDs: .each([first]), signerKeyHash: R.ourKeyHash, refusesNonce: true)
        guard case .unsound(.nonce) = strict.verdict(on: file, at: R.moment) else {
            Issue.record("a nonce was accepted")
            return
        }
    }
}
