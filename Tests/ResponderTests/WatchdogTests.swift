import Foundation
import Testing
import TestSupport

/// `RunWatchdog`, through the built binary: the watchdog ends its own process (`_exit`) on the deadline
/// or a signal, and blocks the signals of the process it runs in, so it cannot be started inside the
/// test runner. Before the request is read, nothing is written and the status says why; the cases with
/// a request in hand (tryLater, 3) are in ProductionTests.
@Suite struct WatchdogTests {
    /// `respond -` with a stdin that stays open and empty for `hold` seconds: the request never arrives.
    /// After `signalAfter` seconds, `signal` is sent to it (none when nil). Its status, stdout and stderr,
    /// and how long it ran.
    func respondWaitingForStdin(timeout: Int, signal: String? = nil, signalAfter: Double = 0.5, hold: Int = 10) throws
        -> (status: Int32?, stdout: String, stderr: String, seconds: Double) {
        let scenario = try Scenario()
        let output = scenario.directory.appendingPathComponent("stdout")
        let started = Date()
        let script = signal == nil
            ? #"sleep "$3" | "$0" respond --config "$1" --timeout "$2" - > "$4"; echo "status=$?""#
            : #"sleep "$3" | "$0" respond --config "$1" --timeout "$2" - > "$4" & pid=$!; sleep "$6"; kill -"$5" $pid; wait $pid; echo "status=$?""#
        let result = try run("/bin/bash", ["-c", script, ResponderBinary.path, scenario.configPath, "\(timeout)", "\(hold)", output.path,
                                           signal ?? "", "\(signalAfter)"])
        let seconds = Date().timeIntervalSince(started)
        let status = result.stdoutText.split(separator: "\n").last { $0.hasPrefix("status=") }.flatMap { Int32($0.dropFirst("status=".count)) }
        return (status, try String(contentsOf: output, encoding: .utf8), result.stderr, seconds)
    }

    /// A signal before the request: 128 + its number, as a shell reports a process the signal killed.
    @Test(arguments: [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP)])
    func aSignalBeforeTheRequestEndsTheRunAtOnceWritingNothing(name: String, number: Int32) throws {
        let run = try respondWaitingForStdin(timeout: 30, signal: name)
        #expect(run.status == 128 + number, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("stopped by signal \(number) before the request was read; nothing written"), "\(run.stderr)")
        // At once: not at the 30 s deadline, nor when stdin closes after 10 s.
        #expect(run.seconds < 5, "took \(run.seconds) s")
    }

    /// The deadline counts from the start of the run, and is kept to within a second or so.
    @Test func theDeadlineIsTheTimeoutInSeconds() throws {
        let run = try respondWaitingForStdin(timeout: 2)
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("timed out after 2 s before the request was read"), "\(run.stderr)")
        #expect(run.seconds >= 2 && run.seconds < 4, "took \(run.seconds) s")
    }
}
