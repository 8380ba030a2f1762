import OCSPCore
import OCSPWire

/// An enum column of the status table: the names its SQL `enum(...)` (MariaDB) or `CHECK (... IN ...)`
/// (SQLite) holds. The raw value is the name as the schema spells it, which is what every store writes;
/// reading accepts any case, as MariaDB's enums and the rows other tools write do.
package protocol TableEnum: RawRepresentable<String>, CaseIterable, Hashable, Sendable {}

extension TableEnum {
    /// The value `text` names, in any case; nil when it names none.
    package init?(tableText text: String) {
        // The schema's spelling is what the stores write, so it is almost always what is read.
        if let exact = Self(rawValue: text) {
            self = exact
            return
        }
        let lowered = text.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    /// The names, quoted for SQL (`'Valid','Revoked'`): for the schema's enum and CHECK, never for a value.
    package static var sqlList: String {
        allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
    }
}

/// The `status` column: `enum('Valid','Revoked')`.
package enum TableStatus: String, TableEnum {
    case valid = "Valid"
    case revoked = "Revoked"
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

/// An enum column's value as a row holds it: one the schema names, or text another tool (or a table
/// made without the schema's constraints) left there, kept so that a listing can show it and a look-up
/// can name it in its error.
package enum StoredValue<Value: TableEnum>: Hashable, Sendable, CustomStringConvertible {
    case known(Value)
    case unknown(String)

    package init(tableText text: String) {
        self = Value(tableText: text).map(StoredValue.known) ?? .unknown(text)
    }

    /// The value, nil for text the schema does not name.
    package var known: Value? {
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
