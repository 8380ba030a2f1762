import OCSPWire

/// One thing `inspect --lint` found in a response: how bad, which rule, where the rule comes from, what
/// is wrong, and the bytes it is about.
package struct LintFinding: Codable, Hashable, Sendable {
    /// `error`: a conforming client rejects the response, or the RFC's MUST is broken. `warning`: a SHOULD is
    /// broken, or a client the profile names rejects it. `notice`: worth knowing, nothing breaks.
    package enum Level: String, Codable, Comparable, Sendable, CaseIterable {
        case notice, warning, error

        private var rank: Int {
            switch self {
            case .notice: 0
            case .warning: 1
            case .error: 2
            }
        }

        package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    package var level: Level
    /// A stable identifier, kebab-case (`next-update-missing`), listed in the README.
    package var rule: String
    /// The text the rule comes from: `RFC 6960 §4.2.1`, `CA/B Forum BR §4.9.10`, `Windows CryptoAPI`.
    package var source: String
    package var message: String
    /// The offending element; nil when the finding is about something absent from the whole response.
    package var location: LintLocation?

    package init(level: Level, rule: String, source: String, message: String, location: LintLocation? = nil) {
        self.level = level
        self.rule = rule
        self.source = source
        self.message = message
        self.location = location
    }
}

/// Where, in the bytes given: the DER element's first octet (its tag) and its whole length (tag, length
/// and contents), with the ASN.1 path of the element (`tbsResponseData.responses[0].nextUpdate`).
package struct LintLocation: Codable, Hashable, Sendable {
    package var offset: Int
    package var length: Int
    package var element: String

    package init(offset: Int, length: Int, element: String) {
        self.offset = offset
        self.length = length
        self.element = element
    }
}

/// The findings for one response, under one profile; what `--json` prints.
package struct LintReport: Codable, Hashable, Sendable {
    package var profile: String
    /// ISO 8601; nil when the time-dependent rules were not run.
    package var checkedAt: String?
    package var findings: [LintFinding]
    package var errors: Int
    package var warnings: Int
    package var notices: Int

    /// The JSON keys `inspect --lint --json` prints (snake_case, as the other reports).
    private enum CodingKeys: String, CodingKey {
        case profile, checkedAt = "checked_at", errors, warnings, notices, findings
    }

    package init(profile: LintProfile, checkedAt: UnixTime?, findings: [LintFinding]) {
        self.profile = profile.rawValue
        self.checkedAt = checkedAt?.iso8601
        self.findings = findings
        errors = findings.count { $0.level == .error }
        warnings = findings.count { $0.level == .warning }
        notices = findings.count { $0.level == .notice }
    }

    /// 0 clean (notices allowed), 1 warnings only, 2 errors.
    package var exitStatus: Int32 { errors > 0 ? 2 : warnings > 0 ? 1 : 0 }

    /// One line per finding, then a summary line.
    package var text: String {
        var lines = findings.map { finding in
            let place = finding.location.map { " at \($0.offset)+\($0.length) \($0.element)" } ?? ""
            return "\(finding.level.rawValue): [\(finding.rule)] \(finding.message) (\(finding.source))\(place)"
        }
        lines.append("Lint (\(profile)): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"), \(notices) notice\(notices == 1 ? "" : "s")")
        return lines.joined(separator: "\n") + "\n"
    }
}
