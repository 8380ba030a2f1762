import OCSPAdmin
import OCSPClient
import OCSPRuntime
import ArgumentParser

struct DBImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an `openssl ca` database (index.txt), for users of `openssl ocsp -index`.",
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

            Example:
              ocsp-responder db import --index /etc/ssl/ca/index.txt --certs /etc/ssl/ca/newcerts
            """
    )

    @OptionGroup var options: AdminOptions

    @Option(name: .long, help: ArgumentHelp("The openssl ca index file.", valueName: "file"))
    var index: String

    @Option(name: .long, help: ArgumentHelp("openssl ca's new_certs_dir, holding SERIAL.pem files.", valueName: "dir"))
    var certs: String?

    @Flag(name: .long, help: "Make rows Valid that the table has Revoked and the index valid.")
    var allowUnrevoke = false

    @Flag(name: .long, help: "Replace the revocation time and reason of rows the table has Revoked with the index's.")
    var allowRewrite = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let admin = try options.admin()
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
}
