import OCSPWire

/// An enum column of the status table: the names its SQL `enum(...)` (MariaDB) or `CHECK (... IN ...)`
/// (SQLite) holds. The raw value is the name as the schema spells it, which is what every store writes;
/// reading (`init?(tableText:)`) accepts any case, as MariaDB's enums and the rows other tools write do.
package protocol TableEnum: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// The value `text` names, in any case; nil when it names none.
    init?(tableText text: String)
}

extension TableEnum {
    /// The names, quoted for SQL (`'Valid','Revoked'`): for the schema's enum and CHECK, never for a value.
    package static var sqlList: String {
        allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
    }

    /// The value whose name is `text` once both are lowercased: for text that is not the schema's
    /// spelling, which `init?(tableText:)` compares first.
    static func ignoringCase(_ text: String) -> Self? {
        let lowered = text.lowercased()
        return allCases.first(where: { $0.rawValue.lowercased() == lowered })
    }
}

/// The `status` column: `enum('Valid','Revoked')`.
package enum TableStatus: String, TableEnum {
    case valid = "Valid"
    case revoked = "Revoked"

    package init?(tableText text: String) {
        // Compared one by one: `init(rawValue:)` and `allCases` each build an array, whose type's metadata
        // costs a one-shot `respond` more than its whole look-up reads here (some 4,400 instructions).
        switch text {
        case Self.valid.rawValue: self = .valid
        case Self.revoked.rawValue: self = .revoked
        default:
            guard let value = Self.ignoringCase(text) else { return nil }
            self = value
        }
    }
}

/// The `revocation_reason` column: OCSP_MySql's names for RFC 5280's CRLReason, in RFC 5280 order.
/// `removeFromCRL` has none: it is for delta CRLs, and a table row says it by being `Valid`.
package enum TableReason: String, TableEnum {
    case unspecified = "unspecified"
    case keyCompromise = "key_compromise"
    case caCompromise = "ca_compromise"
    case affiliationChanged = "affiliation_changed"
    case superseded = "superseded"
    case cessationOfOperation = "cessation_of_operation"
    case certificateHold = "certificate_hold"
    case privilegeWithdrawn = "privilege_withdrawn"
    case aaCompromise = "aa_compromise"

    package init?(tableText text: String) {
        // One by one, as `TableStatus(tableText:)` compares.
        switch text {
        case Self.unspecified.rawValue: self = .unspecified
        case Self.keyCompromise.rawValue: self = .keyCompromise
        case Self.caCompromise.rawValue: self = .caCompromise
        case Self.affiliationChanged.rawValue: self = .affiliationChanged
        case Self.superseded.rawValue: self = .superseded
        case Self.cessationOfOperation.rawValue: self = .cessationOfOperation
        case Self.certificateHold.rawValue: self = .certificateHold
        case Self.privilegeWithdrawn.rawValue: self = .privilegeWithdrawn
        case Self.aaCompromise.rawValue: self = .aaCompromise
        default:
            guard let value = Self.ignoringCase(text) else { return nil }
            self = value
        }
    }

    /// The reason a response carries.
    package var crlReason: CRLReason {
        switch self {
        case .unspecified: .unspecified
        case .keyCompromise: .keyCompromise
        case .caCompromise: .caCompromise
        case .affiliationChanged: .affiliationChanged
        case .superseded: .superseded
        case .cessationOfOperation: .cessationOfOperation
        case .certificateHold: .certificateHold
        case .privilegeWithdrawn: .privilegeWithdrawn
        case .aaCompromise: .aaCompromise
        }
    }

    /// The table's name for `reason`; nil for one the column cannot hold (removeFromCRL, or a value
    /// RFC 5280 does not define).
    package init?(_ reason: CRLReason) {
        guard let match = Self.allCases.first(where: { $0.crlReason == reason }) else { return nil }
        self = match
    }
}

// What a row holds in an enum column: a value the schema names, or text another tool (or a table made
// without the schema's constraints) left there, kept so that a listing can show it and a look-up can
// name it in its error. One concrete type per column rather than one generic: every request's look-up
// reads a status, and a generic value read across modules costs a one-shot `respond` its metadata and
// unspecialised calls (some 24,000 instructions).

/// The `status` column as a row holds it.
package enum StoredStatus: Hashable, Sendable, CustomStringConvertible {
    case known(TableStatus)
    case unknown(String)

    package init(tableText text: String) {
        self = TableStatus(tableText: text).map(StoredStatus.known) ?? .unknown(text)
    }

    /// The value, nil for text the schema does not name.
    package var known: TableStatus? {
        if case .known(let value) = self { value } else { nil }
    }

    /// What the column holds: the schema's spelling of a known value, else the stored text.
    package var text: String {
        switch self {
        case .known(let value): value.rawValue
        case .unknown(let text): text
        }
    }

    package var description: String { text }
}

/// The `revocation_reason` column as a row holds it (NULL is a nil `StoredReason?`).
package enum StoredReason: Hashable, Sendable, CustomStringConvertible {
    case known(TableReason)
    case unknown(String)

    package init(tableText text: String) {
        self = TableReason(tableText: text).map(StoredReason.known) ?? .unknown(text)
    }

    /// The value, nil for text the schema does not name.
    package var known: TableReason? {
        if case .known(let value) = self { value } else { nil }
    }

    /// What the column holds: the schema's spelling of a known value, else the stored text.
    package var text: String {
        switch self {
        case .known(let value): value.rawValue
        case .unknown(let text): text
        }
    }

    package var description: String { text }
}
