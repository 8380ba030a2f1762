import OCSPCore
import OCSPWire

/// The requestors `[ocsp] trusted_requestors` names, and the check of a signed request's signature
/// against them (RFC 6960 §4.1.2, §4.2.1).
///
/// A request is signed by the certificate whose key verifies its signature over tbsRequest: one of those it
/// carries in `certs`, or, when it carries none, a trusted certificate itself. That certificate is trusted
/// when it is one of the file's, or was issued by one of them (its signature verifies with their key) and
/// is valid now. Signatures with SHA-1 or MD5 are refused: a request's signature is access control here,
/// and OpenSSL 3 and other clients sign requests with SHA-256.
package struct TrustedRequestors: RequestSignatureVerifier {
    private let trusted: [(certificate: Certificate, key: PublicKey)]

    /// The certificates of a PEM file's text; an empty list trusts nobody (signatures are still checked).
    package init(certificates: [Certificate]) {
        trusted = certificates.compactMap { certificate in
            (try? PublicKey(subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER)).map { (certificate, $0) }
        }
    }

    package func check(_ request: OCSPRequest, at now: UnixTime) -> RequestSignatureCheck {
        guard let signed = request.optionalSignature else { return .unsigned }
        guard let message = request.tbsRequestDER else { return .invalid(reason: "the request's tbsRequest bytes are not at hand") }
        guard signed.signature.paddingBits == 0 else { return .invalid(reason: "the signature BIT STRING has unused bits") }
        let signature = Array(signed.signature.bytes)
        func verifies(_ key: PublicKey) throws(SignatureVerifier.Failure) -> Bool {
            try SignatureVerifier.verify(signature: signature, message: Array(message), algorithm: signed.algorithm, key: key)
        }
        if signed.certificates.isEmpty {
            // A trusted certificate of another key type cannot have made it: try the next.
            for (certificate, key) in trusted where (try? verifies(key)) == true {
                return judged(certificate, at: now)
            }
            return .invalid(reason: "it carries no certificate, and no trusted requestor's key verifies it")
        }
        var subjects: [String] = []
        for der in signed.certificates {
            guard let certificate = try? Certificate(der: der) else {
                return .invalid(reason: "a certificate in its certs does not parse")
            }
            subjects.append(certificate.subject)
            do {
                let key = try PublicKey(subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER)
                if try verifies(key) { return judged(certificate, at: now) }
            } catch {
                return .invalid(reason: error.description)
            }
        }
        return .invalid(reason: "the signature does not verify with the key of \(subjects.joined(separator: ", "))")
    }

    /// Whether the requestor whose key verified the signature is trusted now.
    private func judged(_ requestor: Certificate, at now: UnixTime) -> RequestSignatureCheck {
        let name = requestor.subject
        guard requestor.notBefore <= now, now <= requestor.notAfter else {
            return .untrusted(requestor: name, reason: "its certificate is valid from \(requestor.notBefore.iso8601) to \(requestor.notAfter.iso8601)")
        }
        if trusted.contains(where: { $0.certificate.der == requestor.der }) { return .trusted(requestor: name) }
        if let issuer = trusted.first(where: { requestor.isIssued(by: $0.certificate, key: $0.key) })?.certificate {
            guard issuer.notBefore <= now, now <= issuer.notAfter else {
                return .untrusted(requestor: name, reason: "its issuer \(issuer.subject) is valid from \(issuer.notBefore.iso8601) to \(issuer.notAfter.iso8601)")
            }
            return .trusted(requestor: name)
        }
        return .untrusted(requestor: name, reason: "neither it nor its issuer is in trusted_requestors")
    }
}
