import OCSPCore
import OCSPService

/// One line per HTTP request, in the combined log format web servers write, followed by what the
/// responder decided:
///
/// `127.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "POST / HTTP/1.1" 200 1517 "-" "curl/7.88.1" ocsp=successful cache=miss certs=0x1001:good:database ms=3.1`
///
/// The request itself is never logged: a GET's target is written as `/<ocsp-request>`.
package final class AccessLog: Sendable {
    private let destination: LogDestination

    package init(destination: LogDestination) {
        self.destination = destination
    }

    func record(
        client: String, method: String, target: String, version: String, status: Int, bytes: Int,
        referer: String?, userAgent: String?, detail: String
    ) {
        let time = HTTPDate.commonLog(RespondRun.currentTime())
        var line = "\(client) - - [\(time)] \"\(method) \(Self.clean(target)) \(version)\" \(status) \(bytes)"
        line += " \"\(Self.clean(referer ?? "-"))\" \"\(Self.clean(userAgent ?? "-"))\""
        if !detail.isEmpty { line += " " + detail }
        destination.write(line + "\n")
    }

    /// What a client sent, made safe for one log line: no quotes, no control characters, bounded length.
    static func clean(_ text: String) -> String {
        let safe = text.unicodeScalars.prefix(200).map { scalar -> Character in
            scalar == "\"" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : Character(scalar)
        }
        return String(safe)
    }
}
