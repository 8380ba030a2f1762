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
public struct StatusRecord: Hashable, Sendable {
    /// The serial as stored (any spelling a tool wrote).
    public var certNum: String
    /// `Valid` or `Revoked` as stored (another value is kept, so that it can be reported).
    public var status: String
    public var revocationTime: UnixTime?
    /// The enum name as stored (`key_compromise`, ...), nil for NULL.
    public var revocationReason: String?
    /// The `cert` column; empty when the listing did not ask for it.
    public var certificate: [UInt8]

    public init(certNum: String, status: String, revocationTime: UnixTime? = nil, revocationReason: String? = nil, certificate: [UInt8] = []) {
        self.certNum = certNum
        self.status = status
        self.revocationTime = revocationTime
        self.revocationReason = revocationReason
        self.certificate = certificate
    }

    /// A row for `status`, in OCSP_MySql's spelling: `0x` + lowercase hex, enum names of the table.
    public init(serial: CertificateSerialNumber, status: RecordedStatus, certificate: [UInt8]) {
        switch status {
        case .good:
            self.init(certNum: serial.canonicalSpelling, status: "Valid", certificate: certificate)
        case .revoked(let time, let reason):
            self.init(certNum: serial.canonicalSpelling, status: "Revoked", revocationTime: time,
                      revocationReason: reason?.tableName, certificate: certificate)
        }
    }

    /// What the responder answers for this row.
    public func recordedStatus(serial: CertificateSerialNumber) throws(StatusSourceError) -> RecordedStatus? {
        try StatusRow.interpret([(status, revocationTime, revocationReason)], serial: serial)
    }
}

/// The status table, for answering and for administering: MariaDB and SQLite implement it alike, and one
/// test suite runs against both.
///
/// Every method is synchronous: a one-shot command asks a few questions and exits.
public protocol StatusStore: CertificateStatusSource {
    /// Creates the table (and what it needs) unless it exists. Idempotent.
    func createTable() throws(StatusSourceError)

    /// The rows holding `serial` in any spelling tools write (see `CertificateSerialNumber.storedSpellings`).
    func records(for serial: CertificateSerialNumber) throws(StatusSourceError) -> [StatusRecord]

    /// Adds a row. A `cert_num` that is already there is an error of kind `.failed`.
    func insert(_ record: StatusRecord) throws(StatusSourceError)

    /// Sets status, revocation time and reason of the rows whose `cert_num` is one of `certNums` exactly;
    /// returns how many rows changed.
    @discardableResult
    func update(certNums: [String], status: String, revocationTime: UnixTime?, revocationReason: String?) throws(StatusSourceError) -> Int

    /// Runs `body` in one write transaction: its reads and writes are seen together or not at all, and an
    /// error from `body` (or from the commit) rolls all of them back. The admin commands check a row and
    /// change it inside one, so that a concurrent command cannot slip a change in between (a revocation
    /// read as absent or valid, then overwritten). Not nested; `forEachRecord` is not used inside.
    func inWriteTransaction<Result>(_ body: () throws -> Result) throws -> Result

    /// How many rows there are (only `Revoked` ones when `revokedOnly`): for progress, not for decisions.
    func recordCount(revokedOnly: Bool) throws(StatusSourceError) -> Int

    /// Every row (only `Revoked` ones when `revokedOnly`), in `cert_num` order, one at a time: the table
    /// is never held in memory. The `cert` column is read only when `withCertificates`.
    func forEachRecord(revokedOnly: Bool, withCertificates: Bool, _ body: (StatusRecord) throws -> Void) throws
}
