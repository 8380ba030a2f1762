import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire
/// Exit statuses beyond the OCSP ones (sysexits.h values, as mail and ssh tools use).
package enum ExitStatus {
    package static let noInput: Int32 = 66
    package static let ioError: Int32 = 74
    package static let config: Int32 = 78
    /// EX_NOPERM: a command that a caller through sudo may not run.
    package static let noPermission: Int32 = 77
    /// EX_USAGE: bad command-line arguments.
    package static let usage: Int32 = 64
    /// EX_UNAVAILABLE: a service this command needs cannot be had (`serve`: an address that cannot be bound).
    package static let unavailable: Int32 = 69
    /// EX_SOFTWARE: something that should not fail did.
    package static let software: Int32 = 70
}
