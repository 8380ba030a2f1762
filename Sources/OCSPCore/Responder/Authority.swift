/// What to answer for a serial the table does not hold (`[ocsp] not_found`).
public enum NotFoundPolicy: String, CaseIterable, Hashable, Sendable {
    /// A signed `unknown` (RFC 6960's meaning: the responder does not know this certificate).
    case unknown
    /// An unsigned `unauthorized` for the whole request, as OCSP_MySql answered.
    case unauthorized
    /// A signed `revoked`, certificateHold at 1970-01-01, with the extended-revoke extension (§2.2).
    case revoked
}

/// One CA we answer for: how requests name it, who signs for it, where its statuses live, and the policy.
public struct Authority {
    public var issuer: IssuerIdentity
    public var signer: any ResponseSigner
    public var statusSource: any CertificateStatusSource
    public var notFound: NotFoundPolicy
    /// How long a response is valid: nextUpdate = thisUpdate + this many seconds.
    public var validity: Int64

    public init(
        issuer: IssuerIdentity, signer: any ResponseSigner, statusSource: any CertificateStatusSource,
        notFound: NotFoundPolicy = .unknown, validity: Int64 = 86_400
    ) {
        self.issuer = issuer
        self.signer = signer
        self.statusSource = statusSource
        self.notFound = notFound
        self.validity = validity
    }
}
