import OCSPCore
import OCSPStore
import OCSPWire
import Testing

/// The status table's enum columns as text and back, without a database: what every store writes and
/// how it reads what it, or another tool, wrote.
@Suite struct TableValueTests {
    @Test func statusNamesAreTheSchemas() {
        #expect(TableStatus.allCases.map(\.rawValue) == ["Valid", "Revoked"])
        #expect(TableStatus.sqlList == "'Valid','Revoked'")
    }

    /// OCSP_MySql's `revocation_reason` enum, in RFC 5280 order, each naming its CRLReason.
    @Test func reasonNamesAreTheSchemas() {
        #expect(TableReason.allCases.map(\.rawValue) == [
            "unspecified", "key_compromise", "ca_compromise", "affiliation_changed", "superseded",
            "cessation_of_operation", "certificate_hold", "privilege_withdrawn", "aa_compromise",
        ])
        #expect(TableReason.allCases.map(\.crlReason.rawValue) == [0, 1, 2, 3, 4, 5, 6, 9, 10])
    }

    @Test(arguments: TableStatus.allCases)
    func statusTextRoundTrips(status: TableStatus) {
        #expect(TableStatus(tableText: status.rawValue) == status)
        #expect(StoredStatus(tableText: status.rawValue) == .known(status))
        #expect(StoredStatus(tableText: status.rawValue).text == status.rawValue)
    }

    @Test(arguments: TableReason.allCases)
    func reasonTextAndCRLReasonRoundTrip(reason: TableReason) {
        #expect(TableReason(tableText: reason.rawValue) == reason)
        #expect(TableReason(reason.crlReason) == reason)
        #expect(StoredReason(tableText: reason.rawValue).text == reason.rawValue)
        // What a person types (`db revoke --reason`) reaches the same value in either spelling.
        #expect(CRLReason(name: reason.rawValue).flatMap(TableReason.init) == reason)
        #expect(CRLReason(name: reason.crlReason.name) == reason.crlReason)
    }

    /// Reading ignores case, as MariaDB's enums compare and as rows other tools wrote may be spelled;
    /// what is written back is the schema's spelling.
    @Test func readingIgnoresCase() {
        #expect(TableStatus(tableText: "revoked") == .revoked)
        #expect(TableStatus(tableText: "VALID") == .valid)
        #expect(TableReason(tableText: "Key_Compromise") == .keyCompromise)
        #expect(StoredStatus(tableText: "rEvOkEd").text == "Revoked")
    }

    /// Text the schema does not name is kept as it was, to be shown and named in errors, never taken for
    /// a value: a row that says `Suspended` is an internal error (`StatusRow`), not good or revoked.
    @Test(arguments: ["", "Suspended", "Valid ", " Revoked", "revoke", "1", "Válid"])
    func unknownStatusTextIsKept(text: String) throws {
        #expect(TableStatus(tableText: text) == nil)
        let stored = StoredStatus(tableText: text)
        #expect(stored == .unknown(text) && stored.known == nil && stored.text == text)
        let serial = try #require(CertificateSerialNumber(hex: "1001"))
        let error = #expect(throws: StatusSourceError.self) {
            try StatusRecord(certNum: "0x1001", status: stored).recordedStatus(serial: serial)
        }
        #expect(error?.kind == .failed && error?.message.contains("unknown status '\(text)'") == true)
    }

    @Test(arguments: ["", "keyCompromise", "remove_from_crl", "lost_it", "key compromise"])
    func unknownReasonTextIsKept(text: String) throws {
        #expect(TableReason(tableText: text) == nil)
        let serial = try #require(CertificateSerialNumber(hex: "1001"))
        let record = StatusRecord(certNum: "0x1001", status: .known(.revoked), revocationReason: StoredReason(tableText: text))
        #expect(record.revocationReason == .unknown(text))
        let error = #expect(throws: StatusSourceError.self) { try record.recordedStatus(serial: serial) }
        #expect(error?.kind == .failed && error?.message.contains("unknown revocation_reason '\(text)'") == true)
    }

    /// The reasons a table cannot hold: removeFromCRL (a valid row says it) and values RFC 5280 leaves
    /// undefined. A row made from such a status records no reason.
    @Test func reasonsTheTableCannotHold() throws {
        for reason in [CRLReason.removeFromCRL, CRLReason(rawValue: 7), CRLReason(rawValue: 11), CRLReason(rawValue: -1)] {
            #expect(TableReason(reason) == nil, "\(reason)")
        }
        let serial = try #require(CertificateSerialNumber(hex: "1001"))
        let time = UnixTime(year: 2026, month: 1, day: 2)
        let row = StatusRecord(serial: serial, status: .revoked(at: time, reason: .removeFromCRL), certificate: [])
        #expect(row.status == .known(.revoked) && row.revocationReason == nil && row.revocationTime == time)
    }

    /// A row made from a status reads back as that status.
    @Test func recordedStatusRoundTrips() throws {
        let serial = try #require(CertificateSerialNumber(hex: "9A4E31C2D5B6A7F8"))
        let time = UnixTime(year: 2025, month: 12, day: 31, hours: 23, minutes: 59, seconds: 59)
        let statuses: [RecordedStatus] = [.good, .revoked(at: time, reason: nil)] + TableReason.allCases.map { .revoked(at: time, reason: $0.crlReason) }
        for status in statuses {
            let row = StatusRecord(serial: serial, status: status, certificate: [0x30])
            #expect(row.certNum == "0x9a4e31c2d5b6a7f8")
            #expect(try row.recordedStatus(serial: serial) == status)
        }
    }
}
