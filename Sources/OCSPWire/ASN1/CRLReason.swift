import SwiftASN1

/// Why a certificate was revoked (RFC 5280 §5.3.1).
///
/// ```
/// CRLReason ::= ENUMERATED {
///      unspecified             (0),
///      keyCompromise           (1),
///      cACompromise            (2),
///      affiliationChanged      (3),
///      superseded              (4),
///      cessationOfOperation    (5),
///      certificateHold         (6),
///           -- value 7 is not used
///      removeFromCRL           (8),
///      privilegeWithdrawn      (9),
///      aACompromise           (10) }
/// ```
package struct CRLReason: RawRepresentable, DERImplicitlyTaggable, Hashable, Sendable, CustomStringConvertible {
    package static var defaultIdentifier: ASN1Identifier { .enumerated }

    package var rawValue: Int

    package init(rawValue: Int) {
        self.rawValue = rawValue
    }

    package static let unspecified = Self(rawValue: 0)
    package static let keyCompromise = Self(rawValue: 1)
    package static let caCompromise = Self(rawValue: 2)
    package static let affiliationChanged = Self(rawValue: 3)
    package static let superseded = Self(rawValue: 4)
    package static let cessationOfOperation = Self(rawValue: 5)
    package static let certificateHold = Self(rawValue: 6)
    package static let removeFromCRL = Self(rawValue: 8)
    package static let privilegeWithdrawn = Self(rawValue: 9)
    package static let aaCompromise = Self(rawValue: 10)

    /// The names OCSP_MySql's `revocation_reason` enum column uses, in RFC 5280 order.
    package static let tableNames: [(name: String, reason: CRLReason)] = [
        ("unspecified", .unspecified),
        ("key_compromise", .keyCompromise),
        ("ca_compromise", .caCompromise),
        ("affiliation_changed", .affiliationChanged),
        ("superseded", .superseded),
        ("cessation_of_operation", .cessationOfOperation),
        ("certificate_hold", .certificateHold),
        ("privilege_withdrawn", .privilegeWithdrawn),
        ("aa_compromise", .aaCompromise),
    ]

    /// The reason a `revocation_reason` column value names, case-insensitively; `nil` if it names none.
    package init?(tableName: String) {
        let lowered = tableName.lowercased()
        guard let match = Self.tableNames.first(where: { $0.name == lowered }) else { return nil }
        self = match.reason
    }

    /// The reason a person names: a table name (`key_compromise`) or RFC 5280's (`keyCompromise`,
    /// `cACompromise`, `removeFromCRL`), case-insensitively, with or without `_` or `-`.
    package init?(name: String) {
        // Both spellings are the same letters once case and separators go: keycompromise, cacompromise.
        func folded(_ text: String) -> String { text.lowercased().filter { $0 != "_" && $0 != "-" } }
        let wanted = folded(name)
        let all = Self.tableNames + [("remove_from_crl", .removeFromCRL)]
        guard !wanted.isEmpty, let match = all.first(where: { folded($0.name) == wanted }) else { return nil }
        self = match.reason
    }

    /// The `revocation_reason` spelling, for reasons the table can hold.
    package var tableName: String? {
        Self.tableNames.first(where: { $0.reason == self })?.name
    }

    package init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        rawValue = try ASN1Enumerated(derEncoded: node, withIdentifier: identifier).value
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try ASN1Enumerated(rawValue).serialize(into: &coder, withIdentifier: identifier)
    }

    package var description: String {
        tableName ?? (self == .removeFromCRL ? "remove_from_crl" : "reason(\(rawValue))")
    }
}
