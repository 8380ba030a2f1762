internal import CMariaDB
import OCSPCore

/// A prepared statement with string parameters, returning rows of (string, datetime, string) columns.
///
/// Connector/C keeps the addresses of the bind buffers from `mysql_stmt_bind_*` until the last fetch,
/// so this class owns them as manually allocated memory that never moves, freed in `deinit`.
final class MariaDBStatement {
    private let statement: UnsafeMutablePointer<MYSQL_STMT>

    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        self.statement = statement
    }

    deinit {
        mysql_stmt_close(statement)
    }

    /// One result row of the status query; nil fields were SQL NULL.
    struct StatusRow {
        var status: String?
        var revocationTime: UnixTime?
        var revocationReason: String?
    }

    /// Runs the statement with `parameters` bound as strings and reads every row.
    func queryStatusRows(_ parameters: [String]) throws(StatusSourceError) -> [StatusRow] {
        let params = ParameterBuffers(parameters)
        guard mysql_stmt_bind_param(statement, params.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the serial")
        }
        guard mysql_stmt_execute(statement) == 0 else {
            throw MariaDBConnection.statementError(statement, "status query failed")
        }
        defer { mysql_stmt_free_result(statement) }

        let result = ResultBuffers()
        guard mysql_stmt_bind_result(statement, result.binds) == 0 else {
            throw MariaDBConnection.statementError(statement, "cannot bind the status columns")
        }
        var rows: [StatusRow] = []
        while true {
            let code = mysql_stmt_fetch(statement)
            if code == MYSQL_NO_DATA { break }
            if code == MYSQL_DATA_TRUNCATED {
                throw StatusSourceError(.failed, "a status row has a value longer than the status, reason or time columns allow")
            }
            guard code == 0 else { throw MariaDBConnection.statementError(statement, "reading the status row failed") }
            rows.append(result.row())
        }
        return rows
    }
}

/// Input binds: one MYSQL_TYPE_STRING per parameter.
private final class ParameterBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let strings: [UnsafeMutableBufferPointer<CChar>]
    let lengths: UnsafeMutablePointer<UInt>

    init(_ parameters: [String]) {
        strings = parameters.map { parameter in
            let utf8 = Array(parameter.utf8)
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(utf8.count, 1))
            _ = buffer.initialize(from: utf8.map { CChar(bitPattern: $0) })
            return buffer
        }
        binds = .allocate(capacity: parameters.count)
        binds.initialize(repeating: MYSQL_BIND(), count: parameters.count)
        lengths = .allocate(capacity: parameters.count)
        for (index, parameter) in parameters.enumerated() {
            lengths[index] = UInt(parameter.utf8.count)
            binds[index].buffer_type = MYSQL_TYPE_STRING
            binds[index].buffer = UnsafeMutableRawPointer(strings[index].baseAddress)
            binds[index].buffer_length = lengths[index]
            binds[index].length = lengths + index
        }
    }

    deinit {
        strings.forEach { $0.deallocate() }
        binds.deallocate()
        lengths.deallocate()
    }
}

/// Output binds for (status, revocation_time, revocation_reason).
private final class ResultBuffers {
    static let textCapacity = 64
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let status: UnsafeMutablePointer<CChar>
    let reason: UnsafeMutablePointer<CChar>
    let time: UnsafeMutablePointer<MYSQL_TIME>
    let lengths: UnsafeMutablePointer<UInt>
    let nulls: UnsafeMutablePointer<my_bool>
    let errors: UnsafeMutablePointer<my_bool>

    init() {
        binds = .allocate(capacity: 3)
        binds.initialize(repeating: MYSQL_BIND(), count: 3)
        status = .allocate(capacity: Self.textCapacity)
        reason = .allocate(capacity: Self.textCapacity)
        time = .allocate(capacity: 1)
        time.initialize(to: MYSQL_TIME())
        lengths = .allocate(capacity: 3)
        lengths.initialize(repeating: 0, count: 3)
        nulls = .allocate(capacity: 3)
        nulls.initialize(repeating: 0, count: 3)
        errors = .allocate(capacity: 3)
        errors.initialize(repeating: 0, count: 3)

        let buffers: [(UnsafeMutableRawPointer, enum_field_types, UInt)] = [
            (UnsafeMutableRawPointer(status), MYSQL_TYPE_STRING, UInt(Self.textCapacity)),
            (UnsafeMutableRawPointer(time), MYSQL_TYPE_DATETIME, UInt(MemoryLayout<MYSQL_TIME>.size)),
            (UnsafeMutableRawPointer(reason), MYSQL_TYPE_STRING, UInt(Self.textCapacity)),
        ]
        for (index, (buffer, type, capacity)) in buffers.enumerated() {
            binds[index].buffer_type = type
            binds[index].buffer = buffer
            binds[index].buffer_length = capacity
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = errors + index
        }
    }

    func row() -> MariaDBStatement.StatusRow {
        func text(_ index: Int, _ buffer: UnsafeMutablePointer<CChar>) -> String? {
            guard nulls[index] == 0 else { return nil }
            let count = min(Int(lengths[index]), Self.textCapacity)
            return String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        }
        var revocationTime: UnixTime?
        if nulls[1] == 0 {
            let t = time.pointee
            // DATETIME carries no zone; OCSP_MySql's rows and ours are written in UTC.
            revocationTime = UnixTime(
                year: Int(t.year), month: Int(t.month), day: Int(t.day),
                hours: Int(t.hour), minutes: Int(t.minute), seconds: Int(t.second)
            )
        }
        return .init(status: text(0, status), revocationTime: revocationTime, revocationReason: text(2, reason))
    }

    deinit {
        binds.deallocate()
        status.deallocate()
        reason.deallocate()
        time.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}
