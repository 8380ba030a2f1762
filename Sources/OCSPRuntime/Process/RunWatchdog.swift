import OCSPCore
import OCSPCrypto
import OCSPStore
import OCSPStoreMariaDB
import OCSPStoreSQLite
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// Bounds a one-shot run in time and turns SIGTERM, SIGINT and SIGHUP into a tidy end.
///
/// A thread of its own waits for those signals (blocked everywhere else, so none interrupts a write
/// halfway) or for the deadline. When either comes first:
/// - before the request was read: the output is left alone and the process exits (75 on the deadline,
///   128 + the signal's number on a signal);
/// - after it was read and before the answer was written: the fallback (a `tryLater` response) is
///   written and the process exits 3;
/// - once the answer is written: the process exits with the run's status.
///
/// The final write and the fallback take the same lock, so exactly one of them happens, whole. This is
/// what keeps a database that accepts a connection and never answers from holding the caller past its
/// timeout: the blocked call is simply abandoned with the process.
package final class RunWatchdog: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written only with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let deadline: Int64
    private let timeoutSeconds: Int
    private let logger: Logger
    private var fallback: (() -> Void)?
    private var finishedStatus: Int32?

    /// Blocks the signals in the calling thread (and so in every thread started after it) and starts
    /// the watching thread. Call it once, early, from the main thread.
    package init(timeoutSeconds: Int, logger: Logger) {
        self.timeoutSeconds = timeoutSeconds
        self.deadline = Self.monotonicNanoseconds() + Int64(timeoutSeconds) * 1_000_000_000
        self.logger = logger
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)

        var signals = Self.watchedSignals()
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<RunWatchdog>.fromOpaque(context!).takeUnretainedValue().watch()
        }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {
            // No thread: no deadline, but signals must still end the run.
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            Unmanaged<RunWatchdog>.fromOpaque(context).release()
            logger.warning("cannot start the watchdog thread; the run has no timeout")
        }
    }

    /// From now on an expiry or a signal runs `write` (the `tryLater` answer) before exiting.
    package func arm(fallback write: @escaping () -> Void) {
        pthread_mutex_lock(mutex)
        fallback = write
        pthread_mutex_unlock(mutex)
    }

    /// Runs the final write so that the fallback cannot interleave with it; the run's status is `status`.
    package func finish<T>(status: Int32, _ write: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let result = write()
        finishedStatus = status
        return result
    }

    private static func watchedSignals() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        return signals
    }

    private func watch() -> Never {
        var signals = Self.watchedSignals()
        var received: Int32 = 0
        while true {
            let remaining = deadline - Self.monotonicNanoseconds()
            if remaining <= 0 { break }
            var wait = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            let signal = sigtimedwait(&signals, nil, &wait)
            if signal > 0 {
                received = signal
                break
            }
            if errno != EINTR && errno != EAGAIN { break }
        }

        pthread_mutex_lock(mutex)
        if let finishedStatus { _exit(finishedStatus) }
        let cause = received > 0 ? "stopped by signal \(received)" : "timed out after \(timeoutSeconds) s"
        guard let fallback else {
            logger.error("\(cause) before the request was read; nothing written")
            _exit(received > 0 ? 128 + received : ExitStatus.temporaryFailure)
        }
        logger.error("\(cause); answered tryLater")
        fallback()
        _exit(3)
    }

    package static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
