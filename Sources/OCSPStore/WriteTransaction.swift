import OCSPCore
/// A connection's write transaction, for the sessions of both backends: whether one is open, and the
/// one way one runs (begin, the body, commit; a body or a commit that fails is rolled back, and its error
/// is what the caller gets). Used by the thread that uses its session.
package final class WriteTransaction {
    /// True from the begin to the commit or rollback: MariaDB's stores then lock what they read.
    package private(set) var isOpen = false
    /// The connection, for the message that refuses a nested transaction.
    private let connection: String

    /// - Parameter connection: what the connection is, for messages: "the SQLite status database PATH".
    package init(on connection: String) {
        self.connection = connection
    }

    /// - Parameters:
    ///   - begin, commit: the backend's statements; an error from `begin` means nothing was started.
    ///   - rollBack: tried after a failure; its own failure is not reported over the one that caused it
    ///     (a connection that is gone has rolled back anyway).
    package func run<Result>(
        begin: () throws(StatusSourceError) -> Void, commit: () throws(StatusSourceError) -> Void, rollBack: () -> Void,
        _ body: () throws -> Result
    ) throws -> Result {
        // A second begin inside the transaction would commit the open one on MariaDB (and fail on SQLite):
        // the outer caller's all-or-nothing would end there without its knowing.
        guard !isOpen else {
            throw StatusSourceError(.failed, "a write transaction is already open on \(connection); transactions do not nest")
        }
        try begin()
        isOpen = true
        defer { isOpen = false }
        let result: Result
        do {
            result = try body()
        } catch {
            rollBack()
            throw error
        }
        do throws(StatusSourceError) {
            try commit()
        } catch {
            rollBack()
            throw error
        }
        return result
    }
}
