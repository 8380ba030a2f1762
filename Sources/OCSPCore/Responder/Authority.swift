/// What to answer for a serial the table does not hold (`[ocsp] not_found`).
package enum NotFoundPolicy: String, CaseIterable, Hashable, Sendable {
    /// A signed `unknown` (RFC 6960's meaning: the responder does not know this certificate).
    case unknown
    /// An unsigned `unauthorized` for the whole request, as OCSP_MySql answered.
    case unauthorized
    /// A signed `revoked`, certificateHold at 1970-01-01, with the extended-revoke extension (§2.2).
    case revoked
}

/// One CA we answer for: how requests name it, who signs for it, where its statuses live, and the policy.
package struct Authority {
    package var issuer: IssuerIdentity
    package var signer: any ResponseSigner
    package var statusSource: any CertificateStatusSource
    package var notFound: NotFoundPolicy
    /// How long a response is valid: nextUpdate = thisUpdate + this many seconds.
    package var validity: Int64
    /// The CA certificate's own status, pre-signed by its issuer (`ocspresponse`); nil when not configured.
    package var intermediate: IntermediateResponse?
    /// A name for log lines and messages: `ocsp` for the default CA, else the `[issuer NAME]` section's NAME.
    package var name: String
    /// The signer pairs `signer` was chosen from (`[ocsp] cert` naming a directory or a list); nil: one pair.
    package var rotation: SignerRotation?

    package init(
        issuer: IssuerIdentity, signer: any ResponseSigner, statusSource: any CertificateStatusSource,
        notFound: NotFoundPolicy = .unknown, validity: Int64 = 86_400, intermediate: IntermediateResponse? = nil,
        name: String = "ocsp", rotation: SignerRotation? = nil
    ) {
        self.rotation = rotation
        self.issuer = issuer
        self.signer = signer
        self.statusSource = statusSource
        self.notFound = notFound
        self.validity = validity
        self.intermediate = intermediate
        self.name = name
    }

    /// True when this authority's signer may also answer for `other`'s certificates: both describe the same
    /// CA (the same name and key), for example two sections that keep its certificates in two tables.
    /// A signer is the CA itself or a delegate the CA issued (RFC 6960 §4.2.2.2), so it speaks for no other CA.
    package func signerIsAuthorized(for other: Authority) -> Bool {
        issuer.isSameCA(as: other.issuer)
    }
}
