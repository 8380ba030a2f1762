import Dispatch
import OCSPCore
import OCSPWire
internal import CPKCS11
internal import COpenSSL
import Synchronization

/// Signs responses with a private key that stays on a PKCS#11 token (an HSM, SoftHSM), named by an
/// RFC 7512 URI (`[ocsp] pkey = pkcs11:token=...;object=...`).
///
/// Sessions: one per signature in flight. A signature takes an idle session or opens one, signs with it
/// alone (PKCS#11 sessions must not be shared by threads at once) and gives it back, so `serve`'s worker
/// threads and `resign`'s jobs each end up with a session of their own, up to the token's
/// `ulMaxSessionCount` at once (more wait for one). Sessions are opened when first needed, after the
/// process has dropped to the service user.
///
/// Failures are `SignerUnavailableError` (the request gets `tryLater`). A session that fails (token
/// removed, its directory gone) is closed and the next signature looks for the token again. A wrong PIN
/// is tried once per process: a hardware token locks itself after a few wrong PINs, so every later
/// signature fails at once with the same reason until the responder is restarted or reloaded.
///
/// Mechanisms: RSA CKM_RSA_PKCS over a SHA-256 DigestInfo (sha256WithRSAEncryption, PKCS #1 v1.5);
/// EC CKM_ECDSA over the SHA-256/384/512 digest, its raw `r || s` turned into DER; Ed25519 CKM_EDDSA.
/// The digest is made here, so a token needs only the plain mechanisms that every module has.
/// The first signature of each key is checked with the certificate's public key: a token key that is not
/// the certificate's is found then, once, instead of by every client.
package final class PKCS11Signer: ResponseSigner, @unchecked Sendable {
    // @unchecked Sendable: the stored properties are immutable or behind `state`'s Mutex; a session is
    // used by one thread at a time (taken out of the pool while it signs).
    package let signatureAlgorithm: AlgorithmIdentifier
    package let responderKeyHash: [UInt8]
    package let certificates: [[UInt8]]
    package let period: SigningPeriod
    package let uri: PKCS11URI
    private let module: PKCS11Module
    private let pin: [UInt8]
    private let kind: PrivateKey.Kind
    private let hash: HashAlgorithm?
    private let publicKey: PublicKey

    private struct State {
        var slot: CK_SLOT_ID?
        var idle: [Session] = []
        var gate: DispatchSemaphore?
        /// A failure no retry can mend (wrong PIN, a key that is not the certificate's).
        var permanent: PKCS11Error?
        var checked = false
    }
    private let state = Mutex(State())

    /// One open session, logged in, with the key's handle found.
    private struct Session {
        var handle: CK_SESSION_HANDLE
        var key: CK_OBJECT_HANDLE
    }

    /// - Parameters:
    ///   - pin: the user PIN's bytes (from the `pin-source` file); kept in memory only, never printed.
    ///   - includeCertificate, issuer: as for `OpenSSLSigner`.
    package init(
        certificate: Certificate, module: PKCS11Module, uri: PKCS11URI, pin: [UInt8], includeCertificate: Bool, issuer: Certificate? = nil
    ) throws {
        let publicKey = try PublicKey(subjectPublicKeyInfoDER: certificate.subjectPublicKeyInfoDER)
        let kind = publicKey.kind
        let scheme = try kind.signatureScheme
        self.kind = kind
        self.signatureAlgorithm = scheme.identifier
        switch kind {
        case .rsa: hash = .sha256
        case .ec(let bits) where bits <= 256: hash = .sha256
        case .ec(let bits) where bits <= 384: hash = .sha384
        case .ec: hash = .sha512
        default: hash = nil
        }
        self.publicKey = publicKey
        self.module = module
        self.uri = uri
        self.pin = pin
        self.responderKeyHash = OpenSSLDigester().digest(.sha1, certificate.publicKeyBits)
        self.certificates = includeCertificate ? [certificate.der] : []
        self.period = SigningPeriod(signer: certificate, issuer: issuer)
    }

    deinit {
        let idle = state.withLock { $0.idle }
        for session in idle { closeSession(session.handle) }
    }

    package func sign(_ message: [UInt8]) throws -> [UInt8] {
        do {
            return try signOnToken(message)
        } catch {
            throw SignerUnavailableError(description: "PKCS#11 key \(uri) in \(module.path): \(error.description)")
        }
    }

    private func signOnToken(_ message: [UInt8]) throws(PKCS11Error) -> [UInt8] {
        let gate = try prepare()
        gate.wait()
        defer { gate.signal() }
        var session = try state.withLock { state throws(PKCS11Error) -> Session? in
            if let permanent = state.permanent { throw permanent }
            return state.idle.popLast()
        }
        if session == nil { session = try openSession() }
        guard let session else { throw PKCS11Error(.other, "no session") }
        let signature: [UInt8]
        do {
            signature = try sign(message, in: session)
        } catch {
            closeSession(session.handle)
            // The token may be gone: forget the slot and the other sessions, so the next signature looks again.
            if error.code == .deviceGone {
                let idle = state.withLock { state in
                    defer { state.idle = []; state.slot = nil }
                    return state.idle
                }
                for other in idle { closeSession(other.handle) }
            }
            throw error
        }
        let checked = state.withLock { $0.checked }
        if !checked {
            let verified = (try? SignatureVerifier.verify(signature: signature, message: message, algorithm: signatureAlgorithm, key: publicKey)) ?? false
            guard verified else {
                closeSession(session.handle)
                let error = PKCS11Error(.keyNotFound, "the token's key does not match the certificate (its signature does not verify with the certificate's public key)")
                state.withLock { $0.permanent = error }
                throw error
            }
            state.withLock { $0.checked = true }
        }
        state.withLock { $0.idle.append(session) }
        return signature
    }

    /// Initialises the module, finds the token's slot and the gate bounding sessions in flight.
    private func prepare() throws(PKCS11Error) -> DispatchSemaphore {
        try module.initialize()
        return try state.withLock { state throws(PKCS11Error) -> DispatchSemaphore in
            if let permanent = state.permanent { throw permanent }
            if let gate = state.gate, state.slot != nil { return gate }
            let (slot, maxSessions) = try findSlot()
            state.slot = slot
            if state.gate == nil {
                // CK_EFFECTIVELY_INFINITE is 0, CK_UNAVAILABLE_INFORMATION all ones: then 256 at most.
                let limit = maxSessions == 0 || maxSessions > 256 ? 256 : Int(maxSessions)
                state.gate = DispatchSemaphore(value: limit)
            }
            guard let gate = state.gate else { throw PKCS11Error(.other, "no session gate") }
            return gate
        }
    }

    /// The slot whose token matches the URI, and its token's session limit.
    private func findSlot() throws(PKCS11Error) -> (CK_SLOT_ID, CK_ULONG) {
        let list = module.functions.pointee
        var count: CK_ULONG = 0
        try module.call("C_GetSlotList", list.C_GetSlotList) { $0(CK_BBOOL(CK_TRUE), nil, &count) }
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        if count > 0 {
            try module.call("C_GetSlotList", list.C_GetSlotList) { $0(CK_BBOOL(CK_TRUE), &slots, &count) }
        }
        for slot in slots.prefix(Int(count)) {
            if let slotID = uri.slotID, slotID != slot { continue }
            var info = CK_TOKEN_INFO()
            guard (try? module.call("C_GetTokenInfo", list.C_GetTokenInfo, { $0(slot, &info) })) != nil else { continue }
            if let token = uri.token, Self.padded(info.label) != token { continue }
            if let serial = uri.serial, Self.padded(info.serialNumber) != serial { continue }
            if let manufacturer = uri.manufacturer, Self.padded(info.manufacturerID) != manufacturer { continue }
            if let model = uri.model, Self.padded(info.model) != model { continue }
            return (slot, info.ulMaxSessionCount)
        }
        throw PKCS11Error(.tokenNotFound, "no token matches (\(count) token\(count == 1 ? "" : "s") present)")
    }

    /// A blank-padded fixed-size field of CK_TOKEN_INFO, without its padding.
    private static func padded<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { bytes in
            var text = Array(bytes)
            while let last = text.last, last == 0x20 || last == 0 { text.removeLast() }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Opens a session on the token, logs in (once per process: PKCS#11 logs every session of the
    /// application in) and finds the key.
    private func openSession() throws(PKCS11Error) -> Session {
        let list = module.functions.pointee
        guard let slot = state.withLock({ $0.slot }) else { throw PKCS11Error(.tokenNotFound, "the token went away") }
        var handle: CK_SESSION_HANDLE = 0
        try module.call("C_OpenSession", list.C_OpenSession) { $0(slot, CK_FLAGS(CKF_SERIAL_SESSION), nil, nil, &handle) }
        do {
            try login(handle)
            return Session(handle: handle, key: try findKey(handle))
        } catch {
            closeSession(handle)
            throw error
        }
    }

    private func login(_ handle: CK_SESSION_HANDLE) throws(PKCS11Error) {
        let list = module.functions.pointee
        var info = CK_SESSION_INFO()
        try module.call("C_GetSessionInfo", list.C_GetSessionInfo) { $0(handle, &info) }
        if info.state == CK_STATE(CKS_RO_USER_FUNCTIONS) || info.state == CK_STATE(CKS_RW_USER_FUNCTIONS) { return }
        guard let login = list.C_Login else { throw PKCS11Error(.other, "\(module.path) does not provide C_Login") }
        var pin = self.pin
        let rv = login(handle, CK_USER_TYPE(CKU_USER), &pin, CK_ULONG(pin.count))
        if rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN { return }
        let error = PKCS11Error(call: "C_Login", rv: rv)
        if error.code == .pinIncorrect || error.code == .pinLocked {
            let told = PKCS11Error(error.code, error.description + "; not tried again until the responder restarts or reloads (a token locks after a few wrong PINs)", returnValue: rv)
            state.withLock { $0.permanent = told }
            throw told
        }
        throw error
    }

    /// The handle of the one private key matching the URI's `object` and `id`.
    private func findKey(_ handle: CK_SESSION_HANDLE) throws(PKCS11Error) -> CK_OBJECT_HANDLE {
        let list = module.functions.pointee
        var keyClass = CK_OBJECT_CLASS(CKO_PRIVATE_KEY)
        var label = Array((uri.object ?? "").utf8)
        var id = uri.id ?? []
        var found = [CK_OBJECT_HANDLE](repeating: 0, count: 2)
        var count: CK_ULONG = 0
        guard let findInit = list.C_FindObjectsInit, let find = list.C_FindObjects else {
            throw PKCS11Error(.other, "\(module.path) does not provide C_FindObjects")
        }
        // (C_FindObjectsInit's, C_FindObjects') return values: the template's pointers live only in here.
        let (initRV, findRV) = withUnsafeMutableBytes(of: &keyClass) { classBytes in
            label.withUnsafeMutableBytes { labelBytes in
                id.withUnsafeMutableBytes { idBytes in
                    var template = [CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_CLASS), pValue: classBytes.baseAddress, ulValueLen: CK_ULONG(classBytes.count))]
                    if uri.object != nil {
                        template.append(CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_LABEL), pValue: labelBytes.baseAddress, ulValueLen: CK_ULONG(labelBytes.count)))
                    }
                    if uri.id != nil {
                        template.append(CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_ID), pValue: idBytes.baseAddress, ulValueLen: CK_ULONG(idBytes.count)))
                    }
                    let initRV = findInit(handle, &template, CK_ULONG(template.count))
                    guard initRV == CKR_OK else { return (initRV, CK_RV(CKR_OK)) }
                    let findRV = find(handle, &found, 2, &count)
                    _ = list.C_FindObjectsFinal.map { $0(handle) }
                    return (initRV, findRV)
                }
            }
        }
        guard initRV == CKR_OK else { throw PKCS11Error(call: "C_FindObjectsInit", rv: initRV) }
        guard findRV == CKR_OK else { throw PKCS11Error(call: "C_FindObjects", rv: findRV) }
        guard count == 1 else {
            throw PKCS11Error(.keyNotFound, count == 0 ? "the token holds no private key with that object/id (or the PIN does not unlock it)" : "more than one private key matches; add id= to the URI")
        }
        return found[0]
    }

    /// The signature of `message` in the X.509 form of `signatureAlgorithm`.
    private func sign(_ message: [UInt8], in session: Session) throws(PKCS11Error) -> [UInt8] {
        let list = module.functions.pointee
        let input: [UInt8]
        let mechanism: CK_MECHANISM_TYPE
        switch kind {
        case .rsa:
            // DigestInfo ::= SEQUENCE { AlgorithmIdentifier sha256 NULL, OCTET STRING digest } (RFC 8017 §9.2).
            input = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
                + OpenSSLDigester().digest(.sha256, message)
            mechanism = CK_MECHANISM_TYPE(CKM_RSA_PKCS)
        case .ec:
            input = OpenSSLDigester().digest(hash ?? .sha256, message)
            mechanism = CK_MECHANISM_TYPE(CKM_ECDSA)
        case .ed25519:
            input = message
            mechanism = CK_MECHANISM_TYPE(CKM_EDDSA)
        case .other:
            throw PKCS11Error(.mechanism, "unsupported key type \(kind)")
        }
        var mech = CK_MECHANISM(mechanism: mechanism, pParameter: nil, ulParameterLen: 0)
        try module.call("C_SignInit", list.C_SignInit) { $0(session.handle, &mech, session.key) }
        var data = input
        var output = [UInt8](repeating: 0, count: 1024)
        var length = CK_ULONG(output.count)
        try module.call("C_Sign", list.C_Sign) { $0(session.handle, &data, CK_ULONG(data.count), &output, &length) }
        let raw = Array(output.prefix(Int(length)))
        if case .ec = kind {
            guard let der = ECDSASignatureValue.der(raw: raw) else { throw PKCS11Error(.other, "C_Sign returned an ECDSA signature of \(raw.count) bytes") }
            return der
        }
        return raw
    }

    private func closeSession(_ handle: CK_SESSION_HANDLE) {
        _ = module.functions.pointee.C_CloseSession.map { $0(handle) }
    }
}
