import OCSPService

/// The socket app's call, `respond [--config P] [--log-level L] [--out P] [--timeout S] FILE`, parsed by hand.
///
/// A process runs per request, so start-up is part of every answer; swift-argument-parser's
/// reflection costs over a millisecond (measured with callgrind: a third of a malformed-request run).
/// This accepts only the plain shapes of that call and returns nil for anything else (help, errors,
/// other commands, unusual spellings), which then goes through ArgumentParser as usual, so the
/// behaviour and messages stay ArgumentParser's.
enum RespondFastPath {
    /// The subcommands besides `respond`, by name; kept here as strings because asking ArgumentParser
    /// for them costs the reflection this fast path avoids.
    static let otherSubcommands: Set<String> = ["sign", "db", "resign", "request", "inspect", "serve", "check", "help"]

    static func options(from arguments: [String]) -> RespondRun.Options? {
        // Another subcommand's name is not a request file: `ocsp-responder sign` must reach ArgumentParser.
        if let first = arguments.first, otherSubcommands.contains(first) { return nil }
        var remaining = arguments[...]
        if remaining.first == "respond" { remaining = remaining.dropFirst() }
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
            guard let parsed = Int(timeout), Respond.timeoutRange.contains(parsed) else { return nil }
            seconds = parsed
        }
        return RespondRun.Options(
            configPath: ResponderConfiguration.resolvePath(explicit: config),
            input: file ?? "-", output: out, logLevel: logLevel, timeout: seconds
        )
    }
}
