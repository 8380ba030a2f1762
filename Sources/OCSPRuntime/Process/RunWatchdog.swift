#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import Synchronization

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
package final class RunWatchdog: Sendable {
    /// What the watching thread and the run's last write decide under one lock.
    private struct State {
        var fallback: Fallback?
        var finishedStatus: Int32?
    }

    /// @unchecked Sendable: the fallback shares what it writes (the output file) with the run's own final
    /// write on the main thread; it is called only with the lock held (in `watch`), as that write runs
    /// (in `finish`), so the two never run at the same time.
    private struct Fallback: @unchecked Sendable {
        let write: () -> Void
    }

    private let state = Mutex(State())
    private let deadline: ContinuousClock.Instant
    private let timeoutSeconds: Int
    private let logger: Logger

    /// Blocks the signals in the calling thread (and so in every thread started after it) and starts
    /// the watching thread. Call it once, early, from the main thread.
    package init(timeoutSeconds: Int, logger: Logger) {
        self.timeoutSeconds = timeoutSeconds
        self.deadline = .now + .seconds(timeoutSeconds)
        self.logger = logger

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
        state.withLock { $0.fallback = Fallback(write: write) }
    }

    /// Runs the final write so that the fallback cannot interleave with it; the run's status is `status`.
    package func finish<T: Sendable>(status: Int32, _ write: () -> T) -> T {
        state.withLock { state in
            let result = write()
            state.finishedStatus = status
            return result
        }
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
            // A thread of its own, not a signal handler: reading the clock here needs no async-signal safety.
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { break }
            let (seconds, attoseconds) = remaining.components
            var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            let signal = sigtimedwait(&signals, nil, &wait)
            if signal > 0 {
                received = signal
                break
            }
            if errno != EINTR && errno != EAGAIN { break }
        }

        // The lock is never given back: the process ends inside it, so the run's own write cannot start.
        state.withLock { state -> Never in
            if let finishedStatus = state.finishedStatus { _exit(finishedStatus) }
            let cause = received > 0 ? "stopped by signal \(received)" : "timed out after \(timeoutSeconds) s"
            guard let fallback = state.fallback else {
                logger.error("\(cause) before the request was read; nothing written")
                _exit(received > 0 ? 128 + received : ExitStatus.temporaryFailure)
            }
            logger.error("\(cause); answered tryLater")
            fallback.write()
            _exit(ExitStatus.respond(.tryLater))
        }
    }
}
