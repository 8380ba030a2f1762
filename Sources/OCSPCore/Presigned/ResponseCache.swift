/// Where signed responses to single-CertID requests without a nonce are kept between runs, so that a
/// repeated question costs neither a database query nor a signature.
///
/// The cache only stores and returns bytes; `OCSPResponder` parses and checks every stored response
/// before serving it (its CertID, its times, its signer), so a corrupt, stale or foreign entry is a miss.
public protocol ResponseCache {
    /// The bytes kept for `certID`, unchecked; nil when there are none or they cannot be read.
    func storedResponse(for certID: CertID) -> [UInt8]?
    /// Keeps `der`, the signed response for `certID`, replacing what was there. A failure is the cache's
    /// to report: answering goes on without it.
    func store(_ der: [UInt8], for certID: CertID)
}

/// Whether a request was answered from the cache, for the log line.
public enum CacheUse: String, Hashable, Sendable {
    /// No cache is configured.
    case off
    /// A nonce, several CertIDs, or another CA's CertID: the answer is signed fresh and not kept.
    case bypass
    case hit
    case miss
}
