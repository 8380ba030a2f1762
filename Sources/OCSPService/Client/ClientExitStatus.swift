/// The exit statuses of `request` and `inspect` (sysexits.h where one fits, as `respond` uses them).
public enum ClientExitStatus {
    /// `inspect`: the input was shown (and, with `--issuer`, verified).
    public static let success: Int32 = 0
    /// `inspect --issuer`: the response did not verify.
    public static let verificationFailed: Int32 = 1
    /// `inspect`: the input is neither an OCSP request nor an OCSP response.
    public static let notOCSP: Int32 = 2
    /// EX_USAGE: bad command-line arguments.
    public static let usage: Int32 = 64
    /// EX_NOINPUT: the input file cannot be read.
    public static let noInput: Int32 = RespondRun.ExitStatus.noInput
    /// EX_SOFTWARE: something that should not fail did (encoding, the random generator).
    public static let software: Int32 = 70
    /// EX_IOERR: the output cannot be written.
    public static let ioError: Int32 = RespondRun.ExitStatus.ioError
    /// EX_CONFIG: a certificate file that cannot be used.
    public static let unusableFile: Int32 = RespondRun.ExitStatus.config
}
