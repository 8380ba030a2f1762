import OCSPWire
/// What the status table says of one serial.
package enum RecordedStatus: Hashable, Sendable {
    case good
    case revoked(at: UnixTime, reason: CRLReason?)
}

extension RecordedStatus {
    /// The CertStatus a response carries for this status.
    package var certStatus: CertStatus {
        switch self {
        case .good: .good
        case .revoked(let time, let reason): .revoked(RevokedInfo(revocationTime: time.generalizedTime, revocationReason: reason))
        }
    }
}

/// Where statuses come from: the MariaDB table in production, an in-memory table in unit tests.
///
/// Synchronous on purpose: a one-shot `respond` asks once and exits, and the query takes a fraction of
/// a millisecond; a server runs these calls off its event loop.
package protocol CertificateStatusSource {
    /// The recorded status of `serial`, or nil when the table has no row for it.
    func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus?
}

/// Why a status could not be read, sorted by what the client should be told.
package struct StatusSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Kind: Hashable, Sendable {
        /// The store cannot be reached now (down, timed out, too many connections): `tryLater`.
        case unavailable
        /// The store answered wrongly (no table, bad row, access denied): `internalError`.
        case failed
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}

/// A fixed table in memory, for tests of the logic above the store.
package struct InMemoryStatusSource: CertificateStatusSource {
    package var rows: [CertificateSerialNumber: RecordedStatus]
    package var failure: StatusSourceError?

    package init(rows: [CertificateSerialNumber: RecordedStatus] = [:], failure: StatusSourceError? = nil) {
        self.rows = rows
        self.failure = failure
    }

    package func status(of serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        if let failure { throw failure }
        return rows[serial]
    }
}
