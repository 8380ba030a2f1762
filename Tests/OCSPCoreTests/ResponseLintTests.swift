import OCSPCore
import OCSPFuzzing
import OCSPLint
import OCSPWire
import SwiftASN1
import Testing

/// `inspect --lint`'s rules on responses crafted in memory (signed by a signer that does not sign, so no
/// verifier: the signature rules are the ResponderTests' business): each rule fires on its fault, in the
/// profiles that hold it, with the level it has there and the DER location of the offending element.
@Suite("Response lint")
struct ResponseLintTests {
    typealias R = StoredResponses
    let asked = R.certID(1)

    func response(_ singles: [SingleResponse], extensions: Extensions? = nil, version: Int = 0,
                  byName: Bool = false) throws -> [UInt8] {
        let responderID: ResponderID = byName
            ? .byName(try ASN1Any(derEncoded: DER.parse([0x30, 0x00])))
            : .byKey(ASN1OctetString(contentBytes: R.ourKeyHash[...]))
        let data = ResponseData(version: version, responderID: responderID, producedAt: R.moment.generalizedTime,
                                responses: singles, responseExtensions: extensions)
        return try OCSPResponder.sign(data, with: FuzzHarness.FixedSigner())
    }

    func nonce(_ octets: [UInt8]) throws -> Extension {
        var coder = DER.Serializer()
        try coder.serialize(ASN1OctetString(contentBytes: octets[...]))
        return Extension(id: OCSPObjectIdentifier.nonce, value: coder.serializedBytes[...])
    }

    func lint(_ der: [UInt8], _ profile: LintProfile = .rfc6960, now: UnixTime? = R.moment, request: OCSPRequest? = nil) -> LintReport {
        let report = ResponseLinter.lint(der, context: LintContext(profile: profile, now: now, request: request))
        // Every location is one whole DER element inside the input.
        for finding in report.findings {
            guard let location = finding.location else { continue }
            let end = location.offset + location.length
            #expect(location.offset >= 0 && end <= der.count, "\(finding.rule): \(location) outside \(der.count) octets")
            if location.offset >= 0, end <= der.count, finding.rule != "trailing-bytes", finding.rule != "der" {
                let node = try? DER.parse(der[location.offset..<end])
                #expect(node?.encodedBytes.count == location.length, "\(finding.rule): \(location) is not one element")
            }
        }
        return report
    }

    func rules(_ report: LintReport, _ level: LintFinding.Level) -> [String] {
        report.findings.filter { $0.level == level }.map(\.rule)
    }

    @Test("A plain good answer is clean under every profile but cisco's, which wants the request")
    func clean() throws {
        let der = try response([R.single(asked, thisUpdate: -60, nextUpdate: 86_400)])
        for profile in LintProfile.allCases {
            let report = lint(der, profile)
            #expect(report.errors == 0 && report.warnings == 0, "\(profile): \(report.text)")
            #expect(report.exitStatus == 0)
        }
        #expect(rules(lint(der, .cisco), .notice) == ["cisco-needs-request"])
    }

    @Test("No nextUpdate: a notice for RFC 6960, an error for RFC 9919, Windows, Mozilla and the BRs, at thisUpdate")
    func nextUpdateMissing() throws {
        let der = try response([R.single(asked, nextUpdate: nil)])
        let plain = lint(der)
        #expect(rules(plain, .notice) == ["next-update-missing"])
        #expect(plain.exitStatus == 0)
        let windows = lint(der, .windows)
        #expect(rules(windows, .error) == ["windows-next-update"])
        #expect(windows.exitStatus == 2)
        let finding = try #require(windows.findings.first { $0.rule == "windows-next-update" })
        #expect(finding.source == "Windows CryptoAPI")
        let location = try #require(finding.location)
        #expect(location.element == "tbsResponseData.responses[0].thisUpdate")
        let time = try GeneralizedTime(derEncoded: der[location.offset..<(location.offset + location.length)])
        #expect(UnixTime(time) == R.moment + -60)
        #expect(Set(rules(lint(der, .all), .error)) == ["rfc9919-next-update", "windows-next-update", "mozilla-next-update", "cabf-next-update"])
    }

    @Test("An empty Extensions SEQUENCE is an error (RFC 5280's SIZE (1..MAX), Mozilla), located at the [1] tag")
    func emptyExtensions() throws {
        let der = try response([R.single(asked)], extensions: Extensions([]))
        let report = lint(der)
        #expect(rules(report, .error) == ["extensions-empty"])
        let location = try #require(report.findings.first?.location)
        #expect(der[location.offset] == 0xA1 && location.length == 4)
    }

    @Test("Nonce lengths, RFC 9654 §2.1: 0 and over 128 are errors, 33 to 128 a warning, under 16 a notice")
    func nonceLengths() throws {
        let cases: [(Int, LintFinding.Level?, String?)] = [
            (0, .error, "nonce-length"), (129, .error, "nonce-length"), (33, .warning, "nonce-over-32"),
            (128, .warning, "nonce-over-32"), (8, .notice, "nonce-short"), (16, nil, nil), (32, nil, nil),
        ]
        for (length, level, rule) in cases {
            let der = try response([R.single(asked)], extensions: Extensions([try nonce(Array(repeating: 7, count: length))]))
            let report = lint(der)
            #expect(report.findings.map(\.rule) == (rule.map { [$0] } ?? []), "\(length) octets: \(report.text)")
            #expect(report.findings.first?.level == level)
        }
        let thirtyTwo = try response([R.single(asked)], extensions: Extensions([try nonce(Array(repeating: 7, count: 32))]))
        #expect(rules(lint(thirtyTwo, .all), .notice) == ["nonce-32-octets", "cisco-needs-request"])
        // Raw octets instead of an OCTET STRING inside extnValue.
        let raw = try response([R.single(asked)], extensions: Extensions([Extension(id: OCSPObjectIdentifier.nonce, value: [1, 2, 3][...])]))
        #expect(rules(lint(raw), .error) == ["nonce-encoding"])
    }

    @Test("BR §4.9.10 and Mozilla: validity of 8 hours to 10 days; refreshed 8 hours before nextUpdate")
    func validityWindows() throws {
        let short = try response([R.single(asked, thisUpdate: 0, nextUpdate: 3600)])
        #expect(rules(lint(short, .cabf), .error) == ["cabf-validity-min"])
        #expect(lint(short).errors == 0)
        let long = try response([R.single(asked, thisUpdate: 0, nextUpdate: 11 * 86_400)])
        #expect(rules(lint(long, .cabf), .error) == ["cabf-validity-max"])
        #expect(rules(lint(long, .mozilla), .error) == ["mozilla-validity"])
        // Exactly 10 days of nextUpdate − thisUpdate is 10 days and 1 second of BR validity.
        let tenDays = try response([R.single(asked, thisUpdate: 0, nextUpdate: 10 * 86_400 - 1)])
        #expect(lint(tenDays, .all).errors == 0)
        // A 2-day response still served 4 hours before its nextUpdate: not refreshed in time.
        let stale = try response([R.single(asked, thisUpdate: -44 * 3600, nextUpdate: 4 * 3600)])
        #expect(rules(lint(stale, .cabf), .warning) == ["cabf-refresh"])
        #expect(lint(stale).warnings == 0)
    }

    @Test("Clock: thisUpdate ahead and nextUpdate past, 5 minutes allowed, 15 for Java")
    func clock() throws {
        let ahead = try response([R.single(asked, thisUpdate: 600, nextUpdate: 86_400)])
        #expect(rules(lint(ahead), .error) == ["this-update-future"])
        #expect(lint(ahead, .java).errors == 0)
        let past = try response([R.single(asked, thisUpdate: -86_400, nextUpdate: -600)])
        #expect(rules(lint(past), .error) == ["next-update-past"])
        #expect(lint(past, .java).errors == 0)
        #expect(lint(past, now: nil).errors == 0)
    }

    @Test("--request: the CertID echoed byte for byte (Cisco), the nonce echoed (Java), the CertID answered")
    func requestEcho() throws {
        let der = try response([R.single(asked)])
        // The same certificate, asked with absent hash parameters: answered, but not byte for byte.
        let withoutParameters = OCSPRequest(tbsRequest: TBSRequest(requestList: [Request(certID: R.certID(1, parameters: nil))]))
        #expect(rules(lint(der, request: withoutParameters), .warning) == ["certid-not-echoed"])
        #expect(rules(lint(der, .cisco, request: withoutParameters), .error) == ["cisco-certid-echo"])
        let same = OCSPRequest(tbsRequest: TBSRequest(requestList: [Request(certID: asked)]))
        #expect(lint(der, .cisco, request: same).findings.isEmpty)
        let other = OCSPRequest(tbsRequest: TBSRequest(requestList: [Request(certID: R.certID(2))]))
        #expect(rules(lint(der, request: other), .error) == ["certid-missing"])
        let withNonce = OCSPRequest(tbsRequest: TBSRequest(requestList: [Request(certID: asked)],
                                                           requestExtensions: Extensions([try nonce(Array(repeating: 9, count: 16))])))
        #expect(rules(lint(der, request: withNonce), .warning) == ["nonce-not-echoed"])
        #expect(rules(lint(der, .java, request: withNonce), .error) == ["java-nonce"])
        let otherNonce = try response([R.single(asked)], extensions: Extensions([try nonce(Array(repeating: 8, count: 16))]))
        #expect(rules(lint(otherNonce, request: withNonce), .error) == ["nonce-mismatch"])
    }

    @Test("Structure: not DER, trailing octets, an error status with responseBytes, a v2 version, byName for RFC 9919")
    func structure() throws {
        #expect(rules(lint([0x01, 0x02]), .error) == ["der"])
        let der = try response([R.single(asked)])
        #expect(rules(lint(der + [0]), .error) == ["trailing-bytes"])
        // malformedRequest (1) with the successful response's responseBytes.
        var errorWithBytes = der
        if let index = errorWithBytes.firstIndex(of: 0x0A), errorWithBytes[index + 2] == 0 { errorWithBytes[index + 2] = 1 }
        #expect(rules(lint(errorWithBytes), .error) == ["error-response-bytes"])
        #expect(lint(OCSPResponse.error(.tryLater)).findings.isEmpty)
        #expect(rules(lint(try response([R.single(asked)], version: 1)), .error) == ["version"])
        #expect(rules(lint(try response([], version: 0)), .error) == ["responses-empty"])
        let byName = try response([R.single(asked)], byName: true)
        #expect(rules(lint(byName, .rfc9919), .warning) == ["rfc9919-responder-id"])
        #expect(lint(byName).warnings == 0)
    }

    @Test("A never-issued certificate answered revoked needs the extended-revoke extension")
    func extendedRevoke() throws {
        let hold = CertStatus.revoked(RevokedInfo(revocationTime: UnixTime.epoch.generalizedTime, revocationReason: .certificateHold))
        #expect(rules(lint(try response([R.single(asked, hold)])), .error) == ["extended-revoke-missing"])
        let marked = Extensions([Extension(id: OCSPObjectIdentifier.extendedRevoke, value: [0x05, 0x00][...])])
        #expect(lint(try response([R.single(asked, hold)], extensions: marked)).errors == 0)
    }

    @Test("The report's JSON round-trips through Codable and the exit status follows the worst level")
    func report() throws {
        let report = lint(try response([R.single(asked, nextUpdate: nil)]), .all)
        #expect(report.exitStatus == 2)
        let warningsOnly = LintReport(profile: .rfc6960, checkedAt: nil, findings: [
            LintFinding(level: .warning, rule: "x", source: "y", message: "z"),
            LintFinding(level: .notice, rule: "x", source: "y", message: "z"),
        ])
        #expect(warningsOnly.exitStatus == 1)
        #expect(LintReport(profile: .rfc6960, checkedAt: nil, findings: []).exitStatus == 0)
        #expect(report.text.hasSuffix("Lint (all): 4 errors, 0 warnings, 2 notices\n"))
    }
}
