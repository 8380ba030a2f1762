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

    /// RFC 5280's names, in its order.
    package static let names: [(name: String, reason: CRLReason)] = [
        ("unspecified", .unspecified),
        ("keyCompromise", .keyCompromise),
        ("cACompromise", .caCompromise),
        ("affiliationChanged", .affiliationChanged),
        ("superseded", .superseded),
        ("cessationOfOperation", .cessationOfOperation),
        ("certificateHold", .certificateHold),
        ("removeFromCRL", .removeFromCRL),
        ("privilegeWithdrawn", .privilegeWithdrawn),
        ("aACompromise", .aaCompromise),
    ]

    /// The reason a person names: RFC 5280's name (`keyCompromise`, `cACompromise`, `removeFromCRL`) or
    /// the same words apart (`key_compromise`, `key-compromise`, as the status table spells them),
    /// case-insensitively.
    package init?(name: String) {
        // Both spellings are the same letters once case and separators go: keycompromise, cacompromise.
        func folded(_ text: String) -> String { text.lowercased().filter { $0 != "_" && $0 != "-" } }
        let wanted = folded(name)
        guard !wanted.isEmpty, let match = Self.names.first(where: { folded($0.name) == wanted }) else { return nil }
        self = match.reason
    }

    /// RFC 5280's name, or `reason(N)` for a value it does not define.
    package var name: String {
        Self.names.first(where: { $0.reason == self })?.name ?? "reason(\(rawValue))"
    }

    package init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        rawValue = try ASN1Enumerated(derEncoded: node, withIdentifier: identifier).value
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try ASN1Enumerated(rawValue).serialize(into: &coder, withIdentifier: identifier)
    }

    package var description: String { name }
}
