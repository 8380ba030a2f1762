import OCSPClient
import OCSPWire
import ArgumentParser

struct DBAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add certificates as Valid, each to the table of the configured CA that issued it.",
        discussion: """
            Each file holds PEM certificates (one or several) or one DER certificate. The serial goes \
            into cert_num in OCSP_MySql's form (0x + lowercase hex), the certificate into cert. A \
            certificate that no configured CA issued, or whose serial is already in the table (in any \
            spelling), is refused with its name, and nothing from that file is added.

            Example:
              ocsp-responder db add issued/*.pem
            """
    )

    @OptionGroup var options: AdminOptions

    @Argument(help: ArgumentHelp("PEM or DER certificate files.", valueName: "cert"))
    var files: [String]

    @Flag(name: .long, help: "Print one JSON object per certificate added.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one certificate file") }
    }

    func run() throws {
        let admin = try options.admin()
        // With --json, one array of every row added, as `db list --format json` prints rows: written
        // also when a later file fails, so that what was committed is said.
        var rows: [JSONValue] = []
        defer { if json { print("[" + (rows.isEmpty ? "" : "\n" + rows.map(\.compactText).joined(separator: ",\n") + "\n") + "]") } }
        for file in files {
            let added = try admin.add(file: file)
            for entry in added {
                if json {
                    rows.append(.object([("cert_num", .string(entry.serial.canonicalSpelling)), ("ca", .string(entry.ca)),
                                         ("subject", .string(entry.subject)), ("status", .string("Valid"))]))
                } else {
                    print("added 0x\(entry.serial) (\(entry.subject)) to \(entry.ca)")
                }
            }
        }
    }
}
