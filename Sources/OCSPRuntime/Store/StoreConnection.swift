import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire

/// A store's connection, seen from a long-running process: `serve` checks it for `/health` and drops it
/// when a call fails, so that the next call connects again instead of reusing a broken connection.
package protocol StoreConnection: AnyObject {
    /// Connects now (if not yet) and checks the store answers.
    func checkConnection() throws(StatusSourceError)
    /// Closes the connection; the next use opens a new one.
    func close()
}

extension MariaDBStatusStore: StoreConnection {}
extension SQLiteStatusStore: StoreConnection {}
