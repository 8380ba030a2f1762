import OCSPCore

// Replaced when the SQLite store lands.
extension StoreOpener {
    static func openSQLite(path: String, table: String, access: Access, timeoutSeconds: UInt32) -> any StatusStore {
        fatalError("SQLite not yet merged")
    }
}
