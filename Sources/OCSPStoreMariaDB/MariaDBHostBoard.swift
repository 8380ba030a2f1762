import Logging
import Synchronization

/// Which MariaDB hosts this process has found unable to serve, and until when they are left alone: one
/// board for the whole process, so that when one of `serve`'s workers finds a host hung, the others stop
/// sending it requests that would each wait the timeout (a circuit breaker), and a host is probed by one
/// session at a time.
///
/// A host that refused, timed out, answered "this node cannot serve now" (Galera 1047, a shutdown, a
/// replica past `max_lag`) is *unusable* for `failback` seconds: sessions choosing a host skip it. After
/// that it is tried first again, by one session (the *probe*); the others keep to the next host until
/// the probe succeeds. When every host is unusable, one session at a time in the whole process (the
/// *last-resort probe*) may still try them, in the list's order (which comes back first is not known),
/// so that a single host that comes back is used at once rather than after `failback`; the other
/// sessions fail at once with "unavailable", and at most one worker waits on a hung host.
///
/// Each switch is logged once: when a usable host becomes unusable (warning) and when it answers again
/// (notice), with the host's name and the reason, never a password.
package final class MariaDBHostBoard: Sendable {
    /// The process's board.
    package static let shared = MariaDBHostBoard()

    /// What a session may do with a host now.
    package enum Admission: Equatable {
        /// Known good: connect.
        case use
        /// Unusable until now, or the last resort: connect as its one probe, then say how it went
        /// (`succeeded`, `failed`, or `released`).
        case probe
        /// Unusable, or being probed by another session: try the next host.
        case skip
    }

    private struct Unusable {
        var until: ContinuousClock.Instant
        var reason: String
        var probing: Bool
    }

    private struct State {
        var unusable: [String: Unusable] = [:]
        /// The host a last-resort probe is on: one in the whole process, whichever host it is, so that
        /// while every host is unusable at most one session waits on a hung one.
        var lastResortProbe: String?
        var logger: Logger?

        /// The verdict on `host` ends its probe, and the last-resort probe if it was that.
        mutating func endProbe(_ host: String) {
            unusable[host]?.probing = false
            if lastResortProbe == host { lastResortProbe = nil }
        }
    }

    private let state = Mutex(State())
    /// Bumped at every change, so that a session on a kept connection sees with one atomic load that
    /// no host has changed since it last looked.
    private let changes = Atomic<UInt64>(0)

    package init() {}

    /// Where switches are logged; until set, nowhere.
    package func reportSwitches(to logger: Logger) {
        state.withLock { $0.logger = logger }
    }

    /// A number that changes whenever a host becomes unusable or usable again.
    package var generation: UInt64 { changes.load(ordering: .acquiring) }

    /// May a session connect to `host` now? `lastResort`: every host has been skipped once already.
    /// A `.probe` answer reserves the host's one probe for the caller.
    package func admission(_ host: String, lastResort: Bool, now: ContinuousClock.Instant = .now) -> Admission {
        state.withLock { state in
            guard var entry = state.unusable[host] else { return .use }
            guard !entry.probing else { return .skip }
            if entry.until > now {
                guard lastResort, state.lastResortProbe == nil else { return .skip }
                state.lastResortProbe = host
            }
            entry.probing = true
            state.unusable[host] = entry
            return .probe
        }
    }

    /// True when `host` is unusable now (another session found it so), or is being probed.
    package func isUnusable(_ host: String) -> Bool {
        state.withLock { $0.unusable[host] != nil }
    }

    /// True when a session on `hosts[index]` should leave it for an earlier host of the list: one that
    /// is usable, or whose `failback` is over and that nobody is probing.
    package func prefersEarlierHost(than index: Int, of hosts: [String], now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            hosts.prefix(index).contains { host in
                guard let entry = state.unusable[host] else { return true }
                return !entry.probing && entry.until <= now
            }
        }
    }

    /// A session connected to `host` (logged at debug level: which host answers is otherwise not seen).
    package func connected(_ host: String) {
        state.withLock { $0.logger }?.debug("connected to MariaDB at \(host)")
    }

    /// `host` served: usable again (logged when it had not been).
    package func succeeded(_ host: String) {
        let (wasUnusable, logger) = state.withLock { state in
            state.endProbe(host)
            return (state.unusable.removeValue(forKey: host) != nil, state.logger)
        }
        guard wasUnusable else { return }
        changes.add(1, ordering: .releasing)
        logger?.notice("MariaDB at \(host) answers again; it is used again")
    }

    /// `host` cannot serve now: unusable for `failback` (logged when it had been usable).
    package func failed(_ host: String, reason: String, failback: Duration, now: ContinuousClock.Instant = .now) {
        let logger: Logger? = state.withLock { state in
            let wasUsable = state.unusable[host] == nil
            state.endProbe(host)
            state.unusable[host] = Unusable(until: now + failback, reason: reason, probing: false)
            return wasUsable ? state.logger : nil
        }
        changes.add(1, ordering: .releasing)
        logger?.warning("MariaDB at \(host) cannot serve now (\(reason)); it is left for the next host for \(failback.components.seconds) s, and tried only when no other can serve")
    }

    /// Ends the caller's probe of `host` without a verdict on the host (the failure was not the host's:
    /// a wrong password, a missing table).
    package func released(_ host: String) {
        state.withLock { state in state.endProbe(host) }
    }

    /// Why each of `hosts` that is unusable is, for the error when none can be used.
    package func reasons(_ hosts: [String]) -> [String] {
        state.withLock { state in
            hosts.compactMap { host in
                state.unusable[host].map { $0.probing ? "\(host): being tried again" : "\(host): \($0.reason)" }
            }
        }
    }

    /// Forgets every host (tests).
    package func reset() {
        state.withLock {
            $0.unusable = [:]
            $0.lastResortProbe = nil
        }
        changes.add(1, ordering: .releasing)
    }
}
