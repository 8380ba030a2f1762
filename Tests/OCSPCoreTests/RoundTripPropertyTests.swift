import OCSPCore
import OCSPWire
import PropertyBased
import SwiftASN1
import Testing

/// Encode, decode, compare: for random values of the wire types, the texts and the time conversions.
/// Counts stay modest (a few hundred cases in all) so that the suite stays fast; a failure prints the
/// seed that reproduces it (`.fixedSeed(…)`).
@Suite struct RoundTripPropertyTests {
    /// DER, then back: the same value, and the same octets when written again (DER has one encoding).
    func roundTrips<T: DERParseable & DERSerializable & Equatable>(_ value: T) throws {
        let der = try value.derBytes()
        let decoded = try T(derEncoded: der[...])
        #expect(decoded == value)
        #expect(try decoded.derBytes() == der)
    }

    /// Any two's-complement octets, made minimal as DER requires: redundant leading 0x00 (before a clear top
    /// bit) and 0xFF (before a set one) dropped. Negative serials and ones whose top bit needs a 0x00 included.
    static func minimalContent(_ octets: [UInt8]) -> [UInt8] {
        var content = octets.isEmpty ? [0] : octets
        while content.count > 1,
              (content[0] == 0x00 && content[1] & 0x80 == 0) || (content[0] == 0xFF && content[1] & 0x80 != 0) {
            content.removeFirst()
        }
        return content
    }

    static func serial(_ octets: [UInt8]) throws -> CertificateSerialNumber {
        try CertificateSerialNumber(derContent: minimalContent(octets))
    }

    static let reasons: [CRLReason] = [
        .unspecified, .keyCompromise, .caCompromise, .affiliationChanged, .superseded, .cessationOfOperation,
        .certificateHold, .removeFromCRL, .privilegeWithdrawn, .aaCompromise,
    ]

    /// GeneralizedTime's whole range, in seconds since the epoch.
    static let generalizedTimeSeconds = UnixTime.earliestGeneralizedTime.seconds...UnixTime.latestGeneralizedTime.seconds

    static func certID(_ hash: HashAlgorithm, nullParameters: Bool, _ seed: UInt8, _ serialOctets: [UInt8]) throws -> CertID {
        CertID(
            hashAlgorithm: nullParameters ? hash.algorithmIdentifier : AlgorithmIdentifier(algorithm: hash.objectIdentifier),
            issuerNameHash: ASN1OctetString(contentBytes: (0..<hash.digestLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }[...]),
            issuerKeyHash: ASN1OctetString(contentBytes: (0..<hash.digestLength).map { UInt8(truncatingIfNeeded: $0 &* 17 ^ Int(seed)) }[...]),
            serialNumber: try serial(serialOctets)
        )
    }

    // MARK: serial numbers

    @Test func serialNumbersRoundTripThroughDERAndEverySpelling() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 0...21)) { octets in
            let serial = try Self.serial(octets)
            try roundTrips(serial)
            #expect(try CertificateSerialNumber(derContent: serial.derContent) == serial)
            #expect(CertificateSerialNumber(hex: serial.canonicalSpelling) == serial, "\(serial.canonicalSpelling)")
            for spelling in serial.storedSpellings {
                #expect(CertificateSerialNumber(hex: spelling) == serial, "\(spelling)")
            }
        }
    }

    @Test func leadingZerosOfAMagnitudeDoNotChangeTheSerial() async {
        await propertyCheck(count: 100, input: Gen.uint8().array(of: 0...20), Gen.int(in: 0...4)) { magnitude, zeros in
            let serial = CertificateSerialNumber(magnitude: magnitude)
            #expect(CertificateSerialNumber(magnitude: [UInt8](repeating: 0, count: zeros) + magnitude) == serial)
            #expect(!serial.isNegative)
            // The content is minimal: a 0x00 only where the top bit would otherwise read as a sign.
            let content = serial.derContent
            #expect(content.count == 1 || content[0] != 0 || content[1] & 0x80 != 0)
            try roundTrips(serial)
        }
    }

    // MARK: OCSP types

    @Test func certIDsRoundTrip() async {
        await propertyCheck(count: 100, input: Gen<HashAlgorithm>.case, Gen.bool, Gen.uint8(), Gen.uint8().array(of: 0...21)) {
            hash, nullParameters, seed, serialOctets in
            let certID = try Self.certID(hash, nullParameters: nullParameters, seed, serialOctets)
            try roundTrips(certID)
            try roundTrips(Request(certID: certID))
        }
    }

    @Test func requestsRoundTripThroughTheParser() async {
        await propertyCheck(
            count: 50, input: Gen<HashAlgorithm>.case, Gen.uint8().array(of: 1...8), Gen.uint8().array(of: 1...32).optional()
        ) { hash, seeds, nonce in
            let certIDs = try seeds.map { try Self.certID(hash, nullParameters: true, $0, [$0, 0x10]) }
            let extensions = try nonce.map { nonce in
                Extensions([Extension(id: OCSPObjectIdentifier.nonce, value: try ASN1OctetString(contentBytes: nonce[...]).derBytes()[...])])
            }
            let request = OCSPRequest(tbsRequest: TBSRequest(requestList: certIDs.map { Request(certID: $0) }, requestExtensions: extensions))
            try roundTrips(request)
            // What the responder's own parser accepts is the same request.
            let der = try request.derBytes()
            #expect(try OCSPResponder.parseRequest(der) == request)
        }
    }

    @Test func crlReasonsRoundTrip() async {
        await propertyCheck(count: 50, input: Gen.int(in: 0...255)) { raw in
            try roundTrips(CRLReason(rawValue: raw))
        }
        for reason in Self.reasons { try? roundTrips(reason) }
    }

    @Test func certStatusesAndSingleResponsesRoundTrip() async {
        await propertyCheck(
            count: 100, input: Gen.int(in: 0...2), Gen.int64(in: Self.generalizedTimeSeconds), Gen.int(in: -1...9),
            Gen.int64(in: 0...(400 * 86_400)), Gen.bool, Gen.uint8().array(of: 1...9)
        ) { kind, revokedAt, reasonIndex, validity, hasNextUpdate, serialOctets in
            let reason = reasonIndex < 0 ? nil : Self.reasons[reasonIndex]
            let status: CertStatus = switch kind {
            case 0: .good
            case 1: .unknown
            default: .revoked(RevokedInfo(revocationTime: UnixTime(seconds: revokedAt).generalizedTime, revocationReason: reason))
            }
            try roundTrips(status)
            let thisUpdate = UnixTime(seconds: revokedAt)
            let single = SingleResponse(
                certID: try Self.certID(.sha256, nullParameters: true, 7, serialOctets), certStatus: status,
                thisUpdate: thisUpdate.generalizedTime, nextUpdate: hasNextUpdate ? (thisUpdate + validity).generalizedTime : nil
            )
            try roundTrips(single)
        }
    }

    // MARK: time

    @Test func unixTimeAndGeneralizedTimeRoundTripOverGeneralizedTimesRange() async {
        await propertyCheck(count: 200, input: Gen.int64(in: Self.generalizedTimeSeconds)) { seconds in
            let time = UnixTime(seconds: seconds)
            let generalized = time.generalizedTime
            #expect(UnixTime(generalized) == time)
            // Through DER too, and through the calendar fields.
            let der = try generalized.derBytes()
            #expect(UnixTime(try GeneralizedTime(derEncoded: der[...])) == time)
            let c = time.components
            #expect(UnixTime(year: c.year, month: c.month, day: c.day, hours: c.hours, minutes: c.minutes, seconds: c.seconds) == time)
            #expect(UnixTime(checkedYear: c.year, month: c.month, day: c.day, hours: c.hours, minutes: c.minutes, seconds: c.seconds) == time)
            // And through the ISO 8601 text `db revoke --at` reads.
            #expect(UnixTime(parsing: time.iso8601) == time, "\(time.iso8601)")
        }
    }

    @Test func timesOutsideGeneralizedTimeAreClampedToItsEnds() async {
        await propertyCheck(count: 50, input: Gen.int64(in: (UnixTime.latestGeneralizedTime.seconds + 1)...), Gen.bool) { seconds, past in
            let time = UnixTime(seconds: past ? seconds : -seconds)
            let expected = past ? UnixTime.latestGeneralizedTime : .earliestGeneralizedTime
            #expect(UnixTime(time.generalizedTime) == expected)
        }
    }

    // MARK: text

    @Test func base64RoundTrips() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 0...80)) { bytes in
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == (bytes.count + 2) / 3 * 4)
            #expect(Base64.decode(text) == bytes)
            // Unpadded, and in the URL-safe alphabet (RFC 4648 §5), it reads the same.
            let unpadded = String(text.prefix { $0 != "=" })
            #expect(Base64.decode(unpadded) == bytes)
            let urlSafe = String(unpadded.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
            #expect(Base64.decode(urlSafe) == bytes)
            #expect(Base64.decode(bytes: Array(text.utf8)) == bytes)
        }
    }

    @Test func hexRoundTrips() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 0...64)) { bytes in
            let text = Hex.encode(bytes)
            #expect(text.utf8.count == bytes.count * 2)
            #expect(text == text.lowercased())
            #expect(Hex.decode(text) == bytes)
            #expect(Hex.decode(text.uppercased()) == bytes)
        }
    }
}
