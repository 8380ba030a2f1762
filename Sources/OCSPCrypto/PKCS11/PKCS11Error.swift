internal import CPKCS11

/// A PKCS#11 call that failed, or a token that cannot sign; the message names the call and the CKR code,
/// never the PIN.
package struct PKCS11Error: Error, Sendable, CustomStringConvertible {
    package enum Code: Sendable, Equatable {
        /// The module file cannot be loaded or is not a PKCS#11 module: a config error.
        case module
        /// No token matches the URI (removed, not initialised, its directory gone).
        case tokenNotFound
        /// No key on the token matches the URI, or the key does not match the certificate.
        case keyNotFound
        /// C_Login refused the PIN. Never retried by the same process: a token locks after a few tries.
        case pinIncorrect
        /// The PIN is locked, expired or must be changed.
        case pinLocked
        /// The token was removed or a session it held became invalid: a new session is tried next time.
        case deviceGone
        /// The token lacks the mechanism the key needs (CKM_EDDSA on older SoftHSM).
        case mechanism
        /// Any other CKR_ code.
        case other
    }

    package var code: Code
    /// The CKR_ value, when a call returned one.
    package var returnValue: UInt?
    package var description: String

    init(_ code: Code, _ description: String, returnValue: UInt? = nil) {
        self.code = code
        self.description = description
        self.returnValue = returnValue
    }

    /// The error for `function` returning `rv`.
    init(call function: String, rv: CK_RV) {
        let code: Code
        switch rv {
        case UInt(CKR_PIN_INCORRECT), UInt(CKR_PIN_INVALID), UInt(CKR_PIN_LEN_RANGE): code = .pinIncorrect
        case UInt(CKR_PIN_LOCKED), UInt(CKR_PIN_EXPIRED): code = .pinLocked
        case UInt(CKR_DEVICE_REMOVED), UInt(CKR_TOKEN_NOT_PRESENT), UInt(CKR_SESSION_HANDLE_INVALID), UInt(CKR_SESSION_CLOSED),
             UInt(CKR_DEVICE_ERROR), UInt(CKR_TOKEN_NOT_RECOGNIZED), UInt(CKR_USER_NOT_LOGGED_IN), UInt(CKR_KEY_HANDLE_INVALID),
             UInt(CKR_OBJECT_HANDLE_INVALID), UInt(CKR_CRYPTOKI_NOT_INITIALIZED):
            code = .deviceGone
        case UInt(CKR_MECHANISM_INVALID), UInt(CKR_KEY_TYPE_INCONSISTENT), UInt(CKR_KEY_FUNCTION_NOT_PERMITTED): code = .mechanism
        default: code = .other
        }
        self.init(code, "\(function) failed: \(Self.name(rv))", returnValue: rv)
    }

    /// The CKR_ name of the codes a signer meets, else the hexadecimal value.
    static func name(_ rv: CK_RV) -> String {
        switch rv {
        case UInt(CKR_PIN_INCORRECT): "CKR_PIN_INCORRECT (wrong PIN)"
        case UInt(CKR_PIN_INVALID): "CKR_PIN_INVALID"
        case UInt(CKR_PIN_LEN_RANGE): "CKR_PIN_LEN_RANGE"
        case UInt(CKR_PIN_LOCKED): "CKR_PIN_LOCKED"
        case UInt(CKR_PIN_EXPIRED): "CKR_PIN_EXPIRED"
        case UInt(CKR_DEVICE_REMOVED): "CKR_DEVICE_REMOVED"
        case UInt(CKR_DEVICE_ERROR): "CKR_DEVICE_ERROR"
        case UInt(CKR_TOKEN_NOT_PRESENT): "CKR_TOKEN_NOT_PRESENT"
        case UInt(CKR_TOKEN_NOT_RECOGNIZED): "CKR_TOKEN_NOT_RECOGNIZED"
        case UInt(CKR_SESSION_HANDLE_INVALID): "CKR_SESSION_HANDLE_INVALID"
        case UInt(CKR_SESSION_CLOSED): "CKR_SESSION_CLOSED"
        case UInt(CKR_SESSION_COUNT): "CKR_SESSION_COUNT"
        case UInt(CKR_USER_NOT_LOGGED_IN): "CKR_USER_NOT_LOGGED_IN"
        case UInt(CKR_MECHANISM_INVALID): "CKR_MECHANISM_INVALID"
        case UInt(CKR_KEY_TYPE_INCONSISTENT): "CKR_KEY_TYPE_INCONSISTENT"
        case UInt(CKR_KEY_FUNCTION_NOT_PERMITTED): "CKR_KEY_FUNCTION_NOT_PERMITTED"
        case UInt(CKR_KEY_HANDLE_INVALID): "CKR_KEY_HANDLE_INVALID"
        case UInt(CKR_OBJECT_HANDLE_INVALID): "CKR_OBJECT_HANDLE_INVALID"
        case UInt(CKR_GENERAL_ERROR): "CKR_GENERAL_ERROR"
        case UInt(CKR_FUNCTION_FAILED): "CKR_FUNCTION_FAILED"
        case UInt(CKR_ARGUMENTS_BAD): "CKR_ARGUMENTS_BAD"
        case UInt(CKR_CRYPTOKI_NOT_INITIALIZED): "CKR_CRYPTOKI_NOT_INITIALIZED"
        default: "CKR 0x" + String(rv, radix: 16)
        }
    }
}
