import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire
import Foundation
import Testing
import TestSupport

/// The stores that implement `StatusStore`; every conformance test runs against each.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, mariadb

    var testDescription: String { rawValue }

    /// SQLite always; MariaDB under scripts/test.sh, which starts one.
    static var available: [StoreBackend] {
        allCases.filter { $0 != .mariadb || MariaDBTestServer.isAvailable }
    }
}

/// A fresh store with an empty status table, for one test.
func makeStore(_ backend: StoreBackend) throws -> any StatusStore {
    try makeStores(backend, tables: 1)[0]
}

/// Fresh stores of `tables` empty status tables on one session: one connection, one transaction.
func makeStores(_ backend: StoreBackend, tables: Int) throws -> [any StatusStore] {
    let session: any StatusStoreSession
    let names: [String]
    switch backend {
    case .sqlite:
        let directory = try makeTemporaryDirectory("ocsp-sqlite")
        session = SQLiteSession(path: directory.appendingPathComponent("status.db").path, readOnly: false, busyTimeoutMilliseconds: 2000)
        names = (0..<tables).map { $0 == 0 ? "list_certs" : "list_certs_\($0)" }
    case .mariadb:
        guard let server = MariaDBTestServer.shared else { throw TestFailure("no MariaDB: run scripts/test.sh") }
        session = MariaDBSession(options: MariaDBOptions(socket: server.socket, database: server.database, user: server.user, password: server.password))
        names = (0..<tables).map { _ in "conformance_\(UUID().uuidString.prefix(8).lowercased())" }
    }
    let stores = names.map(session.store(table:))
    for store in stores { try store.createTable() }
    return stores
}

/// A second connection to `store`'s table, read-only where the backend has the mode, as `respond` and
/// `serve` open theirs.
func anotherConnection(to store: any StatusStore) throws -> any StatusStore {
    switch store {
    case let sqlite as SQLiteStatusStore:
        return SQLiteStatusStore(path: sqlite.path, table: sqlite.table, readOnly: true, busyTimeoutMilliseconds: 2000)
    case let mariadb as MariaDBStatusStore:
        return MariaDBStatusStore(options: mariadb.options, table: mariadb.table)
    default:
        throw TestFailure("no second connection for a \(type(of: store))")
    }
}

/// What every `StatusStore` must do alike, whatever holds the table: the responder's answers and the
/// admin commands must not depend on the backend.
@Suite struct StatusStoreConformanceTests {
    static let topBit = CertificateSerialNumber(hex: "9A4E31C2D5B6A7F8")!
    static let revokedAt = UnixTime(year: 2025, month: 12, day: 31, hours: 23, minutes: 59, seconds: 59)

    static func serial(_ hex: String) -> CertificateSerialNumber { CertificateSerialNumber(hex: hex)! }

    /// A row as another tool might write it: the texts go to the table as given.
    static func row(_ certNum: String, _ status: String = "Valid", time: UnixTime? = nil, reason: String? = nil, certificate: [UInt8] = [0x30, 0x00]) -> StatusRecord {
        StatusRecord(certNum: certNum, status: StoredStatus(tableText: status), revocationTime: time,
                     revocationReason: reason.map(StoredReason.init(tableText:)), certificate: certificate)
    }

    @Test(arguments: StoreBackend.available)
    func createTableIsIdempotent(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.createTable()
        try store.insert(Self.row("0x1001"))
        try store.createTable()
        #expect(try store.status(of: Self.serial("1001")) == .good)
    }

    @Test(arguments: StoreBackend.available)
    func goodRevokedAndAbsent(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.insert(StatusRecord(serial: Self.serial("1001"), status: .good, certificate: [1, 2, 3]))
        try store.insert(StatusRecord(serial: Self.serial("1002"), status: .revoked(at: Self.revokedAt, reason: .superseded), certificate: [4]))
        #expect(try store.status(of: Self.serial("1001")) == .good)
        #expect(try store.status(of: Self.serial("1002")) == .revoked(at: Self.revokedAt, reason: .superseded))
        #expect(try store.status(of: Self.serial("7777")) == nil)
    }

    /// Every enum value of `revocation_reason`, and NULL, reads back as its CRLReason, with the time to the second.
    @Test(arguments: StoreBackend.available)
    func everyRevocationReason(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let reasons: [CRLReason?] = TableReason.allCases.map(\.crlReason) + [nil]
        for (index, reason) in reasons.enumerated() {
            let time = Self.revokedAt + Int64(index)
            try store.insert(StatusRecord(serial: Self.serial(String(0x2000 + index, radix: 16)), status: .revoked(at: time, reason: reason), certificate: [0x30]))
        }
        for (index, reason) in reasons.enumerated() {
            let found = try store.status(of: Self.serial(String(0x2000 + index, radix: 16)))
            #expect(found == .revoked(at: Self.revokedAt + Int64(index), reason: reason), "reason \(reason.map(String.init(describing:)) ?? "NULL")")
        }
    }

    /// A `Revoked` row without a time or reason answers revoked at the epoch, not good.
    @Test(arguments: StoreBackend.available)
    func revokedWithoutTimeIsRevokedAtTheEpoch(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.insert(Self.row("0x1002", "Revoked"))
        #expect(try store.status(of: Self.serial("1002")) == .revoked(at: .epoch, reason: nil))
        let record = try #require(try store.records(for: Self.serial("1002")).first)
        #expect(record.revocationTime == nil && record.revocationReason == nil)
    }

    /// The spellings tools write: Python's `hex()`, capitals, leading zeros, the sign octet of a top-bit serial.
    @Test(arguments: StoreBackend.allCases, [
        ("0x9a4e31c2d5b6a7f8", "9A4E31C2D5B6A7F8"), ("0x9A4E31C2D5B6A7F8", "9A4E31C2D5B6A7F8"),
        ("0x009a4e31c2d5b6a7f8", "9A4E31C2D5B6A7F8"), ("0x009A4E31C2D5B6A7F8", "9A4E31C2D5B6A7F8"),
        ("0X009A4E31C2D5B6A7F8", "9A4E31C2D5B6A7F8"),
        // Mixed case is in no list of spellings: only a case-insensitive cert_num finds it.
        ("0x9A4e31C2d5B6a7F8", "9A4E31C2D5B6A7F8"),
        ("0xf", "0F"), ("0x0f", "0F"), ("0x0F", "0F"), ("0X0F", "0F"),
        ("0x1001", "1001"), ("0X1001", "1001"),
    ])
    func everySpellingIsFound(backend: StoreBackend, stored: (spelling: String, serialHex: String)) throws {
        let store = try makeStore(backend)
        try store.insert(Self.row(stored.spelling, "Revoked", time: Self.revokedAt, reason: "key_compromise"))
        let serial = Self.serial(stored.serialHex)
        #expect(try store.status(of: serial) == .revoked(at: Self.revokedAt, reason: .keyCompromise))
        #expect(try store.records(for: serial).map(\.certNum) == [stored.spelling])
    }

    @Test(arguments: StoreBackend.available)
    func duplicateInsertFails(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.insert(Self.row("0x1001"))
        let again = #expect(throws: StatusSourceError.self) { try store.insert(Self.row("0x1001", "Revoked")) }
        #expect(again?.kind == .failed)
        #expect(again?.message.contains("already in the table") == true, "\(again?.message ?? "")")
        // The key compares case-insensitively, as MariaDB's default collation does.
        let capitals = #expect(throws: StatusSourceError.self) { try store.insert(Self.row("0X1001")) }
        #expect(capitals?.kind == .failed)
        #expect(try store.records(for: Self.serial("1001")).map(\.status) == [.known(.valid)])
    }

    /// A status or reason the table's enums do not hold is refused, not stored.
    @Test(arguments: StoreBackend.available)
    func valuesOutsideTheEnumsAreRefused(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let status = #expect(throws: StatusSourceError.self) { try store.insert(Self.row("0x1001", "Suspended")) }
        #expect(status?.kind == .failed)
        let reason = #expect(throws: StatusSourceError.self) { try store.insert(Self.row("0x1002", "Revoked", time: Self.revokedAt, reason: "lost_it")) }
        #expect(reason?.kind == .failed)
        #expect(try store.status(of: Self.serial("1001")) == nil)
    }

    @Test(arguments: StoreBackend.available)
    func updateChangesRowsAndCountsThem(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        for certNum in ["0x1001", "0x1002", "0x1003"] { try store.insert(Self.row(certNum)) }

        let revoked = try store.update(certNums: ["0x1001", "0x1002", "0x7777"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .keyCompromise)
        #expect(revoked == 2)
        #expect(try store.status(of: Self.serial("1001")) == .revoked(at: Self.revokedAt, reason: .keyCompromise))
        #expect(try store.status(of: Self.serial("1002")) == .revoked(at: Self.revokedAt, reason: .keyCompromise))
        #expect(try store.status(of: Self.serial("1003")) == .good)

        // Counted are rows that changed: writing the same values again changes none.
        #expect(try store.update(certNums: ["0x1001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .keyCompromise) == 0)
        #expect(try store.update(certNums: ["0x1001"], status: .revoked, revocationTime: Self.revokedAt + 1, revocationReason: .keyCompromise) == 1)
        #expect(try store.update(certNums: ["0x1002"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: nil) == 1)
        #expect(try store.status(of: Self.serial("1002")) == .revoked(at: Self.revokedAt, reason: nil))

        #expect(try store.update(certNums: ["0x1001", "0x1002"], status: .valid, revocationTime: nil, revocationReason: nil) == 2)
        #expect(try store.status(of: Self.serial("1001")) == .good)
        let record = try #require(try store.records(for: Self.serial("1001")).first)
        #expect(record == Self.row("0x1001"))
        #expect(try store.update(certNums: [], status: .revoked, revocationTime: Self.revokedAt, revocationReason: nil) == 0)
    }

    /// A transaction is all or nothing: an error inside it (here a duplicate key, as a second `db add`
    /// of a serial meets) rolls back the writes before it; a body that returns commits them.
    @Test(arguments: StoreBackend.available)
    func aTransactionIsAllOrNothing(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.insert(Self.row("0x1001"))
        let failed = #expect(throws: StatusSourceError.self) {
            try store.inWriteTransaction {
                try store.update(certNums: ["0x1001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .superseded)
                try store.insert(Self.row("0x1002"))
                try store.insert(Self.row("0x1001"))
            }
        }
        #expect(failed?.message.contains("already in the table") == true, "\(failed?.message ?? "")")
        #expect(try store.records(for: Self.serial("1002")) == [])
        #expect(try store.status(of: Self.serial("1001")) == .good)

        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try store.inWriteTransaction {
                try store.insert(Self.row("0x1003"))
                throw Abandon()
            }
        }
        #expect(try store.records(for: Self.serial("1003")) == [])

        let count = try store.inWriteTransaction { () throws -> Int in
            try store.insert(Self.row("0x1004"))
            return try store.update(certNums: ["0x1001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: nil)
        }
        #expect(count == 1)
        #expect(try store.status(of: Self.serial("1004")) == .good)
        #expect(try store.status(of: Self.serial("1001")) == .revoked(at: Self.revokedAt, reason: nil))
    }

    /// Stores of two tables on one session share its transaction: an error at the second table rolls
    /// back the first's rows too, a commit shows both tables' rows together, and a transaction opened
    /// inside another is refused without ending the outer one.
    @Test(arguments: StoreBackend.available)
    func storesOfOneSessionShareATransaction(backend: StoreBackend) throws {
        let stores = try makeStores(backend, tables: 2)
        let (first, second) = (stores[0], stores[1])
        try second.insert(Self.row("0x2001"))
        let failed = #expect(throws: StatusSourceError.self) {
            try first.inWriteTransaction {
                try first.insert(Self.row("0x1001"))
                try second.update(certNums: ["0x2001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: nil)
                try second.insert(Self.row("0x2001"))
            }
        }
        #expect(failed?.message.contains("already in the table") == true, "\(failed?.message ?? "")")
        #expect(try first.records(for: Self.serial("1001")) == [])
        #expect(try second.status(of: Self.serial("2001")) == .good)

        let firstReader = try anotherConnection(to: first), secondReader = try anotherConnection(to: second)
        try second.inWriteTransaction {
            try first.insert(Self.row("0x1001"))
            let nested = #expect(throws: StatusSourceError.self) { try first.inWriteTransaction { try first.insert(Self.row("0x1002")) } }
            #expect(nested?.kind == .failed && nested?.message.contains("do not nest") == true, "\(nested?.message ?? "")")
            try second.update(certNums: ["0x2001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .superseded)
            // Nothing is committed yet: the refused inner transaction neither committed nor rolled back the outer one.
            #expect(try firstReader.status(of: Self.serial("1001")) == nil)
            #expect(try secondReader.status(of: Self.serial("2001")) == .good)
        }
        #expect(try firstReader.status(of: Self.serial("1001")) == .good)
        #expect(try firstReader.status(of: Self.serial("1002")) == nil)
        #expect(try secondReader.status(of: Self.serial("2001")) == .revoked(at: Self.revokedAt, reason: .superseded))
    }

    /// A store kept open between look-ups, as `serve` keeps its stores, answers each from the table as it
    /// is then: a row another connection changed or added is seen at the next `status(of:)`. No statement
    /// keeps a read snapshot open between calls, whether it ran to its end, read one row of several (a
    /// count), or was left half-read (a listing stopped early).
    @Test(arguments: StoreBackend.available)
    func aKeptStoreSeesAnotherConnectionsChanges(backend: StoreBackend) throws {
        struct Stop: Error {}
        let writer = try makeStore(backend)
        try writer.insert(Self.row("0x1001"))
        try writer.insert(Self.row("0x1003"))
        let kept = try anotherConnection(to: writer)
        #expect(try kept.status(of: Self.serial("1001")) == .good)
        #expect(try kept.status(of: Self.serial("1002")) == nil)

        try writer.update(certNums: ["0x1001"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .superseded)
        try writer.insert(Self.row("0x1002"))
        #expect(try kept.status(of: Self.serial("1001")) == .revoked(at: Self.revokedAt, reason: .superseded))
        #expect(try kept.status(of: Self.serial("1002")) == .good)

        #expect(throws: Stop.self) { try kept.forEachRecord(revokedOnly: false, withCertificates: false) { _ in throw Stop() } }
        #expect(try kept.recordCount(revokedOnly: false) == 3)
        try writer.inWriteTransaction {
            try writer.update(certNums: ["0x1001"], status: .valid, revocationTime: nil, revocationReason: nil)
            try writer.update(certNums: ["0x1003"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: .keyCompromise)
        }
        #expect(try kept.status(of: Self.serial("1001")) == .good)
        #expect(try kept.status(of: Self.serial("1003")) == .revoked(at: Self.revokedAt, reason: .keyCompromise))
    }

    /// Every row holding the serial, in any spelling, with its certificate; a revocation wins the status.
    @Test(arguments: StoreBackend.available)
    func recordsForASerial(backend: StoreBackend) throws {
        let certificate: [UInt8] = [0x30, 0x82, 0x00, 0x00, 0xFF, 0x00, 0x7F]
        let store = try makeStore(backend)
        try store.insert(Self.row("0x9a4e31c2d5b6a7f8", certificate: certificate))
        try store.insert(Self.row("0x009A4E31C2D5B6A7F8", "Revoked", time: Self.revokedAt, reason: "ca_compromise", certificate: []))
        try store.insert(Self.row("0x1001"))

        let records = try store.records(for: Self.topBit)
        #expect(records == [
            Self.row("0x009A4E31C2D5B6A7F8", "Revoked", time: Self.revokedAt, reason: "ca_compromise", certificate: []),
            Self.row("0x9a4e31c2d5b6a7f8", certificate: certificate),
        ])
        #expect(try store.status(of: Self.topBit) == .revoked(at: Self.revokedAt, reason: .caCompromise))
        #expect(try store.records(for: Self.serial("7777")) == [])
    }

    @Test(arguments: StoreBackend.available)
    func forEachRecordInOrder(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let rows = [
            Self.row("0x1003", certificate: [3]),
            Self.row("0x1001", "Revoked", time: Self.revokedAt, reason: "superseded", certificate: [1]),
            Self.row("0x0f", certificate: [0x0F]),
            Self.row("0x1002", "Revoked", certificate: [2]),
        ]
        for row in rows { try store.insert(row) }

        func listed(revokedOnly: Bool, withCertificates: Bool) throws -> [StatusRecord] {
            var seen: [StatusRecord] = []
            try store.forEachRecord(revokedOnly: revokedOnly, withCertificates: withCertificates) { seen.append($0) }
            return seen
        }
        let all = try listed(revokedOnly: false, withCertificates: true)
        #expect(all == [rows[2], rows[1], rows[3], rows[0]])
        let withoutCertificates = try listed(revokedOnly: false, withCertificates: false)
        #expect(withoutCertificates.map(\.certNum) == ["0x0f", "0x1001", "0x1002", "0x1003"])
        #expect(withoutCertificates.allSatisfy { $0.certificate.isEmpty })
        #expect(withoutCertificates[1].revocationTime == Self.revokedAt && withoutCertificates[1].revocationReason == .known(.superseded))
        #expect(try listed(revokedOnly: true, withCertificates: true) == [rows[1], rows[3]])
        #expect(try listed(revokedOnly: true, withCertificates: false).map(\.certNum) == ["0x1001", "0x1002"])
    }

    /// The body may use the store, and an error from it ends the walk and leaves the store usable.
    @Test(arguments: StoreBackend.available)
    func forEachRecordBodyMayUseTheStoreAndStop(backend: StoreBackend) throws {
        struct Stop: Error {}
        let store = try makeStore(backend)
        for certNum in ["0x1001", "0x1002", "0x1003"] { try store.insert(Self.row(certNum)) }

        var statuses: [RecordedStatus?] = []
        var inner: [String] = []
        try store.forEachRecord(revokedOnly: false, withCertificates: false) { record in
            statuses.append(try store.status(of: Self.serial(record.certNum)))
            try store.forEachRecord(revokedOnly: false, withCertificates: false) { inner.append($0.certNum) }
        }
        #expect(statuses == [.good, .good, .good])
        #expect(inner.count == 9)

        var visited = 0
        #expect(throws: Stop.self) {
            try store.forEachRecord(revokedOnly: false, withCertificates: true) { _ in
                visited += 1
                if visited == 2 { throw Stop() }
            }
        }
        #expect(visited == 2)
        #expect(try store.update(certNums: ["0x1003"], status: .revoked, revocationTime: Self.revokedAt, revocationReason: nil) == 1)
        var count = 0
        try store.forEachRecord(revokedOnly: false, withCertificates: true) { _ in count += 1 }
        #expect(count == 3)
    }

    /// The store as the responder's status source: a response built from it, verified by openssl and
    /// Python cryptography.
    @Test(arguments: StoreBackend.available)
    func responderAnswersFromTheStore(backend: StoreBackend) throws {
        let store = try makeStore(backend)
        try store.insert(Self.row("0x1001"))
        try store.insert(Self.row("0x1002", "Revoked", time: Self.revokedAt, reason: "superseded"))
        try store.insert(Self.row("0x009A4E31C2D5B6A7F8", "Revoked", time: Self.revokedAt, reason: "key_compromise"))

        let pki = TestPKI.shared
        func pem(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: pki.path(.p256, file)))) }
        let certificate = try Certificate.certificates(pem: try pem("ca.pem"))[0]
        let identity = IssuerIdentity(certificate, digester: OpenSSLDigester())
        let signer = try OpenSSLSigner(certificate: certificate, key: try PrivateKey(pem: try pem("ca.key"), passphrase: nil), includeCertificate: false)
        let responder = OCSPResponder(authorities: [Authority(issuer: identity, signer: signer, statusSource: store, validity: 3600)])

        let serials = [Self.serial("1001"), Self.serial("1002"), Self.topBit, Self.serial("7777")]
        let request = try OCSPRequest(tbsRequest: TBSRequest(requestList: serials.map { Request(certID: identity.certID(serial: $0, hash: .sha256)) })).derBytes()
        // Now: the test PKI is made for this run, and a signer outside its validity signs nothing (issue 15).
        let outcome = responder.respond(to: request, at: UnixTime(seconds: Int64(Date().timeIntervalSince1970)))
        #expect(outcome.status == .successful, "\(outcome.reason ?? "")")

        let json = try Peers.verifySuccessful(response: Data(outcome.der), issuer: pki.path(.p256, "ca.pem"), chain: pki.path(.p256, "chain.pem"))
        let singles = json.responses
        #expect(singles.map { $0.serialHex } == ["1001", "1002", "9a4e31c2d5b6a7f8", "7777"])
        #expect(singles.map { $0.certStatus } == ["GOOD", "REVOKED", "REVOKED", "UNKNOWN"])
        #expect(singles[1].revocationReason == "superseded")
        #expect(singles[1].revocationTime == "2025-12-31T23:59:59Z")
        #expect(singles[2].revocationReason == "key_compromise")
    }
}

extension StatusStoreConformanceTests {
    /// What only the SQLite file has: opening modes, WAL, and rows written by other tools.
    @Suite struct SQLiteFile {
        let directory: URL
        var path: String { directory.appendingPathComponent("status.db").path }

        init() throws {
            directory = try makeTemporaryDirectory("ocsp-sqlite")
        }

        func store(readOnly: Bool, busyTimeoutMilliseconds: Int32 = 2000) -> SQLiteStatusStore {
            SQLiteStatusStore(path: path, table: "list_certs", readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }

        /// Runs Python's sqlite3 module on the file, as another tool writing the table would.
        func python(_ script: String) throws {
            let result = try run("python3", ["-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\n" + script + "\ndb.commit()\n", path])
            guard result.status == 0 else { throw TestFailure("python3 sqlite3 failed: \(result.stderr)") }
        }

        @Test func readOnlyOnAMissingFileFails() throws {
            let reader = store(readOnly: true)
            let error = #expect(throws: StatusSourceError.self) { try reader.status(of: StatusStoreConformanceTests.serial("1001")) }
            #expect(error?.kind == .failed)
            #expect(error?.message.contains(path) == true, "\(error?.message ?? "")")
            #expect(!FileManager.default.fileExists(atPath: path), "a read-only store must not create the file")
        }

        @Test func aFileWithoutTheTableFails() throws {
            try python("db.execute('CREATE TABLE other (x)')")
            let error = #expect(throws: StatusSourceError.self) { try store(readOnly: true).status(of: StatusStoreConformanceTests.serial("1001")) }
            #expect(error?.kind == .failed)
            #expect(error?.message.contains("no such table") == true, "\(error?.message ?? "")")
            // A read-only store cannot make the table either.
            let create = #expect(throws: StatusSourceError.self) { try store(readOnly: true).createTable() }
            #expect(create?.kind == .failed)
        }

        @Test func createTableSwitchesTheFileToWAL() throws {
            try store(readOnly: false).createTable()
            // The header's read and write format versions (offsets 18 and 19) are 2 in WAL mode, 1 otherwise.
            let header = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(20))
            #expect(header.count == 20 && header[18] == 2 && header[19] == 2)
        }

        /// WAL: a reader sees the last commit while a writer holds its transaction, without waiting
        /// (busy timeout 0); a second writer waits its timeout and gets `.unavailable` (tryLater).
        @Test func readOnlyStoreReadsWhileAnotherConnectionWrites() throws {
            let writer = store(readOnly: false)
            try writer.createTable()
            try writer.insert(StatusStoreConformanceTests.row("0x1001"))
            let reader = store(readOnly: true, busyTimeoutMilliseconds: 0)
            let otherWriter = store(readOnly: false, busyTimeoutMilliseconds: 100)
            let revokedAt = StatusStoreConformanceTests.revokedAt

            try writer.inWriteTransaction {
                try writer.update(certNums: ["0x1001"], status: .revoked, revocationTime: revokedAt, revocationReason: nil)
                try writer.insert(StatusStoreConformanceTests.row("0x1002"))
                #expect(try reader.status(of: StatusStoreConformanceTests.serial("1001")) == .good)
                #expect(try reader.status(of: StatusStoreConformanceTests.serial("1002")) == nil)
                let busy = #expect(throws: StatusSourceError.self) { try otherWriter.insert(StatusStoreConformanceTests.row("0x1003")) }
                #expect(busy?.kind == .unavailable, "\(busy?.message ?? "")")
            }
            #expect(try reader.status(of: StatusStoreConformanceTests.serial("1001")) == .revoked(at: revokedAt, reason: nil))
            #expect(try reader.status(of: StatusStoreConformanceTests.serial("1002")) == .good)
            try otherWriter.insert(StatusStoreConformanceTests.row("0x1003"))
        }

        /// Rows another tool wrote into a table made without our CHECKs: `T…Z` times are read, and a value
        /// the enums do not hold is an internal error, not an answer.
        @Test func rowsWrittenByOtherTools() throws {
            try python("""
                db.execute("CREATE TABLE list_certs (cert_num TEXT PRIMARY KEY COLLATE NOCASE, revocation_time TEXT, revocation_reason TEXT, cert BLOB NOT NULL, status TEXT NOT NULL DEFAULT 'Valid')")
                rows = [('0x1001', '2026-01-02T03:04:05Z', 'key_compromise', 'Revoked'),
                        ('0x1002', None, None, 'Suspended'),
                        ('0x1003', '2026-01-02 03:04:05', 'lost_it', 'Revoked'),
                        ('0x1004', 'yesterday', None, 'Revoked'),
                        ('0x1005', '2026-01-02', None, 'revoked')]
                db.executemany("INSERT INTO list_certs (cert_num, revocation_time, revocation_reason, cert, status) VALUES (?, ?, ?, x'30', ?)", rows)
                """)
            let reader = store(readOnly: true)
            let serial = StatusStoreConformanceTests.serial
            #expect(try reader.status(of: serial("1001")) == .revoked(at: UnixTime(year: 2026, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5), reason: .keyCompromise))
            #expect(try reader.status(of: serial("1005")) == .revoked(at: UnixTime(year: 2026, month: 1, day: 2), reason: nil))
            for (hex, wanted) in [("1002", "unknown status 'Suspended'"), ("1003", "unknown revocation_reason 'lost_it'"), ("1004", "revocation_time 'yesterday'")] {
                let error = #expect(throws: StatusSourceError.self) { try reader.status(of: serial(hex)) }
                #expect(error?.kind == .failed)
                #expect(error?.message.contains(wanted) == true, "\(error?.message ?? "")")
            }
            // The listing keeps the row and its stored text, so that `db list` shows it and `resign`
            // counts it as failed and goes on (issue 15) rather than stopping the walk.
            var unreadable: [String: String] = [:]
            try reader.forEachRecord(revokedOnly: false, withCertificates: false) { unreadable[$0.certNum] = $0.unreadableRevocationTime }
            #expect(unreadable == ["0x1004": "yesterday"])
        }
    }
}
