import OCSPRuntime
import NIOConcurrencyHelpers

/// One line per HTTP request, in the combined log format web servers write, followed by what the
/// responder decided:
///
/// `127.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "POST / HTTP/1.1" 200 1517 "-" "curl/7.88.1" ocsp=successful cache=miss certs=0x1001:good:database ms=3.1`
///
/// The request itself is never logged: a GET's target is written as `/<ocsp-request>`.
///
/// Lines are gathered in memory and written in batches (a `write` per request was a large share of a
/// cached answer): when `batchBytes` have gathered, when `serve`'s timer calls `flush()` (every
/// `flushInterval`), and at shutdown. A killed server (SIGKILL) loses at most that interval's lines.
package final class AccessLog: Sendable {
    static let batchBytes = 32 * 1024
    static let flushInterval = 500  // milliseconds

    private struct Pending {
        var lines = ""
        /// The second `time` was formatted for: formatting it once a second, not once a request.
        var second = Int64.min
        var time = ""
    }

    private let destination: LogDestination
    private let pending = NIOLockedValueBox(Pending())

    package init(destination: LogDestination) {
        self.destination = destination
    }

    func record(
        client: String, method: String, target: String, version: String, status: Int, bytes: Int,
        referer: String?, userAgent: String?, detail: String
    ) {
        let request = "\(method) \(Self.clean(target)) \(version)"
        append(client: client, request: request, status: status, bytes: bytes, referer: referer, userAgent: userAgent, detail: detail)
    }

    /// The line of a request that did not parse, answered by NIOHTTP1's error handler (400, no body):
    /// `127.0.0.1 - - [time] "-" 400 0 "-" "-" reason="…"`, as web servers write a request they could not read.
    func recordUnparsed(client: String, reason: String) {
        append(client: client, request: "-", status: 400, bytes: 0, referer: nil, userAgent: nil,
               detail: "reason=\"\(Self.clean(reason))\"")
    }

    private func append(client: String, request: String, status: Int, bytes: Int, referer: String?, userAgent: String?, detail: String) {
        let now = RunClock.currentTime()
        let time = pending.withLockedValue { pending in
            if pending.second != now.seconds {
                pending.second = now.seconds
                pending.time = HTTPDate.commonLog(now)
            }
            return pending.time
        }
        var line = "\(client) - - [\(time)] \"\(request)\" \(status) \(bytes)"
        line += " \"\(Self.clean(referer ?? "-"))\" \"\(Self.clean(userAgent ?? "-"))\""
        if !detail.isEmpty { line += " " + detail }
        line += "\n"
        pending.withLockedValue { pending in
            pending.lines += line
            // Written under the lock, so that batches reach the file in the order their lines were made.
            if pending.lines.utf8.count >= Self.batchBytes { write(&pending) }
        }
    }

    /// Writes the lines gathered so far.
    func flush() {
        pending.withLockedValue { write(&$0) }
    }

    private func write(_ pending: inout Pending) {
        guard !pending.lines.isEmpty else { return }
        destination.write(pending.lines)
        pending.lines = ""
    }

    /// What a client sent, made safe for one log line: no quotes, no control characters, bounded length.
    static func clean(_ text: String) -> String {
        // What clients send is nearly always clean already: checked bytewise, without building a copy.
        if text.utf8.count <= 200, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }) {
            return text
        }
        let safe = text.unicodeScalars.prefix(200).map { scalar -> Character in
            scalar == "\"" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : Character(scalar)
        }
        return String(safe)
    }
}
