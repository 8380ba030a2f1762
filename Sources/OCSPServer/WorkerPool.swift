import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where a connection's answers are worked out, off its event loop: `WorkerPool` in `serve`; the HTTP fuzz
/// target runs them on its own thread, at moments it chooses, so that each input finishes before the next.
package protocol ServeWorkers: Sendable {
    /// Runs `body` with a worker of its own and completes the future on `eventLoop`; nil when the backlog is full.
    func run<Result: Sendable>(on eventLoop: any EventLoop, _ body: @escaping @Sendable (ServeWorker) -> Result) -> EventLoopFuture<Result>?
}

/// Runs signing and database calls off the event loops: a fixed number of threads (NIOThreadPool), and as
/// many `ServeWorker`s, each owning its database connections.
///
/// A job takes a free worker from the list, under a lock, and puts it back when done. The pool has as
/// many threads as there are workers, so a running job always finds one, and no worker is ever used by
/// two threads at once.
final class WorkerPool: ServeWorkers {
    /// Holds the workers, which are not Sendable themselves: they move between threads only through
    /// the locked free list, one thread at a time.
    private final class Box: @unchecked Sendable {
        let worker: ServeWorker
        init(_ worker: ServeWorker) { self.worker = worker }
    }

    private let threads: NIOThreadPool
    private let free: NIOLockedValueBox<[Box]>
    private let all: [Box]
    /// Jobs accepted and not yet finished; beyond `maximumBacklog` a request is answered `tryLater` at once
    /// rather than queued behind minutes of work.
    private let backlog = NIOLockedValueBox(0)
    let maximumBacklog: Int

    init(workers: [ServeWorker], maximumBacklog: Int) {
        all = workers.map(Box.init)
        free = NIOLockedValueBox(all)
        threads = NIOThreadPool(numberOfThreads: workers.count)
        self.maximumBacklog = maximumBacklog
        threads.start()
    }

    /// Runs `body` on a worker thread with a worker of its own; nil when the backlog is full.
    package func run<Result: Sendable>(on eventLoop: any EventLoop, _ body: @escaping @Sendable (ServeWorker) -> Result) -> EventLoopFuture<Result>? {
        let accepted = backlog.withLockedValue { count in
            guard count < maximumBacklog else { return false }
            count += 1
            return true
        }
        guard accepted else { return nil }
        let future = threads.runIfActive(eventLoop: eventLoop) { [free] in
            let box = free.withLockedValue { $0.popLast() }!
            defer { free.withLockedValue { $0.append(box) } }
            return body(box.worker)
        }
        future.whenComplete { [backlog] _ in backlog.withLockedValue { $0 -= 1 } }
        return future
    }

    /// Jobs accepted and not yet finished.
    var pendingJobs: Int { backlog.withLockedValue { $0 } }

    /// After a reload put another pool in place: waits (at most `limit`) until the jobs this pool holds
    /// have finished, then shuts it down.
    func retire(within limit: Duration) {
        let deadline = ContinuousClock.now + limit
        while pendingJobs > 0 && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        shutdown()
    }

    /// Waits for the running jobs, stops the threads, and closes every worker's database connections.
    func shutdown() {
        try? threads.syncShutdownGracefully()
        for box in all { box.worker.close() }
    }
}
