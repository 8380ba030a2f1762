import OCSPRespond
import OCSPRuntime

/// The socket app's call, `respond [--config P] [--log-level L] [--out P] [--timeout S] FILE`, parsed by hand.
///
/// A process runs per request, so start-up is part of every answer; this program links neither
/// swift-argument-parser (whose reflection alone costs over a millisecond) nor SwiftNIO. It accepts only
/// the plain shapes of that call and returns nil for anything else (help, errors, other commands, unusual
/// spellings), which `ocsp-responder-commands` then parses as usual, so the behaviour and messages stay
/// ArgumentParser's.
///
/// No list of the other commands is kept here: without `respond` first, a request file must be named
/// as a path (`-`, or a name with a `/`), so a bare word (`sign`, `db`, a command added later) always
/// reaches the command parser. Under sudo only `respond` runs, and a bare word is a request file.
enum RespondFastPath {
    static func options(from arguments: [String], bareNameIsRequestFile: Bool) -> RespondRun.Options? {
        var remaining = arguments[...]
        let namedRespond = remaining.first == "respond"
        if namedRespond { remaining = remaining.dropFirst() }
        var config: String?
        var level: String?
        var out: String?
        var timeout: String?
        var file: String?
        while let argument = remaining.popFirst() {
            if argument.hasPrefix("--") {
                let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
                let value: String
                if parts.count == 2 {
                    value = parts[1]
                } else if let next = remaining.popFirst(), !next.hasPrefix("-") || next == "-" {
                    value = next
                } else {
                    return nil
                }
                switch parts[0] {
                case "--config" where config == nil: config = value
                case "--log-level" where level == nil: level = value
                case "--out" where out == nil: out = value
                case "--timeout" where timeout == nil: timeout = value
                default: return nil
                }
            } else if argument == "-" || !argument.hasPrefix("-"), file == nil {
                if !namedRespond, !bareNameIsRequestFile, argument != "-", !argument.contains("/") { return nil }
                file = argument
            } else {
                return nil
            }
        }
        var logLevel: RespondRun.Options.Level?
        if let level {
            guard let parsed = ResponderConfiguration.parseLevel(level) else { return nil }
            logLevel = parsed
        }
        var seconds: Int?
        if let timeout {
            guard let parsed = Int(timeout), RespondRun.Options.timeoutRange.contains(parsed) else { return nil }
            seconds = parsed
        }
        return RespondRun.Options(
            configPath: ResponderConfiguration.resolvePath(explicit: config),
            input: file ?? "-", output: out, logLevel: logLevel, timeout: seconds
        )
    }
}
