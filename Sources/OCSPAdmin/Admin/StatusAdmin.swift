import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire
import Logging

/// The status table's administration (`ocsp-responder db …`), on whichever backend the config names.
///
/// Every change to a certificate's status removes its kept responses from the cache, so the next request
/// sees it at once rather than at the kept response's nextUpdate.
package struct StatusAdmin {
    /// One CA of the config: its name, its table, and the certificate that signs what it may hold.
    package struct CA {
        package let name: String
        package let table: String
        package let issuerPath: String
        package let issuer: Certificate
        /// The issuer's public key, decoded once to check every certificate of a file against it.
        package let issuerKey: PublicKey?
        package let store: any StatusStore
    }

    package let config: ResponderConfiguration
    package let cas: [CA]
    /// The one connection every CA's store runs on, so that a command's changes to several CAs' tables
    /// are one transaction (`add` of a file holding certificates of several CAs).
    private let session: any StatusStoreSession
    private let cache: FileResponseCache?
    /// The responders' revalidation window, for the warning when the cache cannot be cleaned.
    private let revalidation: Revalidation
    private let logger: Logger
    private let warn: (String) -> Void
    /// Set once a cache file could not be removed, so that a run warns once, not once per serial.
    private let cacheWarned = CacheWarned()

    /// Opens every CA's table for writing, all on one connection. Certificates are loaded now; the
    /// database on first use.
    /// - Parameter warn: also tells the operator a warning the log gets (the command passes stderr when
    ///   the log is a file, so that a warning that matters now is not seen only later in the log).
    package init(config: ResponderConfiguration, logger: Logger, warn: @escaping (String) -> Void = { _ in }) throws(AdminError) {
        self.config = config
        self.logger = logger
        self.warn = warn
        let session = StoreOpener.openSession(config.adminDatabase, access: .readWrite)
        var cas: [CA] = []
        for signing in config.authorities {
            let issuerPath = signing.issuerPath ?? signing.certificatePath
            let issuer: Certificate
            do {
                issuer = try SigningFiles.certificate(path: issuerPath)
            } catch {
                throw AdminError(.config, "\(config.path): [\(signing.section)]: \(error.inputReason)")
            }
            let identity = IssuerIdentity(issuer, digester: OpenSSLDigester())
            for other in cas where other.table == signing.table
                && !identity.isSameCA(as: IssuerIdentity(other.issuer, digester: OpenSSLDigester())) {
                throw AdminError(.config, "\(config.error(signing.section, "table", "[\(signing.section)] shares table \(signing.table) with CA \(other.name), a different CA; serials are unique only within a CA, so give each CA its own table (table = ...)"))")
            }
            cas.append(CA(name: signing.name, table: signing.table, issuerPath: issuerPath, issuer: issuer,
                          issuerKey: try? PublicKey(subjectPublicKeyInfoDER: issuer.subjectPublicKeyInfoDER),
                          store: session.store(table: signing.table)))
        }
        self.cas = cas
        self.session = session
        cache = config.run.cachePath.map { FileResponseCache(directory: $0, digester: OpenSSLDigester(), logger: logger) }
        revalidation = config.run.revalidation
    }

    /// The CA named `name` (`ocsp` for `[ocsp]`, else an `[issuer NAME]` section's NAME).
    package func ca(named name: String?) throws(AdminError) -> CA {
        guard let name else { return cas[0] }
        guard let match = cas.first(where: { $0.name == name }) else {
            throw AdminError(.usage, "no CA named '\(name)' in \(config.path); the names are \(cas.map(\.name).joined(separator: ", "))")
        }
        return match
    }

    // MARK: init

    /// Creates each distinct table; returns the tables, in config order.
    package func createTables() throws(AdminError) -> [String] {
        var done: [String] = []
        for ca in cas where !done.contains(ca.table) {
            try storeCall { () throws(StatusSourceError) in try ca.store.createTable() }
            done.append(ca.table)
        }
        return done
    }

    // MARK: add

    package struct Added: Sendable {
        package var serial: CertificateSerialNumber
        package var ca: String
        package var subject: String
    }

    /// Inserts the certificates of a PEM (or DER) file as `Valid`, each into the table of the CA that
    /// issued it; refuses, naming it, a certificate no configured CA issued and one already in the table.
    /// Nothing is written unless every certificate in the file can be: the whole file, whatever CAs
    /// issued it, is one transaction.
    package func add(file path: String) throws(AdminError) -> [Added] {
        let certificates = try readCertificates(path)
        var plans: [(ca: CA, serial: CertificateSerialNumber, pem: [UInt8], subject: String)] = []
        for certificate in certificates {
            let serial = certificate.serialNumber
            let pem = Array(PEM.encode(certificate.der, label: "CERTIFICATE").utf8)
            guard let ca = cas.first(where: { certificate.isIssued(by: $0.issuer, key: $0.issuerKey) }) else {
                throw AdminError(.data, "\(path): \(certificate.subject) (serial 0x\(serial)) is not issued by any configured CA (\(cas.map(\.issuerPath).joined(separator: ", ")))")
            }
            if plans.contains(where: { $0.serial == serial && $0.ca.table == ca.table }) {
                throw AdminError(.data, "\(path): serial 0x\(serial) appears twice in the file")
            }
            plans.append((ca, serial, pem, certificate.subject))
        }
        // One transaction for the file across every CA's table (the stores share the session's
        // connection): a refusal or an error at any certificate rolls back the rows of all the others.
        // Rows already there are looked for inside it, where the look-up holds (FOR UPDATE on MariaDB, the
        // write lock on SQLite) until the commit, so a serial another command adds meanwhile is refused
        // rather than raced; a look-up before the transaction would prove nothing by the time of the write.
        try transaction { () throws(AdminError) in
            for plan in plans {
                try refuseExisting(plan.serial, plan.subject, in: plan.ca, file: path)
                try storeCall { () throws(StatusSourceError) in
                    try plan.ca.store.insert(StatusRecord(serial: plan.serial, status: .good, certificate: plan.pem))
                }
            }
        }
        for plan in plans { forget(plan.serial) }
        return plans.map { Added(serial: $0.serial, ca: $0.ca.name, subject: $0.subject) }
    }

    /// Refuses a serial `ca`'s table already holds, in any spelling, naming the row.
    private func refuseExisting(_ serial: CertificateSerialNumber, _ subject: String, in ca: CA, file path: String) throws(AdminError) {
        let existing = try storeCall { () throws(StatusSourceError) in try ca.store.records(for: serial) }
        if let row = existing.first {
            throw AdminError(.data, "\(path): serial 0x\(serial) (\(subject)) is already in table \(ca.table) as \(row.certNum), \(row.status)")
        }
    }

    // MARK: revoke, unrevoke

    /// Revokes `serial` in `ca`'s table (every spelling of it); returns the row as it now is.
    ///
    /// A serial already revoked keeps its first time and reason, as `openssl ca -revoke` does: the first
    /// revocation is what clients and CRLs saw, and a second run must not move it (nor, without
    /// `--reason`, erase the reason). The exception RFC 5280 §5.3.1 makes: a hold may become a
    /// revocation for another reason, which replaces reason and time. `force` replaces them anyway.
    package func revoke(_ serial: CertificateSerialNumber, in ca: CA, reason: CRLReason?, at time: UnixTime, force: Bool = false) throws(AdminError) -> StatusRecord {
        var tableReason: TableReason?
        if let reason {
            guard let known = TableReason(reason) else {
                throw AdminError(.usage, "reason \(reason) cannot be stored in the table's revocation_reason")
            }
            tableReason = known
        }
        try transaction { () throws(AdminError) in
            let rows = try existingRows(serial, in: ca)
            let revoked = rows.filter(\.isRevoked)
            let leavingHold = tableReason != nil && tableReason != .certificateHold && revoked.allSatisfy(\.isOnHold)
            if let first = revoked.first, !force, !leavingHold {
                let hint = first.isOnHold ? "; a hold becomes a revocation with --reason REASON" : ""
                throw AdminError(.data, "0x\(serial) already revoked at \(first.revocationTimeText ?? "an unknown time") (reason \(first.revocationReason?.text ?? "none")); kept; --force replaces them\(hint)")
            }
            try storeCall { () throws(StatusSourceError) in
                try ca.store.update(certNums: rows.map(\.certNum), status: .revoked, revocationTime: time, revocationReason: tableReason)
            }
        }
        forget(serial)
        return try existingRows(serial, in: ca)[0]
    }

    /// Lifts a certificateHold (RFC 5280 §5.3.1: the only revocation that can be undone).
    package func unrevoke(_ serial: CertificateSerialNumber, in ca: CA) throws(AdminError) -> StatusRecord {
        try transaction { () throws(AdminError) in
            let rows = try existingRows(serial, in: ca)
            for row in rows where row.isRevoked && !row.isOnHold {
                throw AdminError(.data, "0x\(serial) is revoked for \(row.revocationReason?.text ?? "an unspecified reason"), not certificate_hold; RFC 5280 allows lifting only a hold")
            }
            guard rows.contains(where: \.isRevoked) else {
                throw AdminError(.data, "0x\(serial) is not revoked")
            }
            try storeCall { () throws(StatusSourceError) in
                try ca.store.update(certNums: rows.map(\.certNum), status: .valid, revocationTime: nil, revocationReason: nil)
            }
        }
        forget(serial)
        return try existingRows(serial, in: ca)[0]
    }

    /// The rows holding `serial`; an error naming the fix when there are none.
    package func existingRows(_ serial: CertificateSerialNumber, in ca: CA) throws(AdminError) -> [StatusRecord] {
        let rows = try storeCall { () throws(StatusSourceError) in try ca.store.records(for: serial) }
        guard !rows.isEmpty else {
            throw AdminError(.data, "serial 0x\(serial) is not in table \(ca.table); add its certificate first: ocsp-responder db add CERT.pem")
        }
        return rows
    }

    // MARK: import

    package struct ImportSummary: Sendable, Hashable {
        package var added = 0
        package var updated = 0
        package var unchanged = 0
        package var withoutCertificate = 0
        /// Rows the table has Revoked and the index Valid, left alone: one line each, for the operator.
        package var conflicts: [String] = []
        /// Rows Revoked in both with another time or reason, left alone (the first revocation is kept).
        package var rewriteConflicts: [String] = []
    }

    /// Imports an `openssl ca` database (`index.txt`): V and E lines as Valid, R lines as Revoked with their
    /// time and reason. A serial already in the table takes the index's status; running it again changes
    /// nothing. With `certificatesDirectory`, each row's `cert` is `DIR/SERIAL.pem` (openssl ca's
    /// new_certs_dir naming), checked to be issued by the CA; without, it is left empty.
    ///
    /// A row Revoked in the table and Valid in the index is a conflict, left alone unless
    /// `allowUnrevoke`: an older index must not undo a revocation made with `db revoke` (which `db
    /// unrevoke` would refuse). So is a row Revoked in both with another time or reason, unless
    /// `allowRewrite`: the first revocation is kept, as `db revoke` keeps it (a hold may still become a
    /// final revocation). Each row is checked and written in one transaction.
    package func importIndex(
        path: String, certificatesDirectory: String?, into ca: CA, allowUnrevoke: Bool = false, allowRewrite: Bool = false
    ) throws(AdminError) -> ImportSummary {
        let text: [UInt8]
        do {
            text = try FileIO.read(path: path, limit: 256 << 20)
        } catch {
            throw AdminError(.data, "cannot read the index: \(error.inputReason)")
        }
        let entries: [OpenSSLIndex.Entry]
        do {
            entries = try OpenSSLIndex.parse(String(decoding: text, as: UTF8.self))
        } catch {
            throw AdminError(.data, "\(path):\(error.line): \(error.message)")
        }
        var summary = ImportSummary()
        for entry in entries {
            var certificate: [UInt8] = []
            if let certificatesDirectory {
                certificate = try certificateFile(entry.serial, in: certificatesDirectory, ca: ca)
            }
            if certificate.isEmpty { summary.withoutCertificate += 1 }
            try apply(StatusRecord(serial: entry.serial, status: entry.status, certificate: certificate), serial: entry.serial,
                      in: ca, source: entry.status == .good ? "the index \(entry.indexStatus)" : "the index R", allowUnrevoke: allowUnrevoke, allowRewrite: allowRewrite, to: &summary)
        }
        return summary
    }

    /// Gives `wanted`'s serial `wanted`'s status in one transaction, unless that would undo a revocation
    /// (a conflict, unless `allowUnrevoke`) or replace a final revocation's time or reason (unless
    /// `allowRewrite`); a serial not in the table is inserted. `source` says where the status came from,
    /// for the conflict's line.
    private func apply(
        _ wanted: StatusRecord, serial: CertificateSerialNumber, in ca: CA, source: String, allowUnrevoke: Bool, allowRewrite: Bool, to summary: inout ImportSummary
    ) throws(AdminError) {
        let changed = try transaction { () throws(AdminError) -> Bool in
            let rows = try storeCall { () throws(StatusSourceError) in try ca.store.records(for: serial) }
            if rows.isEmpty {
                try storeCall { () throws(StatusSourceError) in try ca.store.insert(wanted) }
                summary.added += 1
                return true
            }
            if rows.allSatisfy({ $0.status == wanted.status && $0.revocationTime == wanted.revocationTime && $0.revocationReason == wanted.revocationReason }) {
                summary.unchanged += 1
                return false
            }
            if !wanted.isRevoked, !allowUnrevoke, let revoked = rows.first(where: \.isRevoked) {
                summary.conflicts.append("0x\(serial): the table has \(revoked.status) at \(revoked.revocationTimeText ?? "an unknown time") (reason \(revoked.revocationReason?.text ?? "none")), \(source) (Valid); kept")
                return false
            }
            if wanted.isRevoked, !allowRewrite, let revoked = rows.first(where: { $0.isRevoked && !$0.isOnHold }) {
                summary.rewriteConflicts.append("0x\(serial): the table has \(revoked.status) at \(revoked.revocationTimeText ?? "an unknown time") (reason \(revoked.revocationReason?.text ?? "none")), \(source) at \(wanted.revocationTime?.iso8601 ?? "an unknown time") (reason \(wanted.revocationReason?.text ?? "none")); kept the first revocation")
                return false
            }
            try storeCall { () throws(StatusSourceError) in
                try ca.store.update(certNums: rows.map(\.certNum), status: wanted.isRevoked ? .revoked : .valid,
                                    revocationTime: wanted.revocationTime, revocationReason: wanted.revocationReason?.known)
            }
            summary.updated += 1
            return true
        }
        if changed { forget(serial) }
    }

    /// What `importCRL` did, beyond the rows: which CRL it was, and the entries it could not act on.
    package struct CRLImport: Sendable, Hashable {
        package var summary = ImportSummary()
        package var ca: String
        package var table: String
        package var crlNumber: String?
        /// The BaseCRLNumber of a delta CRL; nil for a full one.
        package var baseCRLNumber: String?
        package var thisUpdate: UnixTime
        package var nextUpdate: UnixTime?
        /// removeFromCRL entries that lifted a hold.
        package var holdsLifted = 0
        /// Entries left alone, one line each (a removeFromCRL of a serial not on hold, or on hold since
        /// after the CRL was issued).
        package var skipped: [String] = []
        /// Warnings that do not stop the import (a CRL past its nextUpdate still tells true revocations).
        package var warnings: [String] = []
    }

    /// Imports a CRL (RFC 5280 §5; DER or PEM, full or delta) issued by one of the configured CAs: each
    /// entry becomes Revoked with its revocationDate and reasonCode, checked and written as `importIndex`
    /// writes (a final revocation keeps its first time and reason unless `allowRewrite`; a hold may become
    /// final), so running it again changes nothing.
    ///
    /// Nothing is made Valid by a CRL's silence: a full CRL that omits a serial says nothing the table must
    /// act on (the table may hold revocations made with `db revoke` that no CRL has yet). The one way a CRL
    /// un-revokes is a delta CRL's removeFromCRL entry (§5.3.1), and only for a serial on certificate_hold
    /// since before the CRL's thisUpdate: an older delta cannot lift a hold placed after it was issued, and
    /// a final revocation is never lifted (a conflict, reported). The CRL is refused whole when its
    /// signature does not verify with the CA's key, when it has a critical extension this reader does not
    /// act on (§5.2), when it is partitioned (an issuingDistributionPoint: its entries would be applied, but
    /// it is not the CA's whole list, so it is refused to keep the rule simple to state), or when an entry
    /// names another issuer (an indirect CRL).
    ///
    /// - Parameter caName: the CA (`--ca NAME`); nil: the configured CA whose name and key issued it.
    package func importCRL(path: String, caName: String?, allowRewrite: Bool = false, now: UnixTime = RunClock.currentTime()) throws(AdminError) -> [CRLImport] {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path: path, limit: 256 << 20)
        } catch {
            throw AdminError(.data, "cannot read the CRL: \(error.inputReason)")
        }
        let lists: [CertificateList]
        do {
            lists = try CertificateList.lists(pemOrDER: bytes)
        } catch {
            throw AdminError(.data, "\(path) is not a CRL (DER, or PEM with -----BEGIN X509 CRL-----): \(error.inputReason)")
        }
        guard !lists.isEmpty else { throw AdminError(.data, "\(path) holds no -----BEGIN X509 CRL----- block") }
        // Every CRL of the file is checked before any is applied, so a bad one leaves the table as it was.
        var checked: [(CertificateList, CA)] = []
        for (index, list) in lists.enumerated() {
            let which = lists.count == 1 ? path : "\(path) (CRL \(index + 1))"
            let ca = try crlIssuer(of: list, which: which, caName: caName)
            if let critical = list.unhandledCriticalExtension {
                throw AdminError(.data, "\(which) has a critical extension \(critical) this reader does not act on (RFC 5280 §5.2); not imported")
            }
            if list.isPartitioned {
                throw AdminError(.data, "\(which) has an issuingDistributionPoint: it is a partition of the CA's revocations, not the whole list; import the CA's full CRL")
            }
            if list.entries.contains(where: \.namesAnotherIssuer) {
                throw AdminError(.data, "\(which) is an indirect CRL (an entry names another certificateIssuer); not supported")
            }
            for entry in list.entries {
                do {
                    _ = try entry.reason
                } catch {
                    throw AdminError(.data, "\(which): the reasonCode of serial 0x\(entry.serial) does not parse: \(error.inputReason)")
                }
            }
            checked.append((list, ca))
        }
        var imports: [CRLImport] = []
        for (list, ca) in checked {
            let base = try? list.baseCRLNumber
            var result = CRLImport(ca: ca.name, table: ca.table, crlNumber: (try? list.crlNumber)?.map { "0x\($0)" },
                                   baseCRLNumber: base.map { "0x\($0)" } ?? nil, thisUpdate: list.thisUpdate, nextUpdate: list.nextUpdate)
            if let nextUpdate = list.nextUpdate, nextUpdate < now {
                result.warnings.append("the CRL's nextUpdate \(nextUpdate.iso8601) has passed: the CA has issued a newer one; its revocations are imported, but look for the newer CRL")
            }
            if list.thisUpdate > now {
                result.warnings.append("the CRL's thisUpdate \(list.thisUpdate.iso8601) is in the future: check this host's clock")
            }
            let isDelta = base != nil
            for entry in list.entries {
                let reason = (try? entry.reason) ?? nil
                if reason == .removeFromCRL {
                    guard isDelta else {
                        result.skipped.append("0x\(entry.serial): removeFromCRL in a full CRL (RFC 5280 allows it only in a delta CRL); left alone")
                        continue
                    }
                    try liftHold(entry.serial, in: ca, crlIssued: list.thisUpdate, to: &result)
                    continue
                }
                let wanted = StatusRecord(serial: entry.serial, status: .revoked(at: entry.revocationDate, reason: reason), certificate: [])
                let before = result.summary.added
                try apply(wanted, serial: entry.serial, in: ca, source: "the CRL", allowUnrevoke: false, allowRewrite: allowRewrite, to: &result.summary)
                if result.summary.added > before { result.summary.withoutCertificate += 1 }
            }
            imports.append(result)
        }
        return imports
    }

    /// The CA of the config that issued `list`: `caName`'s, or the one whose name and key fit.
    private func crlIssuer(of list: CertificateList, which: String, caName: String?) throws(AdminError) -> CA {
        if caName != nil {
            let ca = try ca(named: caName)
            if let problem = list.issuanceProblem(by: ca.issuer, key: ca.issuerKey) {
                throw AdminError(.data, "\(which) is not issued by CA \(ca.name) (\(ca.issuerPath)): \(problem); not imported")
            }
            return ca
        }
        var problems: [String] = []
        for ca in cas {
            guard let problem = list.issuanceProblem(by: ca.issuer, key: ca.issuerKey) else { return ca }
            problems.append("\(ca.name): \(problem)")
        }
        throw AdminError(.data, "\(which) (issuer \(list.issuer)) is not issued by a configured CA (\(problems.joined(separator: "; "))); not imported")
    }

    /// A delta CRL's removeFromCRL: the serial's certificate_hold is lifted when it was placed before the
    /// CRL was issued; anything else is left alone and said.
    private func liftHold(_ serial: CertificateSerialNumber, in ca: CA, crlIssued: UnixTime, to result: inout CRLImport) throws(AdminError) {
        let outcome = try transaction { () throws(AdminError) -> String? in
            let rows = try storeCall { () throws(StatusSourceError) in try ca.store.records(for: serial) }
            guard !rows.isEmpty, rows.contains(where: \.isRevoked) else {
                result.summary.unchanged += 1
                return nil
            }
            if let final = rows.first(where: { $0.isRevoked && !$0.isOnHold }) {
                result.summary.conflicts.append("0x\(serial): the table has \(final.status) at \(final.revocationTimeText ?? "an unknown time") (reason \(final.revocationReason?.text ?? "none")), the delta CRL removeFromCRL; a final revocation is never lifted; kept")
                return nil
            }
            let placed = rows.compactMap(\.revocationTime).max()
            guard let placed, placed <= crlIssued else {
                return "0x\(serial): on certificate_hold since \(placed?.iso8601 ?? "an unknown time"), after the CRL's thisUpdate \(crlIssued.iso8601); an older CRL does not lift a newer hold; kept"
            }
            try storeCall { () throws(StatusSourceError) in
                try ca.store.update(certNums: rows.map(\.certNum), status: .valid, revocationTime: nil, revocationReason: nil)
            }
            result.holdsLifted += 1
            result.summary.updated += 1
            return ""
        }
        switch outcome {
        case nil: break
        case ""?: forget(serial)
        case let line?: result.skipped.append(line)
        }
    }

    private func certificateFile(_ serial: CertificateSerialNumber, in directory: String, ca: CA) throws(AdminError) -> [UInt8] {
        let hex = Hex.encode(serial.magnitude).uppercased()
        for name in [hex, serial.minimalHex.uppercased(), Hex.encode(serial.magnitude), serial.minimalHex] {
            let path = "\(directory)/\(name).pem"
            guard let bytes = try? FileIO.read(path: path, limit: 1 << 20) else { continue }
            do {
                let certificate = try Certificate.certificates(pem: bytes)[0]
                guard certificate.serialNumber == serial, certificate.isIssued(by: ca.issuer, key: ca.issuerKey) else {
                    throw AdminError(.data, "\(path) is not serial 0x\(serial) issued by \(ca.issuerPath)")
                }
                return Array(PEM.encode(certificate.der, label: "CERTIFICATE").utf8)
            } catch let error as AdminError {
                throw error
            } catch {
                throw AdminError(.data, "\(path): \(error.inputReason)")
            }
        }
        return []
    }

    // MARK: helpers

    /// Removes the cache's responses about `serial`. A cache that cannot be cleaned does not undo the
    /// table's change, which is done; but until its files go, `respond` answers from them, so the
    /// operator is told (once a run), in the log and through `warn`.
    private func forget(_ serial: CertificateSerialNumber) {
        guard let cache else { return }
        do {
            try cache.removeResponses(for: serial)
        } catch {
            guard !cacheWarned.value else { return }
            cacheWarned.value = true
            let message = "the table is changed, but cached responses cannot be removed from the cache directory \(cache.directory) (\(error.inputReason)); responders revalidate kept answers against the table, so they answer the new status within [ocsp] revalidate = \(revalidation.interval) s"
            logger.warning("\(message)")
            warn(message)
        }
    }

    /// Runs `body` in one write transaction of the session, which covers every CA's table, with the
    /// store's errors as admin errors.
    @discardableResult
    private func transaction<T>(_ body: () throws(AdminError) -> T) throws(AdminError) -> T {
        do {
            return try session.inWriteTransaction { () throws -> T in try body() }
        } catch let error as AdminError {
            throw error
        } catch let error as StatusSourceError {
            throw AdminError(storeError: error)
        } catch {
            throw AdminError(.store, "\(error.inputReason)")
        }
    }

    private func readCertificates(_ path: String) throws(AdminError) -> [Certificate] {
        do {
            let bytes = try FileIO.read(path: path, limit: 16 << 20)
            if bytes.first == 0x30 { return [try Certificate(der: bytes)] }
            return try Certificate.certificates(pem: bytes)
        } catch {
            throw AdminError(.data, "cannot read a certificate from \(path): \(error.inputReason)")
        }
    }

    @discardableResult
    private func storeCall<T>(_ body: () throws(StatusSourceError) -> T) throws(AdminError) -> T {
        do {
            return try body()
        } catch {
            throw AdminError(storeError: error)
        }
    }
}

/// Whether this run has warned about the cache: a box, because `StatusAdmin` is a value used through `let`.
private final class CacheWarned {
    var value = false
}

/// An admin command's failure: what to print, and the exit status it maps to.
package struct AdminError: CommandError, Sendable {
    package enum Kind: Sendable {
        /// 64: the command line names something that is not there.
        case usage
        /// 65: the input (a certificate, an index line, a serial's state) does not allow the change.
        case data
        /// 69: the database cannot be reached now.
        case unavailable
        /// 70: the database answered wrongly.
        case store
        /// 78: the config file or its certificates.
        case config
    }

    package var kind: Kind
    package var description: String

    package init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// A store's failure: "try again" (69) when the database cannot answer now, else a database error (70).
    package init(storeError error: StatusSourceError) {
        self.init(error.kind == .unavailable ? .unavailable : .store, error.message)
    }

    package var exitStatus: Int32 {
        switch kind {
        case .usage: ExitStatus.usage
        case .data: ExitStatus.dataError
        case .unavailable: ExitStatus.unavailable
        case .store: ExitStatus.software
        case .config: ExitStatus.config
        }
    }
}
