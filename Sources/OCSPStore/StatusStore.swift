import OCSPCore
import OCSPWire
/// One row of OCSP_MySql's `list_certs` table, as the admin commands read and write it:
///
/// ```sql
/// CREATE TABLE list_certs (
///   cert_num varchar(50) NOT NULL,              -- '0x' + hex serial
///   revocation_time datetime DEFAULT NULL,      -- UTC
///   revocation_reason enum('unspecified', ...) DEFAULT NULL,
///   cert blob NOT NULL,                         -- the certificate, PEM or DER
///   status enum('Valid','Revoked') NOT NULL DEFAULT 'Valid',
///   PRIMARY KEY (cert_num));
/// ```
package struct StatusRecord: Hashable, Sendable {
    /// The serial as stored (any spelling a tool wrote).
    package var certNum: String
    /// `Valid` or `Revoked`; other text is kept, so that it can be reported.
    package var status: StoredStatus
    package var revocationTime: UnixTime?
    /// The `revocation_time` column as stored when it holds no calendar date (MariaDB's zero date
    /// `0000-00-00 00:00:00`, `2024-00-00 …`, or text SQLite cannot read as a time); `revocationTime` is
    /// nil then. Kept rather than thrown, so that a listing shows the row and a walk (`resign`) skips it
    /// and goes on; answering for it is an internal error (`recordedStatus`).
    package var unreadableRevocationTime: String?
    /// The reason (`key_compromise`, ...), nil for NULL; other text is kept, so that it can be reported.
    package var revocationReason: StoredReason?
    /// The `cert` column; empty when the listing did not ask for it.
    package var certificate: [UInt8]

    package init(
        certNum: String, status: StoredStatus, revocationTime: UnixTime? = nil, revocationReason: StoredReason? = nil,
        certificate: [UInt8] = [], unreadableRevocationTime: String? = nil
    ) {
        self.certNum = certNum
        self.status = status
        self.revocationTime = revocationTime
        self.unreadableRevocationTime = unreadableRevocationTime
        self.revocationReason = revocationReason
        self.certificate = certificate
    }

    /// A row of known values.
    package init(certNum: String, status: TableStatus, revocationTime: UnixTime? = nil, revocationReason: TableReason? = nil, certificate: [UInt8] = []) {
        self.init(certNum: certNum, status: .known(status), revocationTime: revocationTime,
                  revocationReason: revocationReason.map(StoredReason.known), certificate: certificate)
    }

    /// A row for `status`, in OCSP_MySql's spelling: `0x` + lowercase hex. A reason the table cannot
    /// hold (removeFromCRL) is written as none.
    package init(serial: CertificateSerialNumber, status: RecordedStatus, certificate: [UInt8]) {
        switch status {
        case .good:
            self.init(certNum: serial.canonicalSpelling, status: .valid, certificate: certificate)
        case .revoked(let time, let reason):
            self.init(certNum: serial.canonicalSpelling, status: .revoked, revocationTime: time,
                      revocationReason: reason.flatMap(TableReason.init), certificate: certificate)
        }
    }

    /// True for a row whose status is `Revoked`.
    package var isRevoked: Bool { status == .known(.revoked) }

    /// True for a row revoked with certificate_hold, the one revocation that may be lifted or replaced.
    package var isOnHold: Bool { isRevoked && revocationReason == .known(.certificateHold) }

    /// What the responder answers for this row.
    package func recordedStatus(serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        try StatusRow.interpret([self], serial: serial)
    }

    /// The revocation time as the admin commands print it: ISO 8601, or the stored text of one that is
    /// no date, marked so.
    package var revocationTimeText: String? {
        revocationTime?.iso8601 ?? unreadableRevocationTime.map { "'\($0)' (not a date)" }
    }
}

/// One status table, for answering and for administering: everything a command asks of the table, on
/// whichever backend holds it. MariaDB and SQLite implement it alike (`StatusStoreConformanceTests` runs
/// against both), each in its own module; a backend's stores come from its `StatusStoreSession`.
///
/// The look-up (`status(of:)`, from `CertificateStatusSource`) reads a serial's rows and decides with
/// `StatusRow.interpret`, so that every backend answers a row alike.
///
/// Every method is synchronous, and a store (like its session) is used by one thread at a time: a
/// one-shot command asks a few questions and exits, and `serve` gives each worker stores of its own.
package protocol StatusStore: CertificateStatusSource, AnyObject {
    /// Creates the table (and what it needs) unless it exists. Idempotent.
    func createTable() throws(StatusSourceError)

    /// The rows holding `serial` in any spelling tools write (see `CertificateSerialNumber.storedSpellings`).
    func records(for serial: CertificateSerialNumber) throws(StatusSourceError) -> [StatusRecord]

    /// Adds a row. A `cert_num` that is already there is an error of kind `.failed`, and so is a status or
    /// reason the table's enums do not hold (the table refuses it).
    func insert(_ record: StatusRecord) throws(StatusSourceError)

    /// Sets status, revocation time and reason of the rows whose `cert_num` is one of `certNums` exactly;
    /// returns how many rows changed.
    @discardableResult
    func update(certNums: [String], status: TableStatus, revocationTime: UnixTime?, revocationReason: TableReason?) throws(StatusSourceError) -> Int

    /// Runs `body` in one write transaction of this store's session (see `StatusStoreSession`): its reads
    /// and writes, and those of every other store on the session, are seen together or not at all, and an
    /// error from `body` (or from the commit) rolls all of them back. The admin commands check a row and
    /// change it inside one, so that a concurrent command cannot slip a change in between (a revocation
    /// read as absent or valid, then overwritten). Not nested (a nested call is an error of kind
    /// `.failed`); `forEachRecord` is not used inside.
    func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result

    /// How many rows there are (only `Revoked` ones when `revokedOnly`): for progress, not for decisions.
    func recordCount(revokedOnly: Bool) throws(StatusSourceError) -> Int

    /// Every row (only `Revoked` ones when `revokedOnly`), in `cert_num` order, one at a time: the table
    /// is never held in memory. The `cert` column is read only when `withCertificates`.
    func forEachRecord(revokedOnly: Bool, withCertificates: Bool, _ body: (StatusRecord) throws -> Void) throws

    /// Connects now (opens the file, for SQLite) if not yet, and checks the store answers: `serve`'s
    /// `/health` asks it before it reads the table.
    func checkConnection() throws(StatusSourceError)

    /// Closes the session's connection, for every store of the session; the next use opens a new one.
    /// `serve` drops a worker's connections this way after an answer that failed (the connection may be
    /// what broke), and `/health` the ones it opened for its check.
    func close()
}

/// One connection to one database, shared by the stores of several tables in it: their statements run on
/// it, so one write transaction covers all of them. An admin command that writes the tables of several
/// CAs opens their stores on one session, and a failure at any table rolls back every table's changes;
/// stores on separate connections could only commit one table at a time (and two write transactions on
/// one SQLite file from one process would wait for each other until the busy timeout).
///
/// A session, like its stores, is used by one thread at a time.
package protocol StatusStoreSession: AnyObject {
    /// A store of `table` (a name checked with `StatusTable.isValidName`) on this session's connection.
    func store(table: String) -> any StatusStore

    /// Runs `body` in one write transaction on this session's connection: every store of the session
    /// reads and writes inside it (on MariaDB their reads lock what they read), and it commits when `body`
    /// returns or rolls back when `body` throws. Not nested: a call inside another throws a
    /// `StatusSourceError` of kind `.failed`.
    func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result
}

/// What a store is opened for: `respond` and `serve` only read (SQLite opens the file read-only, so
/// they can never change the table); the admin commands write.
package enum StoreAccess: Sendable {
    case readOnly, readWrite
}

/// Where a config's status tables live and how long to wait for them, as one backend describes it (a
/// MariaDB server, an SQLite file): what `StoreOpener` opens sessions on. A backend module implements
/// this, `StatusStoreSession` and `StatusStore`.
package protocol StatusStoreBackend: Sendable {
    /// One connection to the database, on which any of its tables can be opened. Nothing is connected
    /// until the first statement, so a request refused before any look-up never touches the database.
    func openSession(access: StoreAccess) -> any StatusStoreSession
}
