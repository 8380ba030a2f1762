import OCSPStore
import OCSPStoreSQLite

/// Opens the status tables the config names, on its backend.
package enum StoreOpener {
    /// What the store is for: `respond` only reads (SQLite opens the file read-only); admin commands write.
    package typealias Access = StoreAccess

    /// One store on a connection of its own: what `respond` and `serve` use, one per table.
    package static func open(_ database: ResponderConfiguration.Database, table: String, access: Access) -> any StatusStore {
        openSession(database, access: access).store(table: table)
    }

    /// One connection to the config's database, on which `store(table:)` opens any of its tables: stores
    /// of one session share its write transactions, so an admin command's changes to several CAs' tables
    /// commit or roll back together. Nothing is connected until the first statement.
    package static func openSession(_ database: ResponderConfiguration.Database, access: Access) -> any StatusStoreSession {
        database.store.openSession(access: access)
    }
}

extension ResponderConfiguration.Database {
    /// The backend `[db] backend` chose, as its module describes it: the one place backends are told
    /// apart. A new backend is a module implementing `StatusStoreBackend`, `StatusStoreSession` and
    /// `StatusStore`, and one line here.
    package var store: any StatusStoreBackend {
        switch backend {
        case .mariadb(let options): options
        case .sqlite(let path): SQLiteFile(path: path, busyTimeoutMilliseconds: Int32(clamping: Int64(timeoutSeconds) * 1000))
        }
    }
}
