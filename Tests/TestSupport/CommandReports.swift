import Foundation

/// The `--json` output of our own commands, as the tests read it. Keys are snake_case in the output
/// (the commands promise them stable) and camelCase here.
package enum CommandReport {
    /// Decodes `json` as `type`, with snake_case keys.
    package static func decode<T: Decodable>(_ type: T.Type, from json: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: json)
        } catch {
            throw TestFailure("not a \(type) as JSON (\(error)): \(String(decoding: json, as: UTF8.self))")
        }
    }
}

/// A row of the status table as `db show --json`, `db list --format json`, `db revoke --json` and
/// `db add --json` print it.
package struct TableRowReport: Decodable, Sendable, Equatable {
    package var certNum: String
    /// `Valid` or `Revoked`.
    package var status: String?
    /// ISO 8601; nil when the stored time is no date (then `revocationTimeUnreadable` has its text).
    package var revocationTime: String?
    /// The table's name: `key_compromise`, …
    package var revocationReason: String?
    package var revocationTimeUnreadable: String?
    /// `db add` only: the section the row went to, and the certificate's subject.
    package var ca: String?
    package var subject: String?
    /// Never printed; here so that a test can say so.
    package var serial: String?
}

/// `db import --json`.
package struct ImportSummaryReport: Decodable, Sendable, Equatable {
    package var added: Int
    package var updated: Int
    package var unchanged: Int
    package var withoutCertificate: Int
    package var conflicts: Int
}

/// `resign --json`: what a run signed, skipped and failed, and how long it took.
package struct ResignSummaryReport: Decodable, Sendable, Equatable {
    package var rows: Int
    package var signed: Int
    package var skipped: Int
    package var failed: Int
    /// A JSON number (decoding fails on a string).
    package var seconds: Double
    package var signedPerSecond: Int
    package var dryRun: Bool
}

/// `inspect --json`: a request (`type` `request`) or a response (`type` `response`); the members of the
/// other kind are nil.
package struct InspectReport: Decodable, Sendable {
    /// One CertID of a request, or one SingleResponse with its CertID's members.
    package struct Single: Decodable, Sendable {
        package var hashAlgorithm: String
        package var hashAlgorithmOid: String
        package var issuerNameHash: String
        package var issuerKeyHash: String
        package var serial: String
        /// Responses only: `good`, `revoked`, `unknown`, and the times and reason.
        package var certStatus: String?
        package var revocationTime: String?
        /// RFC 5280's name: `keyCompromise`, …
        package var revocationReason: String?
        package var revocationReasonCode: Int?
        package var thisUpdate: String?
        package var nextUpdate: String?
    }

    /// One of two members is there: `by_name` (an RFC 4514 string) or `by_key` (hex).
    package struct ResponderID: Decodable, Sendable {
        package var byName: String?
        package var byKey: String?
    }

    package struct Certificate: Decodable, Sendable {
        package var subject: String
        package var issuer: String
        package var serial: String
    }

    /// What `--issuer` let it check.
    package struct Verification: Decodable, Sendable {
        package var verified: Bool
        package var issuer: String?
        /// `issuer` or `delegate`.
        package var signer: String?
        package var signerSubject: String?
        package var signatureValid: Bool?
        /// Nil (JSON null) when the issuer signs itself.
        package var delegateAuthorized: Bool?
        package var responderIdMatches: Bool?
        package var certIdsMatchIssuer: Bool
        package var timesValid: Bool?
        package var checkedAt: String
        package var problems: [String]
    }

    /// `request` or `response`.
    package var type: String
    package var version: Int?
    // A request's.
    package var signed: Bool?
    package var requests: [Single]?
    /// Hex of the nonce's octets, in a request and in a response that echoes one.
    package var nonce: String?
    // A response's.
    package var responseStatus: String?
    package var responseStatusCode: Int?
    package var responseType: String?
    package var responderId: ResponderID?
    package var producedAt: String?
    package var responses: [Single]?
    package var extendedRevoke: Bool?
    package var signatureAlgorithm: String?
    package var certificates: [Certificate]?
    package var verification: Verification?
}

/// `check --json`: the certificate's status as its responder told it.
package struct CheckReport: Decodable, Sendable {
    /// `good`, `revoked`, `unknown`, or `error`.
    package var status: String
    package var certStatus: String?
    package var subject: String?
    package var serial: String?
    package var issuer: String?
    package var url: String?
    /// `POST` or `GET`.
    package var method: String?
    /// Whether a nonce was sent.
    package var nonce: Bool
    package var revocationTime: String?
    package var revocationReason: String?
    package var thisUpdate: String?
    package var nextUpdate: String?
    package var producedAt: String?
    package var verification: InspectReport.Verification?
    package var error: String?
}
