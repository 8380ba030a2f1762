import OCSPAdmin
import OCSPClient
import OCSPRuntime
import ArgumentParser

struct DBImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an `openssl ca` database (index.txt), or a CRL, for users of `openssl ocsp -index` and CAs that publish only CRLs.",
        discussion: """
            V and E lines become Valid, R lines Revoked with their time and reason. A serial already in \
            the table takes the index's status, so running it again changes nothing. With --certs DIR, \
            each row's certificate is read from DIR/SERIAL.pem (openssl ca's new_certs_dir) and must be \
            issued by the CA; without it the cert column is left empty.

            A serial Revoked in the table but valid in the index is never made Valid: it is reported \
            on stderr (the table's time and reason, the index's line), left alone, and the exit status \
            is 65; the other rows still apply. --allow-unrevoke takes the index's word for them. \
            Likewise a serial Revoked in both with another time or reason keeps the table's (the first \
            revocation, as db revoke keeps it; a certificate_hold may still become a final revocation) \
            unless --allow-rewrite.

            --crl FILE imports a CRL (DER or PEM, full or delta; several PEM blocks are each imported) \
            that a configured CA issued (its signature is checked; --ca NAME names the CA, else the one \
            whose name and key issued it): each entry becomes Revoked with its revocationDate and \
            reasonCode, as index R lines do. A CRL never makes a serial Valid by leaving it out; only a \
            delta CRL's removeFromCRL lifts a certificate_hold, and only one placed before the CRL's \
            thisUpdate. A CRL with an unknown critical extension, an issuingDistributionPoint or indirect \
            entries is refused whole.

            Examples:
              ocsp-responder db import --index /etc/ssl/ca/index.txt --certs /etc/ssl/ca/newcerts
              ocsp-responder db import --crl /var/lib/ca/ca.crl
            """
    )

    @OptionGroup var options: AdminOptions

    @Option(name: .long, help: ArgumentHelp("The openssl ca index file.", valueName: "file"))
    var index: String?

    @Option(name: .long, help: ArgumentHelp("A CRL (DER or PEM, full or delta) issued by a configured CA.", valueName: "file"))
    var crl: String?

    @Option(name: .long, help: ArgumentHelp("openssl ca's new_certs_dir, holding SERIAL.pem files.", valueName: "dir"))
    var certs: String?

    @Flag(name: .long, help: "Make rows Valid that the table has Revoked and the index valid.")
    var allowUnrevoke = false

    @Flag(name: .long, help: "Replace the revocation time and reason of rows the table has Revoked with the index's.")
    var allowRewrite = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard (index == nil) != (crl == nil) else {
            throw ValidationError("give one of --index FILE (an openssl ca database) and --crl FILE (a CRL)")
        }
        if crl != nil, certs != nil || allowUnrevoke {
            throw ValidationError("--certs and --allow-unrevoke go with --index; a CRL carries no certificates and never makes a serial Valid")
        }
    }

    func run() throws {
        let admin = try options.admin()
        guard let index else { return try importCRL(admin, path: crl ?? "") }
        let ca = try admin.ca(named: options.ca)
        let summary = try admin.importIndex(path: index, certificatesDirectory: certs, into: ca, allowUnrevoke: allowUnrevoke, allowRewrite: allowRewrite)
        let conflicts = summary.conflicts.count + summary.rewriteConflicts.count
        if json {
            print(JSONValue.object([
                ("added", .int((summary.added))), ("updated", .int((summary.updated))),
                ("unchanged", .int((summary.unchanged))), ("without_certificate", .int((summary.withoutCertificate))),
                ("conflicts", .int(summary.conflicts.count + summary.rewriteConflicts.count)),
            ]).compactText)
        } else {
            print("imported into \(ca.table): \(summary.added) added, \(summary.updated) updated, \(summary.unchanged) unchanged"
                  + (conflicts == 0 ? "" : ", \(conflicts) conflicts kept")
                  + (summary.withoutCertificate > 0 ? "; \(summary.withoutCertificate) without a certificate" : ""))
        }
        for conflict in summary.conflicts + summary.rewriteConflicts { Console.printError("conflict \(conflict)") }
        var refusals: [String] = []
        if !summary.conflicts.isEmpty {
            refusals.append("\(summary.conflicts.count) serial(s) Revoked in table \(ca.table) and valid in \(index) were kept Revoked; --allow-unrevoke makes them Valid")
        }
        if !summary.rewriteConflicts.isEmpty {
            refusals.append("\(summary.rewriteConflicts.count) serial(s) revoked in both with another time or reason kept the table's; --allow-rewrite takes the index's")
        }
        if !refusals.isEmpty { throw AdminError(.data, refusals.joined(separator: "; ")) }
    }

    private func importCRL(_ admin: StatusAdmin, path: String) throws {
        let imports = try admin.importCRL(path: path, caName: options.ca, allowRewrite: allowRewrite)
        var conflicts = 0
        for result in imports {
            let summary = result.summary
            let kind = result.baseCRLNumber.map { "delta CRL (base \($0))" } ?? "CRL"
            if json {
                print(JSONValue.object([
                    ("ca", .string(result.ca)), ("table", .string(result.table)),
                    ("crl_number", result.crlNumber.map(JSONValue.string) ?? .null),
                    ("base_crl_number", result.baseCRLNumber.map(JSONValue.string) ?? .null),
                    ("this_update", .string(result.thisUpdate.iso8601)),
                    ("next_update", result.nextUpdate.map { .string($0.iso8601) } ?? .null),
                    ("added", .int(summary.added)), ("updated", .int(summary.updated)),
                    ("unchanged", .int(summary.unchanged)), ("holds_lifted", .int(result.holdsLifted)),
                    ("skipped", .int(result.skipped.count)),
                    ("conflicts", .int(summary.conflicts.count + summary.rewriteConflicts.count)),
                ]).compactText)
            } else {
                print("imported \(kind) \(result.crlNumber ?? "without a cRLNumber") of \(result.thisUpdate.iso8601) into \(result.table): "
                      + "\(summary.added) added, \(summary.updated) updated, \(summary.unchanged) unchanged"
                      + (result.holdsLifted > 0 ? ", \(result.holdsLifted) holds lifted" : "")
                      + (summary.conflicts.count + summary.rewriteConflicts.count > 0 ? ", \(summary.conflicts.count + summary.rewriteConflicts.count) conflicts kept" : ""))
            }
            for warning in result.warnings { Console.printError("warning: \(warning)") }
            for line in result.skipped { Console.printError("skipped \(line)") }
            for conflict in summary.conflicts + summary.rewriteConflicts { Console.printError("conflict \(conflict)") }
            conflicts += summary.conflicts.count + summary.rewriteConflicts.count
        }
        if conflicts > 0 {
            throw AdminError(.data, "\(conflicts) serial(s) kept the table's revocation (a final revocation is never lifted, and keeps its first time and reason unless --allow-rewrite)")
        }
    }
}
