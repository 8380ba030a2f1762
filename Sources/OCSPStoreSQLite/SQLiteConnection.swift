import OCSPCore
internal import CSQLite

/// One open SQLite database file, owning the `sqlite3` handle.
final class SQLiteConnection {
    let handle: OpaquePointer
    /// The file, for messages.
    let path: String

    /// Opens `path`: read-only (what `respond` uses, so it can never change the table), or read-write and
    /// created when missing (what the admin commands use).
    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32) throws(StatusSourceError) {
        self.path = path
        // NOMUTEX: one thread uses a store, so SQLite's own locking of the handle would be wasted work.
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        var opened: OpaquePointer?
        // NOFOLLOW: the store is a file of the service's; a link in its place is refused, never followed.
        let code = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, nil)
        guard let opened else {
            throw StatusSourceError(.failed, "cannot open the SQLite status database \(path): SQLite could not allocate a handle")
        }
        guard code == SQLITE_OK else {
            // SQLite returns a handle even when the open fails; it holds the message and must still be closed.
            let error = Self.classify(code: sqlite3_extended_errcode(opened), message: String(cString: sqlite3_errmsg(opened)),
                                      context: "cannot open the SQLite status database \(path)")
            sqlite3_close_v2(opened)
            throw error
        }
        handle = opened
        // Extended codes tell a duplicate primary key (SQLITE_CONSTRAINT_PRIMARYKEY) from a failed CHECK.
        sqlite3_extended_result_codes(handle, 1)
        // While another connection writes, wait this long for its lock instead of failing at once, so that
        // `respond` and an admin command can run at the same time.
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit {
        // close_v2: should a statement outlive this object, SQLite closes the file once it is finalized.
        sqlite3_close_v2(handle)
    }

    /// Compiles one SQL statement.
    func prepare(_ sql: String) throws(StatusSourceError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw lastError(code: code, context: "cannot prepare a statement")
        }
        return SQLiteStatement(statement, sql: sql, connection: self)
    }

    /// Rows the last INSERT, UPDATE or DELETE changed.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// The error SQLite reports for `code`, with its message and the file.
    func lastError(code: Int32, context: String) -> StatusSourceError {
        Self.classify(code: code, message: String(cString: sqlite3_errmsg(handle)), context: "\(context) (SQLite status database \(path))")
    }

    /// Sorts an error into "try later" (another connection holds a lock longer than the busy timeout) and
    /// "internal error" (a missing file or table, a violated constraint, a broken file, anything else).
    static func classify(code: Int32, message: String, context: String) -> StatusSourceError {
        // The low byte is the primary code; extended codes such as SQLITE_BUSY_SNAPSHOT share it.
        let primary = code & 0xFF
        let kind: StatusSourceError.Kind = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? .unavailable : .failed
        return StatusSourceError(kind, "\(context): \(message) (SQLite error \(code))")
    }
}
