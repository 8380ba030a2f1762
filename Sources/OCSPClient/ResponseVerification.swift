import OCSPCore
import OCSPCrypto
import OCSPWire

/// Checks a response against the CA the caller trusts, as a relying party must (RFC 6960 §3.2, §4.2.2.2):
///
/// 1. the signature verifies with the issuer's key, or with a certificate in `certs` that the issuer
///    issued, that carries id-kp-OCSPSigning and that is within its validity (a delegated responder);
/// 2. the ResponderID names that signer (byKey: SHA-1 of its key, byName: its subject);
/// 3. every CertID names the issuer (both hashes, for the hash algorithm the CertID uses);
/// 4. every SingleResponse is current: thisUpdate ≤ now + skew, and nextUpdate, when present, > now − skew.
package enum ResponseVerification {
    /// Clocks disagree; five minutes is what RFC 5019 §4 deployments commonly allow.
    package static let clockSkew: Int64 = 300

    /// The trusted issuer, loaded once: its certificate, the CertID hashes it is named by, its key decoded.
    package struct Issuer: Sendable {
        package let certificate: Certificate
        package let identity: IssuerIdentity
        package let subject: String
        /// Decoded once: it checks the response's signature and each embedded certificate's.
        package let key: PublicKey?

        package init(certificate: Certificate) {
            self.certificate = certificate
            identity = IssuerIdentity(certificate, digester: OpenSSLDigester())
            subject = certificate.subject
            key = try? PublicKey(subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER)
        }
    }

    package static func verify(_ document: OCSPDocument, issuer: Issuer, at now: UnixTime) -> VerificationReport {
        switch document {
        case .request(let request):
            // A request has no responder signature; what can be checked is that it asks the right CA.
            let certIDs = request.tbsRequest.requestList.map(\.certID)
            let problems = certIDProblems(certIDs, issuer: issuer)
            return VerificationReport(issuerSubject: issuer.subject, certIDsMatchIssuer: problems.isEmpty, checkedAt: now, problems: problems)
        case .response(let response, let basic):
            guard response.responseStatus == .successful else {
                return VerificationReport(
                    issuerSubject: issuer.subject, certIDsMatchIssuer: false, checkedAt: now,
                    problems: ["the response is \(response.responseStatus), an unsigned error: nothing to verify"]
                )
            }
            guard let basic else {
                let type = response.responseBytes.map { ObjectIdentifierNames.name(of: $0.responseType) } ?? "missing"
                return VerificationReport(
                    issuerSubject: issuer.subject, certIDsMatchIssuer: false, checkedAt: now,
                    problems: ["the response type is \(type), not id-pkix-ocsp-basic"]
                )
            }
            return verify(basic, issuer: issuer, at: now)
        }
    }

    static func verify(_ basic: BasicOCSPResponse, issuer: Issuer, at now: UnixTime) -> VerificationReport {
        var problems: [String] = []
        let data = basic.tbsResponseData

        // 1. Who signed: the issuer first, then each embedded certificate.
        var candidates: [(certificate: Certificate, isIssuer: Bool)] = [(issuer.certificate, true)]
        for (index, any) in (basic.certs ?? []).enumerated() {
            guard let der = try? any.derBytes(), let certificate = try? Certificate(der: der) else {
                problems.append("certificate \(index + 1) in the response does not parse")
                continue
            }
            candidates.append((certificate, false))
        }
        let message = Array(basic.tbsResponseDataBytes)
        let signature = Array(basic.signature.bytes)
        var signer: (certificate: Certificate, isIssuer: Bool)?
        var verifierError: SignatureVerifier.Failure?
        for candidate in candidates {
            do {
                if try SignatureVerifier.verify(signature: signature, message: message, algorithm: basic.signatureAlgorithm,
                                                subjectPublicKeyInfoDER: candidate.certificate.subjectPublicKeyInfoDER) {
                    signer = candidate
                    break
                }
            } catch {
                verifierError = verifierError ?? error
            }
        }

        var signerKind: VerificationReport.Signer?
        var delegateAuthorized: Bool?
        var responderIDMatches: Bool?
        if let signer {
            if !signer.isIssuer {
                let delegate = signer.certificate
                let subject = delegate.subject
                signerKind = .delegate(subject: subject)
                var authorized = true
                if !delegate.isIssued(by: issuer.certificate, key: issuer.key) {
                    problems.append("the signer \(subject), a certificate in the response, is not issued by the issuer \(issuer.subject)")
                    authorized = false
                }
                if !delegate.hasOCSPSigningUsage {
                    problems.append("the signer \(subject), a certificate in the response, lacks the OCSPSigning extended key usage")
                    authorized = false
                }
                if !(delegate.notBefore.seconds - clockSkew <= now.seconds && now.seconds < delegate.notAfter.seconds + clockSkew) {
                    problems.append("the signer \(subject) is outside its validity (\(delegate.notBefore) to \(delegate.notAfter))")
                    authorized = false
                }
                delegateAuthorized = authorized
            } else {
                signerKind = .issuer
            }
            // 2. The ResponderID must name the key that signed.
            let matches: Bool
            switch data.responderID {
            case .byKey(let hash):
                matches = hash.bytes.elementsEqual(OpenSSLDigester().digest(.sha1, signer.certificate.publicKeyBits))
            case .byName(let name):
                matches = (try? name.derBytes()) == signer.certificate.subjectNameDER
            }
            responderIDMatches = matches
            if !matches { problems.append("the ResponderID does not name the signer") }
        } else {
            let reason = verifierError.map { " (\($0))" } ?? ""
            problems.append("the signature does not verify with the issuer's key nor with any certificate in the response\(reason)")
        }

        // 3. and 4.
        let wrongCertIDs = certIDProblems(data.responses.map(\.certID), issuer: issuer)
        problems += wrongCertIDs
        let staleResponses = data.responses.flatMap { timeProblems($0, at: now) }
        problems += staleResponses

        return VerificationReport(
            issuerSubject: issuer.subject, signer: signerKind, signatureValid: signer != nil,
            delegateAuthorized: delegateAuthorized, responderIDMatches: responderIDMatches,
            certIDsMatchIssuer: wrongCertIDs.isEmpty, timesValid: staleResponses.isEmpty, checkedAt: now, problems: problems
        )
    }

    static func certIDProblems(_ certIDs: [CertID], issuer: Issuer) -> [String] {
        guard !certIDs.isEmpty else { return ["there is no CertID"] }
        return certIDs.filter { !issuer.identity.matches($0) }.map { certID in
            HashAlgorithm(certID.hashAlgorithm) == nil
                ? "the CertID for serial \(certID.serialNumber) uses the unsupported hash \(ObjectIdentifierNames.name(of: certID.hashAlgorithm.algorithm))"
                : "the CertID for serial \(certID.serialNumber) names another issuer than \(issuer.subject)"
        }
    }

    static func timeProblems(_ single: SingleResponse, at now: UnixTime) -> [String] {
        var problems: [String] = []
        let serial = single.certID.serialNumber
        let thisUpdate = UnixTime(single.thisUpdate)
        if thisUpdate > now + clockSkew {
            problems.append("serial \(serial): thisUpdate \(thisUpdate) is in the future (now \(now))")
        }
        if let next = single.nextUpdate.map(UnixTime.init), next <= UnixTime(seconds: now.seconds - clockSkew) {
            problems.append("serial \(serial): expired at nextUpdate \(next) (now \(now))")
        }
        return problems
    }
}
