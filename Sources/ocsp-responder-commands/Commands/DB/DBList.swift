import OCSPAdmin
import OCSPCore
import ArgumentParser

struct DBList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the table's rows, streaming, as a table, JSON or CSV.",
        discussion: """
            JSON is one array of objects with the keys cert_num, status, revocation_time (ISO 8601, UTC) \
            and revocation_reason; CSV has the same columns with a header line.

            Examples:
              ocsp-responder db list
              ocsp-responder db list --revoked --format csv > revoked.csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var options: AdminOptions

    @Flag(name: .long, help: "Only revoked certificates.")
    var revoked = false

    @Option(name: .long, help: "table (default), json or csv.")
    var format: Format = .table

    func run() throws {
        let admin = try options.admin()
        let ca = try admin.ca(named: options.ca)
        var count = 0
        if format == .table { print(Self.pad(["cert_num", "status", "revocation_time", "revocation_reason"])) }
        if format == .csv { print("cert_num,status,revocation_time,revocation_reason") }
        if format == .json { print("[", terminator: "") }
        do {
            try ca.store.forEachRecord(revokedOnly: revoked, withCertificates: false) { row in
                let fields = [row.certNum, row.status.text, row.revocationTimeText ?? "", row.revocationReason?.text ?? ""]
                switch format {
                case .table: print(Self.pad(fields))
                case .csv: print(fields.map(Self.csvField).joined(separator: ","))
                case .json: print((count == 0 ? "\n" : ",\n") + row.json.compactText, terminator: "")
                }
                count += 1
            }
        } catch let error as StatusSourceError {
            throw AdminError(storeError: error)
        }
        if format == .json { print(count == 0 ? "]" : "\n]") }
    }

    static func pad(_ fields: [String]) -> String {
        let widths = [22, 8, 21, 0]
        return zip(fields, widths).map { field, width in
            field + String(repeating: " ", count: max(0, width - field.count))
        }.joined(separator: " ").trimmingTrailingSpaces()
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingQuotes() + "\""
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }

    fileprivate func replacingQuotes() -> String {
        var out = ""
        for character in self {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out
    }
}
