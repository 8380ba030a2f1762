import NIOConcurrencyHelpers

/// A dictionary shared by threads behind a lock that never holds more than `capacity` entries, so that a
/// flood of distinct keys cannot grow it forever. When it is full, a new key evicts any entry: every table
/// of `serve` that uses it holds what can be had again at the cost of one slower answer.
final class BoundedTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private let entries = NIOLockedValueBox<[Key: Value]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? {
        entries.withLockedValue { $0[key] }
    }

    func insert(_ value: Value, for key: Key) {
        entries.withLockedValue { entries in
            if entries.count >= capacity, entries[key] == nil {
                entries.remove(at: entries.startIndex)
            }
            entries[key] = value
        }
    }

    func remove(_ key: Key) {
        _ = entries.withLockedValue { $0.removeValue(forKey: key) }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}
