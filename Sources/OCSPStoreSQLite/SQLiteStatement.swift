import OCSPCore
internal import CSQLite

/// A prepared statement, owning its `sqlite3_stmt`: bind, step through the rows, reset for the next use.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// Kept so that the database stays open while the statement lives; also where error messages come from.
    private let connection: SQLiteConnection
    /// The extended result code of the last failed step, so that a caller can tell one constraint from another.
    private(set) var lastErrorCode: Int32 = SQLITE_OK
    /// The SQL text, the key of the store's statement cache.
    let sql: String

    init(_ handle: OpaquePointer, sql: String, connection: SQLiteConnection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// A value bound to a parameter.
    enum Value {
        case text(String)
        case blob([UInt8])
        case null

        /// Text, or NULL for nil.
        static func text(_ value: String?) -> Value { value.map(Value.text) ?? .null }
    }

    /// Binds `values` to parameters 1, 2, … in order.
    func bind(_ values: [Value]) throws(StatusSourceError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .text(let text):
                // withCString: a pointer that is never nil (nil would bind NULL), even for "".
                code = text.withCString { sqlite3_bind_text(handle, index, $0, Int32(text.utf8.count), csqlite_transient()) }
            case .blob(let bytes) where bytes.isEmpty:
                // An empty array may have no storage, and a nil pointer binds NULL: `cert` is NOT NULL.
                code = sqlite3_bind_zeroblob(handle, index, 0)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            case .null:
                code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw connection.lastError(code: code, context: "cannot bind parameter \(index)") }
        }
    }

    /// Moves to the next row: true when there is one, false when the statement has finished.
    func step(_ context: @autoclosure () -> String) throws(StatusSourceError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            lastErrorCode = code
            throw connection.lastError(code: code, context: context())
        }
    }

    /// Runs a statement that returns no rows we need, to the end.
    func run(_ context: @autoclosure () -> String) throws(StatusSourceError) {
        while try step(context()) {}
    }

    /// Text of `column` in the current row, nil for NULL.
    func text(_ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let characters = sqlite3_column_text(handle, column) else {
            return nil
        }
        // The count after the pointer, as SQLite documents: asking for the text may convert the value first.
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }

    /// Bytes of `column` in the current row; empty for NULL or an empty BLOB.
    func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Readies the statement for its next use. Until a statement is reset, a half-read SELECT keeps its
    /// read transaction open, and a WAL file could not be checkpointed past it.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        lastErrorCode = SQLITE_OK
    }
}
