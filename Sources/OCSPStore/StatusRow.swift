import OCSPCore
import OCSPWire

/// Reads one row of OCSP_MySql's `list_certs` table, whatever store it came from.
///
/// ```sql
/// status enum('Valid','Revoked') NOT NULL DEFAULT 'Valid',
/// revocation_time datetime DEFAULT NULL,
/// revocation_reason enum('unspecified','key_compromise', ...) DEFAULT NULL,
/// ```
package enum StatusRow {
    /// The status the table records for `serial`, given its rows for that serial (usually one; several
    /// when the same serial was stored in two spellings, and then a revocation wins).
    package static func interpret(_ rows: [StatusRecord], serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        var result: RecordedStatus?
        for row in rows {
            let status: RecordedStatus
            switch row.status {
            case .known(.valid):
                status = .good
            case .known(.revoked):
                // A revocation at a time that is no date is not answered at some other date (month 0 would
                // read as the previous November) nor at the epoch (that is for NULL, "time unknown"):
                // the row was not written as meant. A `Valid` row's time is never used, so it may hold
                // anything, as tools that write zero dates for "none" leave it.
                if let text = row.unreadableRevocationTime {
                    throw StatusSourceError(
                        .failed, "row \(row.certNum) has a revocation_time '\(text)' that is not a date and time (YYYY-MM-DD HH:MM:SS, UTC); correct the row"
                    )
                }
                var reason: CRLReason?
                switch row.revocationReason {
                case nil:
                    break
                case .known(let known)?:
                    reason = known.crlReason
                case .unknown(let name)?:
                    throw StatusSourceError(.failed, "row for serial 0x\(serial) has an unknown revocation_reason '\(name)'")
                }
                // A revoked row without a time still says revoked: telling a client "good" would be worse
                // than an epoch revocation time. The admin commands always write a time.
                status = .revoked(at: row.revocationTime ?? .epoch, reason: reason)
            case .unknown(let text):
                throw StatusSourceError(.failed, "row for serial 0x\(serial) has an unknown status '\(text)'")
            }
            if case .revoked = result { continue }
            result = status
        }
        return result
    }
}
