import OCSPStore

/// An SQLite file holding the status tables, as `[db] backend = sqlite` names it.
package struct SQLiteFile: StatusStoreBackend, Hashable {
    package var path: String
    /// How long to wait for another connection's lock (see `SQLiteSession`).
    package var busyTimeoutMilliseconds: Int32

    package init(path: String, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    /// Read-only access opens the file with SQLITE_OPEN_READONLY; read-write creates it when missing.
    package func openSession(access: StoreAccess) -> any StatusStoreSession {
        SQLiteSession(path: path, readOnly: access == .readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }
}
