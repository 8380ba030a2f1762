import OCSPWire
import ArgumentParser

struct DBUnrevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unrevoke",
        abstract: "Lift a certificate_hold: the certificate is Valid again (RFC 5280 allows nothing else).",
        discussion: """
            Example:
              ocsp-responder db unrevoke 0x1a2b
            """
    )

    @OptionGroup var options: AdminOptions

    @Argument(help: ArgumentHelp("The serial in hex (0x optional).", valueName: "serial"))
    var serial: CertificateSerialNumber

    @Flag(name: .long, help: "Print the row as JSON.")
    var json = false

    func run() throws {
        let admin = try options.admin()
        let target = serial
        let ca = try admin.ca(named: options.ca)
        let row = try admin.unrevoke(target, in: ca)
        printRecord(row, json: json, verb: "unrevoked")
    }
}
