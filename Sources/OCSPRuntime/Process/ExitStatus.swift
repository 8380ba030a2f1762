import OCSPWire

/// Every exit status of every command, in one place.
///
/// `respond` exits with the OCSP status it wrote (1 malformedRequest, 2 internalError, 3 tryLater,
/// 6 unauthorized); `check` and `inspect` give their answer in the small numbers below 64; failures use
/// the sysexits.h values, as mail and ssh tools do.
package enum ExitStatus {
    package static let success: Int32 = 0

    /// `check`: the verified answer.
    package enum Check {
        package static let good: Int32 = 0
        package static let revoked: Int32 = 1
        package static let unknown: Int32 = 2
        /// Anything that kept the check from a verified answer; the reason is printed.
        package static let error: Int32 = 3
    }

    /// `inspect`.
    package enum Inspect {
        /// `--issuer`: the response did not verify.
        package static let verificationFailed: Int32 = 1
        /// The input is neither an OCSP request nor an OCSP response.
        package static let notOCSP: Int32 = 2
    }

    /// `resign`: some rows failed (logged and counted; the run went on).
    package enum Resign {
        package static let someRowsFailed: Int32 = 1
    }

    /// `respond`: the OCSP status written, when it is not `successful`.
    package static func respond(_ status: OCSPResponseStatus) -> Int32 {
        status == .successful ? success : Int32(status.rawValue)
    }

    /// EX_USAGE: bad command-line arguments.
    package static let usage: Int32 = 64
    /// EX_DATAERR: the input does not allow the change (`db`: not issued by a configured CA, already there…).
    package static let dataError: Int32 = 65
    /// EX_NOINPUT: the input file cannot be read.
    package static let noInput: Int32 = 66
    /// EX_UNAVAILABLE: a service the command needs cannot be had now (the database, an address to bind).
    package static let unavailable: Int32 = 69
    /// EX_SOFTWARE: something that should not fail did (the database answered wrongly, encoding, the random generator).
    package static let software: Int32 = 70
    /// EX_IOERR: the output cannot be written.
    package static let ioError: Int32 = 74
    /// EX_TEMPFAIL: `respond` timed out before it had read the request (so it wrote nothing).
    package static let temporaryFailure: Int32 = 75
    /// EX_NOPERM: a command that a caller through sudo may not run.
    package static let noPermission: Int32 = 77
    /// EX_CONFIG: the config file, or a certificate, key or password file it or the command line names.
    package static let config: Int32 = 78
}
