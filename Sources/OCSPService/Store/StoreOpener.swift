import OCSPCore
import OCSPMariaDB
import OCSPSQLite

/// Opens the status table the config names, on its backend.
public enum StoreOpener {
    /// What the store is for: `respond` only reads (SQLite opens the file read-only); admin commands write.
    public enum Access: Sendable {
        case readOnly, readWrite
    }

    public static func open(_ database: ResponderConfiguration.Database, table: String, access: Access) -> any StatusStore {
        switch database.backend {
        case .mariadb(let options):
            return MariaDBStatusStore(options: options, table: table)
        case .sqlite(let path):
            return SQLiteStatusStore(
                path: path, table: table, readOnly: access == .readOnly,
                busyTimeoutMilliseconds: Int32(database.timeoutSeconds) * 1000
            )
        }
    }
}
