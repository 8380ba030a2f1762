import OCSPCore
import OCSPWire
internal import CMariaDB

/// A value bound to, or read from, a prepared statement.
enum SQLValue: Hashable {
    case text(String)
    case blob([UInt8])
    /// A DATETIME, always UTC.
    case time(UnixTime)
    /// A DATETIME that is no calendar date (`0000-00-00 00:00:00`, `2024-00-00 …`: MariaDB's default
    /// sql_mode stores them), as `YYYY-MM-DD HH:MM:SS`; read only, never bound.
    case unreadableTime(String)
    case null

    var text: String? { if case .text(let value) = self { value } else { nil } }
    var time: UnixTime? { if case .time(let value) = self { value } else { nil } }
    var unreadableTime: String? { if case .unreadableTime(let value) = self { value } else { nil } }
    var blob: [UInt8] { if case .blob(let value) = self { value } else { [] } }
}

/// What a result column holds, so that its buffer can be bound before fetching.
enum SQLColumn {
    case text, time, blob
}

/// A prepared statement with bound parameters and typed result columns.
///
/// Connector/C keeps the addresses of the bind buffers from `mysql_stmt_bind_*` until the last fetch,
/// so this class owns them as manually allocated memory that never moves, freed in `deinit`.
final class MariaDBStatement {
    private let statement: UnsafeMutablePointer<MYSQL_STMT>
    /// Held so that the connection outlives the statement: closing a statement needs its connection.
    private let connection: MariaDBConnection

    init(statement: UnsafeMutablePointer<MYSQL_STMT>, connection: MariaDBConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit {
        mysql_stmt_close(statement)
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    func execute(_ parameters: [SQLValue]) throws(StatusSourceError) -> Int {
        let params = ParameterBuffers(parameters)
        guard mysql_stmt_bind_param(statement, params.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the parameters")
        }
        guard mysql_stmt_execute(statement) == 0 else {
            throw MariaDBConnection.statementError(statement, "the statement failed")
        }
        return Int(mysql_stmt_affected_rows(statement))
    }

    /// Runs a query and hands each row to `body` as it is fetched, unbuffered: a large table streams
    /// through one row's worth of memory.
    func query(_ parameters: [SQLValue], columns: [SQLColumn], _ body: ([SQLValue]) throws -> Void) throws {
        let params = ParameterBuffers(parameters)
        guard mysql_stmt_bind_param(statement, params.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the parameters")
        }
        guard mysql_stmt_execute(statement) == 0 else {
            throw MariaDBConnection.statementError(statement, "the query failed")
        }
        defer { mysql_stmt_free_result(statement) }
        let result = ResultBuffers(columns)
        guard mysql_stmt_bind_result(statement, result.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the result columns")
        }
        while true {
            let code = mysql_stmt_fetch(statement)
            if code == MYSQL_NO_DATA { break }
            if code == MYSQL_DATA_TRUNCATED {
                throw StatusSourceError(.failed, "a row has a value longer than its column's buffer (\(ResultBuffers.textCapacity) characters, \(ResultBuffers.blobCapacity) bytes)")
            }
            guard code == 0 else { throw MariaDBConnection.statementError(statement, "reading a row failed") }
            try body(result.row())
        }
    }

    /// Runs a statement without parameters (a `SHOW`) and returns its first row by column name, every
    /// value as text (NULL left out), or nil when it returns no row. A value longer than the text buffer
    /// is cut, which is fine for the short values asked of it.
    func firstRowByName() throws(StatusSourceError) -> [String: String]? {
        guard mysql_stmt_execute(statement) == 0 else {
            throw MariaDBConnection.statementError(statement, "the query failed")
        }
        defer { mysql_stmt_free_result(statement) }
        guard let metadata = mysql_stmt_result_metadata(statement) else { return nil }
        defer { mysql_free_result(metadata) }
        let count = Int(mysql_num_fields(metadata))
        guard count > 0, let fields = mysql_fetch_fields(metadata) else { return nil }
        let names = (0..<count).map { fields[$0].name.map { String(cString: $0) } ?? "" }
        let result = ResultBuffers(Array(repeating: .text, count: count))
        guard mysql_stmt_bind_result(statement, result.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the result columns")
        }
        let code = mysql_stmt_fetch(statement)
        if code == MYSQL_NO_DATA { return nil }
        guard code == 0 || code == MYSQL_DATA_TRUNCATED else { throw MariaDBConnection.statementError(statement, "reading a row failed") }
        var row: [String: String] = [:]
        for (name, value) in zip(names, result.row()) {
            if let text = value.text { row[name] = text }
        }
        return row
    }

    /// `query` collecting every row, for look-ups that return a handful.
    func rows(_ parameters: [SQLValue], columns: [SQLColumn]) throws(StatusSourceError) -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        do {
            try query(parameters, columns: columns) { rows.append($0) }
        } catch let error as StatusSourceError {
            throw error
        } catch {
            throw StatusSourceError(.failed, "\(error.inputReason)")
        }
        return rows
    }
}

/// Input binds, one per parameter, over buffers that stay put until the statement has run.
private final class ParameterBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private var buffers: [UnsafeMutableRawPointer] = []
    private let lengths: UnsafeMutablePointer<UInt>

    init(_ parameters: [SQLValue]) {
        let count = max(parameters.count, 1)
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        for (index, parameter) in parameters.enumerated() {
            let bytes: [UInt8]
            let type: enum_field_types
            switch parameter {
            case .text(let text): (bytes, type) = (Array(text.utf8), MYSQL_TYPE_STRING)
            case .blob(let blob): (bytes, type) = (blob, MYSQL_TYPE_BLOB)
            // DATETIME columns carry no zone; a 'YYYY-MM-DD HH:MM:SS' literal is stored as written (UTC).
            case .time(let time): (bytes, type) = (Array(time.tableText.utf8), MYSQL_TYPE_STRING)
            case .null, .unreadableTime:
                binds[index].buffer_type = MYSQL_TYPE_NULL
                continue
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
            buffers.append(buffer)
            lengths[index] = UInt(bytes.count)
            binds[index].buffer_type = type
            binds[index].buffer = buffer
            binds[index].buffer_length = lengths[index]
            binds[index].length = lengths + index
        }
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        binds.deallocate()
        lengths.deallocate()
    }
}

/// Output binds for typed columns.
private final class ResultBuffers {
    static let textCapacity = 256
    /// A certificate larger than this is not one a CA issues.
    static let blobCapacity = 64 * 1024
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let columns: [SQLColumn]
    private let buffers: [UnsafeMutableRawPointer]
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>

    init(_ columns: [SQLColumn]) {
        self.columns = columns
        let count = max(columns.count, 1)
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        nulls = .allocate(capacity: count)
        nulls.initialize(repeating: 0, count: count)
        errors = .allocate(capacity: count)
        errors.initialize(repeating: 0, count: count)
        var buffers: [UnsafeMutableRawPointer] = []
        for (index, column) in columns.enumerated() {
            let (type, capacity): (enum_field_types, Int) = switch column {
            case .text: (MYSQL_TYPE_STRING, Self.textCapacity)
            case .time: (MYSQL_TYPE_DATETIME, MemoryLayout<MYSQL_TIME>.size)
            case .blob: (MYSQL_TYPE_BLOB, Self.blobCapacity)
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
            buffers.append(buffer)
            binds[index].buffer_type = type
            binds[index].buffer = buffer
            binds[index].buffer_length = UInt(capacity)
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = errors + index
        }
        self.buffers = buffers
    }

    func row() -> [SQLValue] {
        columns.enumerated().map { index, column in
            guard nulls[index] == 0 else { return .null }
            switch column {
            case .text:
                let count = min(Int(lengths[index]), Self.textCapacity)
                return .text(String(decoding: UnsafeRawBufferPointer(start: buffers[index], count: count), as: UTF8.self))
            case .blob:
                let count = min(Int(lengths[index]), Self.blobCapacity)
                return .blob(Array(UnsafeRawBufferPointer(start: buffers[index], count: count)))
            case .time:
                let t = buffers[index].load(as: MYSQL_TIME.self)
                // Checked, not computed: the unchecked arithmetic would turn month 0 into the previous
                // year's November, a revocation time the table never held.
                guard t.neg == 0, let time = UnixTime(
                    checkedYear: Int(t.year), month: Int(t.month), day: Int(t.day),
                    hours: Int(t.hour), minutes: Int(t.minute), seconds: Int(t.second)
                ) else {
                    return .unreadableTime(Self.tableText(t))
                }
                return .time(time)
            }
        }
    }

    /// The fields as `YYYY-MM-DD HH:MM:SS`, the way the mysql client shows them.
    private static func tableText(_ t: MYSQL_TIME) -> String {
        func pad(_ value: UInt32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(t.neg != 0 ? "-" : "")\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2)) \(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2))"
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}
