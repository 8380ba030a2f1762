import Foundation
import Testing
import TestSupport

/// Issue 21: `db import --crl` on each backend. The CRLs are made by Python's `cryptography` (and one
/// converted to DER and checked by `openssl crl`), every status checked by a `respond` whose answer both
/// peers verify.
@Suite struct CRLImportTests {
    typealias Admin = AdminCommandTests.Admin

    /// Makes a CRL of the `kind` CA (peer-make.py crl) in the admin's directory; returns its path.
    func crl(_ admin: Admin, _ name: String, kind: TestPKI.Kind = .rsa, signer: String? = nil, _ extra: [String]) throws -> String {
        let path = admin.directory.appendingPathComponent(name).path
        let issuer = signer.map { admin.pki.path("\($0)/ca.pem") } ?? admin.pki.path(kind, "ca.pem")
        let key = signer.map { admin.pki.path("\($0)/ca.key") } ?? admin.pki.path(kind, "ca.key")
        try Peers.make(["crl", "--issuer", issuer, "--key", key, "--out", path] + extra)
        return path
    }

    func importCRL(_ admin: Admin, _ path: String, _ extra: [String] = []) throws -> ProcessResult {
        try admin.db(["import", "--crl", path] + extra)
    }

    /// A full CRL revokes (a hold too, and a serial the table lacks is added), a second import changes
    /// nothing, a delta's removeFromCRL lifts the hold, and a CRL never lifts a final revocation or a hold
    /// placed after it was issued.
    @Test(arguments: StoreBackendUnderTest.available)
    func fullAndDeltaCRLs(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        try admin.tableWithARevocation()
        let full = try crl(admin, "full.crl", ["--pem", "--number", "7", "--this-update", "2026-03-01T00:00:00Z",
                                               "--entry", "1001,2026-02-01T00:00:00Z,certificateHold",
                                               "--entry", "1002,2026-01-02T03:04:05Z,keyCompromise",
                                               "--entry", "2001,2026-02-02T00:00:00Z,superseded"])
        let imported = try importCRL(admin, full)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdoutText.contains("imported CRL 0x7 of 2026-03-01T00:00:00Z into \(admin.table): 1 added, 1 updated, 1 unchanged"),
                "\(imported.stdoutText)")
        let held = try admin.status("good.pem")
        #expect(held.certStatus == "REVOKED" && held.revocationReason == "certificate_hold", "\(held)")
        #expect(try admin.row("0x2001").revocationReason == "superseded")
        #expect(try admin.row("0x1002").revocationTime == "2026-01-02T03:04:05Z")

        let again = try importCRL(admin, full, ["--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try CommandReport.decode(CRLImportReport.self, from: again.stdout)
        #expect(summary.added == 0 && summary.updated == 0 && summary.unchanged == 3 && summary.crlNumber == "0x7"
                && summary.baseCrlNumber == nil && summary.thisUpdate == "2026-03-01T00:00:00Z", "\(summary)")

        // A delta of base 7: 0x1001's hold is lifted, 0x1002's keyCompromise is not (a conflict, exit 65).
        let delta = try crl(admin, "delta.crl", ["--number", "8", "--delta", "7", "--this-update", "2026-03-02T00:00:00Z",
                                                 "--entry", "1001,2026-03-02T00:00:00Z,removeFromCRL",
                                                 "--entry", "1002,2026-03-02T00:00:00Z,removeFromCRL"])
        let lifted = try importCRL(admin, delta)
        #expect(lifted.status == 65, "\(lifted.stderr)")
        #expect(lifted.stdoutText.contains("delta CRL (base 0x7) 0x8") && lifted.stdoutText.contains("1 holds lifted"), "\(lifted.stdoutText)")
        #expect(lifted.stderr.contains("conflict 0x1002") && lifted.stderr.contains("a final revocation is never lifted"), "\(lifted.stderr)")
        #expect(try admin.status("good.pem").certStatus == "GOOD")
        let kept = try admin.status("revoked.pem")
        #expect(kept.certStatus == "REVOKED" && kept.revocationReason == "key_compromise")

        // A hold placed after the delta was issued: the same delta imported again does not lift it.
        #expect(try admin.db(["revoke", "0x1001", "--reason", "certificateHold", "--at", "2026-04-01T00:00:00Z"]).status == 0)
        let older = try importCRL(admin, delta)
        #expect(older.stderr.contains("skipped 0x1001") && older.stderr.contains("an older CRL does not lift a newer hold"), "\(older.stderr)")
        #expect(try admin.status("good.pem").certStatus == "REVOKED")
    }

    /// The CA is found by the CRL's name and key without --ca (the p256 CA's table here); the DER form,
    /// which `openssl crl` verifies too, imports the same.
    @Test(arguments: StoreBackendUnderTest.available)
    func theIssuingCAIsFoundAndDERIsRead(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        #expect(try admin.db(["init"]).status == 0)
        #expect(try admin.db(["add", admin.pki.path(.p256, "good.pem")]).status == 0)
        let pem = try crl(admin, "p256.pem", kind: .p256, ["--pem", "--entry", "1001,2026-02-01T00:00:00Z,keyCompromise"])
        let der = admin.directory.appendingPathComponent("p256.der").path
        let converted = try run("openssl", ["crl", "-in", pem, "-outform", "DER", "-out", der, "-CAfile", admin.pki.path(.p256, "ca.pem")])
        #expect(converted.status == 0 && converted.stderr.contains("verify OK"), "\(converted.stderr)")
        let imported = try importCRL(admin, der)
        #expect(imported.status == 0 && imported.stdoutText.contains("into \(admin.p256Table): 0 added, 1 updated"), "\(imported.stdoutText)\(imported.stderr)")
        let single = try admin.status("good.pem", .p256)
        #expect(single.certStatus == "REVOKED" && single.revocationReason == "key_compromise")
    }

    /// What is refused whole, the table left as it was: another CA's CRL (by --ca or by nobody), a critical
    /// extension no reader knows, a partition, bytes that are no CRL, and the options that belong to --index.
    @Test(arguments: StoreBackendUnderTest.available)
    func refusalsChangeNothing(backend: StoreBackendUnderTest) throws {
        let admin = try Admin(backend)
        try admin.tableWithARevocation()
        let entry = ["--entry", "1001,2026-02-01T00:00:00Z,keyCompromise"]
        let cases: [(String, [String], String)] = [
            (try crl(admin, "p256.crl", kind: .p256, entry), ["--ca", "ocsp"], "is not issued by CA ocsp"),
            (try crl(admin, "foreign.crl", signer: "foreign", entry), [], "is not issued by a configured CA"),
            (try crl(admin, "critical.crl", entry + ["--critical-unknown"]), [], "critical extension 1.3.6.1.4.1.55555.1"),
            (try crl(admin, "idp.crl", entry + ["--idp"]), [], "issuingDistributionPoint"),
            (admin.pki.path(.rsa, "good.pem"), [], "is not a CRL"),
        ]
        for (path, extra, message) in cases {
            let refused = try importCRL(admin, path, extra)
            #expect(refused.status == 65 && refused.stderr.contains(message), "\(path): \(refused.status) \(refused.stderr)")
        }
        #expect(try admin.status("good.pem").certStatus == "GOOD")
        #expect(try admin.certNums().sorted() == ["0x1001", "0x1002"])
        let mixed = try admin.db(["import", "--crl", cases[2].0, "--certs", admin.directory.path])
        #expect(mixed.status == 64 && mixed.stderr.contains("--certs and --allow-unrevoke go with --index"), "\(mixed.stderr)")
        let neither = try admin.db(["import"])
        #expect(neither.status == 64 && neither.stderr.contains("give one of --index"), "\(neither.stderr)")
    }
}

/// `db import --crl --json`'s line (snake_case keys, as the decoder converts them).
struct CRLImportReport: Decodable {
    var ca: String
    var table: String
    var crlNumber: String?
    var baseCrlNumber: String?
    var thisUpdate: String
    var nextUpdate: String?
    var added: Int
    var updated: Int
    var unchanged: Int
    var holdsLifted: Int
    var skipped: Int
    var conflicts: Int
}
