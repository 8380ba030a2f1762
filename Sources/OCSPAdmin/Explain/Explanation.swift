import OCSPCore
import OCSPWire

/// What `explain` says of one request: for each CertID, how it was matched against the configured CAs,
/// which spellings of its serial were looked up in which table, the rows found, the `not_found` policy
/// applied, the cache entry; and the answer `respond` would give. Encoded as `--json` prints it (snake
/// case keys, listed in the README); `text` is the operator's reading of the same values.
///
/// The answer is the responder's own decision (`OCSPResponder.dryRun`); the rest is what that decision
/// looked at, read again for the report.
package struct Explanation: Codable, Sendable, Equatable {
    package struct Nonce: Codable, Sendable, Equatable {
        package var present: Bool
        /// The nonce's octets (inside its OCTET STRING), when present.
        package var length: Int?
        /// Whether the response would carry it back: a successful, signed answer always does.
        package var echoed: Bool
    }

    /// One configured CA compared with a CertID's hashes.
    package struct IssuerCheck: Codable, Sendable, Equatable {
        /// The config section: `ocsp` or `issuer NAME`.
        package var section: String
        package var nameHashMatches: Bool
        package var keyHashMatches: Bool
        /// Ours, in the CertID's hash algorithm, when that one differs (hex).
        package var expectedNameHash: String?
        package var expectedKeyHash: String?
    }

    /// One row of the status table.
    package struct Row: Codable, Sendable, Equatable {
        package var certNum: String
        package var status: String
        package var revocationTime: String?
        package var revocationReason: String?
    }

    /// The look-up in one section's table.
    package struct Lookup: Codable, Sendable, Equatable {
        package var section: String
        package var table: String
        package var rows: [Row]
        /// Why the table could not be read.
        package var error: String?
    }

    /// The response cache's file for a CertID.
    package struct CacheEntry: Codable, Sendable, Equatable {
        package var path: String
        /// `absent`, `unreadable`, `sound`, or why it is not served: `unsound: …`, `stale: …`.
        package var state: String
        /// When its status was last read from the table (the file's modification time).
        package var checkedAt: String?
        /// When it must be checked against the table again (`checked_at` + `[ocsp] revalidate`).
        package var revalidateAfter: String?
        /// True while it is served without asking the table.
        package var current: Bool?
    }

    /// What one CertID is answered.
    package struct Answer: Codable, Sendable, Equatable {
        /// `good`, `revoked`, `unknown`.
        package var status: String
        package var revocationTime: String?
        package var revocationReason: String?
        /// `database`, `not-found`, `foreign-issuer`, `cache`, `ocspresponse` (as the log's `certs=` says).
        package var source: String
    }

    package struct CertIDReport: Codable, Sendable, Equatable {
        /// Lowercase hex, no leading zeros.
        package var serial: String
        /// `sha1`, `sha256`, `sha384`, `sha512`, or the OID of one we do not support.
        package var hashAlgorithm: String
        package var hashAlgorithmSupported: Bool
        /// The request's values (hex).
        package var issuerNameHash: String
        package var issuerKeyHash: String
        /// Every configured CA, in config order.
        package var issuers: [IssuerCheck]
        /// The sections whose tables are asked (the answering signer's CA, named by this CertID).
        package var askedSections: [String]
        /// Every `cert_num` the look-up tries (one `cert_num IN (...)` query).
        package var spellingsTried: [String]
        package var lookups: [Lookup]
        /// The `not_found` policy applied when no table holds the serial: `unknown`, `unauthorized`, `revoked`.
        package var notFound: String?
        /// The section whose `not_found` applies.
        package var notFoundSection: String?
        package var cache: CacheEntry?
        /// Nil when the whole request is refused.
        package var answer: Answer?
    }

    package var certIDs: [CertIDReport]
    package var nonce: Nonce
    /// The section whose signer would answer; nil when none is named (or the CA's own file answers).
    package var signer: String?
    /// `successful`, `malformedRequest`, `internalError`, `tryLater`, `unauthorized`.
    package var responseStatus: String
    /// Why the request is refused, or what the operator must hear about the answer.
    package var reason: String?
    /// How the cache takes part: `off`, `bypass`, `hit`, `revalidated`, `unrevalidated`, `changed`, `miss`.
    package var cacheUse: String?
    package var thisUpdate: String?
    package var nextUpdate: String?
    /// Whether a fresh answer would be kept in the cache.
    package var wouldBeKept: Bool
    /// The exit status `respond` would give.
    package var exitStatus: Int32
    /// When it was explained (ISO 8601 UTC).
    package var at: String
}

extension Explanation {
    /// The operator's reading: one block per CertID, then the answer.
    package var text: String {
        var lines: [String] = []
        let nonceText = nonce.present
            ? "nonce of \(nonce.length ?? 0) octets, \(nonce.echoed ? "echoed in the response" : "not echoed (no signed response)")"
            : "no nonce"
        lines.append("Request: \(certIDs.count) CertID\(certIDs.count == 1 ? "" : "s"), \(nonceText)")
        for (index, certID) in certIDs.enumerated() {
            lines.append("")
            lines.append("CertID \(index + 1): serial 0x\(certID.serial), hash \(certID.hashAlgorithm)\(certID.hashAlgorithmSupported ? "" : " (not supported: names no CA)")")
            for issuer in certID.issuers {
                var parts: [String] = []
                parts.append(issuer.nameHashMatches ? "issuerNameHash matches" : "issuerNameHash differs: ours \(issuer.expectedNameHash ?? "-"), request's \(certID.issuerNameHash)")
                parts.append(issuer.keyHashMatches ? "issuerKeyHash matches" : "issuerKeyHash differs: ours \(issuer.expectedKeyHash ?? "-"), request's \(certID.issuerKeyHash)")
                lines.append("  [\(issuer.section)]: \(parts.joined(separator: "; "))")
            }
            if certID.issuers.allSatisfy({ !($0.nameHashMatches && $0.keyHashMatches) }) {
                lines.append("  names no CA this responder serves")
            }
            if !certID.askedSections.isEmpty {
                lines.append("  serial spellings tried: \(certID.spellingsTried.joined(separator: ", "))")
            }
            for lookup in certID.lookups {
                if let error = lookup.error {
                    lines.append("  table \(lookup.table) of [\(lookup.section)]: cannot be read: \(error)")
                } else if lookup.rows.isEmpty {
                    lines.append("  table \(lookup.table) of [\(lookup.section)]: no row")
                } else {
                    for row in lookup.rows {
                        var text = "  table \(lookup.table) of [\(lookup.section)]: row cert_num=\(row.certNum) status=\(row.status)"
                        if let time = row.revocationTime { text += " revocation_time=\(time)" }
                        if let reason = row.revocationReason { text += " revocation_reason=\(reason)" }
                        lines.append(text)
                    }
                }
            }
            if let notFound = certID.notFound {
                lines.append("  not in the table: [\(certID.notFoundSection ?? "ocsp")] not_found = \(notFound)")
            }
            if let cache = certID.cache {
                var text = "  cache \(cache.path): \(cache.state)"
                if let checked = cache.checkedAt { text += ", last checked against the table \(checked)" }
                if let after = cache.revalidateAfter, let current = cache.current {
                    text += current ? ", served as is until \(after)" : ", revalidation due since \(after)"
                }
                lines.append(text)
            }
            if let answer = certID.answer {
                var text = "  answer: \(answer.status)"
                if let time = answer.revocationTime { text += " at \(time)" }
                if let reason = answer.revocationReason { text += ", reason \(reason)" }
                text += " (from \(answer.source))"
                lines.append(text)
            }
        }
        lines.append("")
        var summary = "Response: \(responseStatus)"
        if let signer { summary += ", signed by [\(signer)]" }
        if let cacheUse { summary += ", cache \(cacheUse)" }
        lines.append(summary)
        if let thisUpdate { lines.append("  thisUpdate \(thisUpdate), nextUpdate \(nextUpdate ?? "none")") }
        if let reason { lines.append("  reason: \(reason)") }
        lines.append("  \(wouldBeKept ? "a fresh answer would be kept in the cache" : "nothing would be kept in the cache")")
        lines.append("  respond would exit \(exitStatus); nothing was signed or written")
        return lines.joined(separator: "\n") + "\n"
    }
}
