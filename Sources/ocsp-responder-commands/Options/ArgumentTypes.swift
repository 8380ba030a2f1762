import ArgumentParser
import Logging
import OCSPCore
import OCSPLint
import OCSPRuntime
import OCSPServer
import OCSPStore
import OCSPWire

// The option values the commands take, parsed where ArgumentParser parses them: a value that does not
// parse is a usage error (exit 64) naming the option, and `run()` gets the typed value.

extension HashAlgorithm: ExpressibleByArgument {
    /// `sha1`, `SHA256`, …: the names in any case.
    package init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

extension LintProfile: ExpressibleByArgument {
    /// `rfc6960`, `cabf`, …: the names in any case.
    package init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

extension CertificateSerialNumber: ExpressibleByArgument {
    /// A serial as operators write it: `0x1a2b`, `1A2B`, `1a:2b`, `-0x82`.
    package init?(argument: String) {
        self.init(hex: argument)
    }

    package static var defaultCompletionKind: CompletionKind { .default }
}

extension CRLReason: ExpressibleByArgument {
    /// The table's names (`key_compromise`, …) or RFC 5280's (`keyCompromise`, …).
    package init?(argument: String) {
        self.init(name: argument)
    }

    package static var allValueStrings: [String] { TableReason.allCases.map(\.rawValue) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {
    /// swift-log's names, or Python logging's (`WARN`, `CRITICAL`, `NOTSET`), in any case.
    public init?(argument: String) {
        guard let level = ResponderConfiguration.parseLevel(argument) else { return nil }
        self = level
    }

    public static var allValueStrings: [String] { ["trace", "debug", "info", "notice", "warning", "error", "critical"] }
}

extension ListenAddress: ExpressibleByArgument {
    /// `HOST:PORT`, `[IPV6]:PORT`.
    package init?(argument: String) {
        self.init(parsing: argument)
    }
}

/// A length of time as `producetime` spells it: a whole number and h, d, m (30 days) or y (365 days).
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Int64

    init?(argument: String) {
        guard let seconds = ResponderConfiguration.parseValidity(argument) else { return nil }
        self.seconds = seconds
    }
}

/// A revocation time: `now`, or a time `UnixTime(parsing:)` reads (`2026-01-02T03:04:05Z`,
/// `'2026-01-02 03:04:05'` in UTC, `2026-01-02`).
enum TimeArgument: ExpressibleByArgument, Sendable {
    case now
    case at(UnixTime)

    init?(argument: String) {
        if argument.lowercased() == "now" {
            self = .now
        } else if let time = UnixTime(parsing: argument) {
            self = .at(time)
        } else {
            return nil
        }
    }

    /// The time, with `now` read from the clock.
    var time: UnixTime {
        switch self {
        case .now: RunClock.currentTime()
        case .at(let time): time
        }
    }
}
