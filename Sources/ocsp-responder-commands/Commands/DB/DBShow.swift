import OCSPClient
import OCSPWire
import ArgumentParser

struct DBShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a serial's row(s): status, revocation time and reason, and its certificate.",
        discussion: """
            Example:
              ocsp-responder db show 0x1a2b --json
            """
    )

    @OptionGroup var options: AdminOptions

    @Argument(help: ArgumentHelp("The serial in hex (0x optional).", valueName: "serial"))
    var serial: CertificateSerialNumber

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let admin = try options.admin()
        let target = serial
        let ca = try admin.ca(named: options.ca)
        let rows = try admin.existingRows(target, in: ca)
        for row in rows {
            let certificate = Self.describe(row.certificate)
            if json {
                guard case .object(var members) = row.json else { continue }
                members.append(("table", .string(ca.table)))
                members.append(("subject", .string(certificate?.subject)))
                members.append(("not_after", .string(certificate?.notAfter)))
                print(JSONValue.object(members).compactText)
            } else {
                printRecord(row, json: false, verb: "serial 0x\(target) in \(ca.table) as")
                if let certificate {
                    print("  subject: \(certificate.subject)\n  not after: \(certificate.notAfter ?? "?")")
                } else {
                    print("  certificate: \(row.certificate.isEmpty ? "none stored" : "not readable")")
                }
            }
        }
    }

    /// The stored certificate's subject and end, when the `cert` column holds one.
    static func describe(_ bytes: [UInt8]) -> (subject: String, notAfter: String?)? {
        guard !bytes.isEmpty,
              let certificate = try? (bytes.first == 0x30 ? Certificate(der: bytes) : Certificate.certificates(pem: bytes).first)
        else { return nil }
        return (certificate.subject, certificate.notAfter.iso8601)
    }
}
