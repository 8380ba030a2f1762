import SwiftASN1

/// The outcome of a request (RFC 6960 §4.2.1).
///
/// ```
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized
/// }
/// ```
///
/// An open set, as a struct: a response from another responder may carry a value we do not name.
package struct OCSPResponseStatus: RawRepresentable, DERImplicitlyTaggable, Hashable, Sendable, CustomStringConvertible {
    package static var defaultIdentifier: ASN1Identifier { .enumerated }

    package var rawValue: Int

    package init(rawValue: Int) {
        self.rawValue = rawValue
    }

    package static let successful = Self(rawValue: 0)
    package static let malformedRequest = Self(rawValue: 1)
    package static let internalError = Self(rawValue: 2)
    package static let tryLater = Self(rawValue: 3)
    package static let sigRequired = Self(rawValue: 5)
    package static let unauthorized = Self(rawValue: 6)

    package init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        rawValue = try ASN1Enumerated(derEncoded: node, withIdentifier: identifier).value
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try ASN1Enumerated(rawValue).serialize(into: &coder, withIdentifier: identifier)
    }

    package var description: String {
        switch self {
        case .successful: "successful"
        case .malformedRequest: "malformedRequest"
        case .internalError: "internalError"
        case .tryLater: "tryLater"
        case .sigRequired: "sigRequired"
        case .unauthorized: "unauthorized"
        default: "status(\(rawValue))"
        }
    }
}
