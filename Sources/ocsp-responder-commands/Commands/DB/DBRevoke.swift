import OCSPAdmin
import OCSPClient
import OCSPRuntime
import OCSPStore
import OCSPWire
import ArgumentParser

struct DBRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Mark a certificate Revoked, with a reason and a time (default: now).",
        discussion: """
            Reasons: unspecified, key_compromise, ca_compromise, affiliation_changed, superseded, \
            cessation_of_operation, certificate_hold, privilege_withdrawn, aa_compromise (RFC 5280's \
            camelCase names work too). certificate_hold can be lifted again with `db unrevoke`.

            A serial already revoked keeps its first time and reason (exit 65), as with `openssl ca \
            -revoke`; --force replaces them. A certificate_hold may become a revocation for another \
            reason without --force (RFC 5280): that replaces the reason and the time.

            Examples:
              ocsp-responder db revoke 0x1a2b --reason key_compromise
              ocsp-responder db revoke --cert leaf.pem --reason certificate_hold --at 2026-11-20T08:00:00Z
            """
    )

    @OptionGroup var options: AdminOptions

    @Argument(help: ArgumentHelp("The serial in hex (0x optional).", valueName: "serial"))
    var serial: CertificateSerialNumber?

    @Option(name: .long, help: ArgumentHelp("The certificate to revoke, instead of its serial.", valueName: "cert"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("The revocation reason (omitted: none recorded).", valueName: "reason"))
    var reason: CRLReason?

    @Option(name: .long, help: ArgumentHelp("When: 2026-01-02T03:04:05Z, '2026-01-02 03:04:05' (UTC), 2026-01-02 or now.", valueName: "time"))
    var at: TimeArgument?

    @Flag(name: .long, help: "Replace the time and reason of a serial already revoked.")
    var force = false

    @Flag(name: .long, help: "Print the row as JSON.")
    var json = false

    func validate() throws {
        guard (serial == nil) != (cert == nil) else { throw ValidationError("name the certificate by SERIAL or by --cert, not both") }
        if let reason, TableReason(reason) == nil {
            throw ValidationError("'\(reason)' is not a revocation reason the table can hold; see --help")
        }
    }

    func run() throws {
        let admin = try options.admin()
        let target = try serialNumber()
        let time = (at ?? .now).time
        let ca = try admin.ca(named: options.ca)
        let row = try admin.revoke(target, in: ca, reason: reason, at: time, force: force)
        printRecord(row, json: json, verb: "revoked")
    }

    private func serialNumber() throws -> CertificateSerialNumber {
        if let serial { return serial }
        do {
            return try SigningFiles.certificate(path: cert ?? "").serialNumber
        } catch {
            throw AdminError(.data, "\(error.inputReason)")
        }
    }
}

/// One row, as the admin commands print it: a line, or a JSON object.
func printRecord(_ row: StatusRecord, json: Bool, verb: String) {
    if json {
        print(row.json.compactText)
    } else {
        var line = "\(verb) \(row.certNum): \(row.status)"
        if let time = row.revocationTimeText { line += " at \(time)" }
        if let reason = row.revocationReason { line += " (\(reason.text))" }
        print(line)
    }
}

extension StatusRecord {
    /// The row as `--json` prints it; keys are stable.
    /// A time that is no date keeps `revocation_time` null (the key promises ISO 8601) and adds
    /// `revocation_time_unreadable` with the stored text.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("cert_num", .string(certNum)), ("status", .string(status.text)),
            ("revocation_time", .string(revocationTime?.iso8601)), ("revocation_reason", .string(revocationReason?.text)),
        ]
        if let unreadableRevocationTime { members.append(("revocation_time_unreadable", .string(unreadableRevocationTime))) }
        return .object(members)
    }
}
