import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPWire
/// The exit statuses of `request` and `inspect` (sysexits.h where one fits, as `respond` uses them).
package enum ClientExitStatus {
    /// `inspect`: the input was shown (and, with `--issuer`, verified).
    package static let success: Int32 = 0
    /// `inspect --issuer`: the response did not verify.
    package static let verificationFailed: Int32 = 1
    /// `inspect`: the input is neither an OCSP request nor an OCSP response.
    package static let notOCSP: Int32 = 2
    /// EX_USAGE: bad command-line arguments.
    package static let usage: Int32 = 64
    /// EX_NOINPUT: the input file cannot be read.
    package static let noInput: Int32 = ExitStatus.noInput
    /// EX_SOFTWARE: something that should not fail did (encoding the request).
    package static let software: Int32 = 70
    /// EX_IOERR: the output cannot be written.
    package static let ioError: Int32 = ExitStatus.ioError
    /// EX_CONFIG: a certificate file that cannot be used.
    package static let unusableFile: Int32 = ExitStatus.config
}
