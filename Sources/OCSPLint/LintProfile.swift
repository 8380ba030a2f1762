/// Whose rules a response is held to. Every profile includes the RFC 6960 rules (with RFC 5280's for
/// extensions and times, and RFC 9654's for the nonce); each other profile adds one client's or one
/// policy's; `all` adds every one.
package enum LintProfile: String, CaseIterable, Codable, Hashable, Sendable {
    /// RFC 6960, RFC 5280 (extensions, times), RFC 9654 (nonce), delegated signers (§4.2.2.2).
    case rfc6960
    /// The lightweight profile (RFC 9919, successor of RFC 5019): nextUpdate, byKey, one SingleResponse, SHA-256.
    case rfc9919
    /// Windows CryptoAPI: a response without nextUpdate is taken as expired.
    case windows
    /// Java's PKIX revocation checker: 15 minutes of clock skew; the nonce echoed when `jdk.security.certpath.ocspNonce` sends one.
    case java
    /// Mozilla's root store policy: nextUpdate at most 10 days after thisUpdate.
    case mozilla
    /// CA/Browser Forum Baseline Requirements §4.9.9–4.9.10: validity 8 hours to 10 days, refreshed 8 hours before nextUpdate, nocheck in delegates, no SHA-1.
    case cabf
    /// Cisco ASA: the request's CertIDs echoed byte for byte.
    case cisco
    /// Every rule above.
    case all

    package var summary: String {
        switch self {
        case .rfc6960: "RFC 6960 with RFC 5280 (extensions, times) and RFC 9654 (nonce); delegated signers"
        case .rfc9919: "+ RFC 9919 lightweight profile: nextUpdate, byKey ResponderID, one SingleResponse, SHA-256"
        case .windows: "+ Windows CryptoAPI: nextUpdate required"
        case .java: "+ Java PKIX: 15 minutes of clock skew; nonce echoed (jdk.security.certpath.ocspNonce)"
        case .mozilla: "+ Mozilla root store policy: nextUpdate present, at most 10 days after thisUpdate"
        case .cabf: "+ CA/B Forum BR 4.9.9-4.9.10: validity 8 h to 10 days, refresh 8 h before nextUpdate, nocheck, no SHA-1"
        case .cisco: "+ Cisco ASA: request's CertIDs echoed byte for byte (give --request)"
        case .all: "every rule of every profile"
        }
    }

    /// Whether the rules of `group` run under this profile.
    func includes(_ group: LintProfile) -> Bool {
        group == .rfc6960 || self == .all || self == group
    }
}
