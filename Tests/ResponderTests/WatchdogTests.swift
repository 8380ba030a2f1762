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
    func respondWaitingForStdin(timeout: Int, signal: String? = nil, signalAfter: Double = 0.5, hold: Int = 8) throws
        -> (status: Int32?, stdout: String, stderr: String, seconds: Double) {
        let scenario = try Scenario()
        let output = scenario.directory.appendingPathComponent("stdout")
        // The shell times the run itself: the test's pipes stay open until `sleep` ends.
        // stdin from a process substitution, not a pipeline: `wait` would wait for the whole pipeline's job.
        let kill = signal == nil ? "" : #"sleep "$6"; kill -"$5" $pid; "#
        let script = #"start=$(date +%s%N); "$0" respond --config "$1" --timeout "$2" - < <(sleep "$3" 2>/dev/null) > "$4" & pid=$!; "#
            + kill + #"wait $pid; status=$?"#
        let result = try run("/bin/bash", ["-c", script + #"; echo "ms=$(( ($(date +%s%N) - start) / 1000000 ))"; echo "status=$status""#,
                                           ResponderBinary.path, scenario.configPath, "\(timeout)", "\(hold)", output.path,
                                           signal ?? "", "\(signalAfter)"])
        func value(_ name: String) -> Int? {
            result.stdoutText.split(separator: "\n").last { $0.hasPrefix(name + "=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
        }
        let status = value("status").map { Int32($0) }
        let seconds = Double(value("ms") ?? Int.max / 2) / 1000
        return (status, try String(contentsOf: output, encoding: .utf8), result.stderr, seconds)
    }

    /// A signal before the request: 128 + its number, as a shell reports a process the signal killed.
    @Test(arguments: [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP)])
    func aSignalBeforeTheRequestEndsTheRunAtOnceWritingNothing(name: String, number: Int32) throws {
        let run = try respondWaitingForStdin(timeout: 30, signal: name)
        #expect(run.status == 128 + number, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("stopped by signal \(number) before the request was read; nothing written"), "\(run.stderr)")
        // At once: not at the 30 s deadline, nor when stdin closes after 8 s.
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
