import Foundation
import Testing
import TestSupport

/// Issue 18: etc/logrotate.d/ocsp-responder with the real logrotate, on a copy whose paths and user are
/// this test's: a dry run (-d) without errors, then forced rotations (-f) with a state file of its own.
/// The log is the one `respond` writes as the service user; the postrotate's SIGHUP goes, through the pid
/// file branch (systemd is not PID 1 here), to a stand-in that records it: reopening on SIGHUP is serve's
/// own, tested with serve.
@Suite(.enabled(if: getuid() == 0 && TestAccounts.service != nil, "needs root and the test accounts (scripts/test.sh)"))
struct LogrotateTests {
    @Test func rotatesTheLogRespondWritesAndSignals() throws {
        let harness = try ServeHarness(launch: .none)
        let service = harness.service
        let directory = harness.directory
        let group = try TestAccounts.group(of: service)
        let pidFile = directory.appendingPathComponent("serve.pid").path
        let marker = directory.appendingPathComponent("hangups").path
        let state = directory.appendingPathComponent("logrotate.state").path
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("etc/logrotate.d/ocsp-responder"), encoding: .utf8)
        let config = directory.appendingPathComponent("logrotate.conf").path
        // As setup.sh installs it: this log, this user; the service user's group where adm may be missing.
        try shipped.replacingOccurrences(of: "/var/log/ocsp-responder/ocsp-responder.log", with: harness.logPath)
            .replacingOccurrences(of: "/run/ocsp-responder/serve.pid", with: pidFile)
            .replacingOccurrences(of: "pycert", with: service)
            .write(toFile: config, atomically: true, encoding: .utf8)

        func respond() throws {
            let request = directory.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der")
            try harness.request(["good.pem"]).write(to: request)
            try TestAccounts.chown(request.path, to: service)
            let result = try runAs(service, ResponderBinary.path, ["respond", "--config", harness.configPath, request.path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

        try respond()
        #expect(text(harness.logPath).contains("certs=0x1001:good"), "\(text(harness.logPath))")

        let dry = try run("logrotate", ["-d", "-s", state, config])
        #expect(dry.status == 0, "\(dry.stdoutText)\(dry.stderr)")
        #expect(!(dry.stdoutText + dry.stderr).lowercased().contains("error"), "\(dry.stdoutText)\(dry.stderr)")
        #expect((dry.stdoutText + dry.stderr).contains(harness.logPath))

        // A stand-in for serve, which records each SIGHUP. It unblocks the signals first: a child of this
        // test process starts with them blocked (the mask of the thread that spawned it), and bash cannot.
        let standIn = Process()
        standIn.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        standIn.arguments = ["-c", """
            import os, signal, sys, time
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP, signal.SIGTERM})
            signal.signal(signal.SIGHUP, lambda *_: open(sys.argv[1], "a").write("hup\\n"))
            open(sys.argv[2], "w").write(str(os.getpid()))
            for _ in range(600):
                time.sleep(0.1)
            """, marker, pidFile]
        try standIn.run()
        defer { kill(standIn.processIdentifier, SIGKILL); standIn.waitUntilExit() }
        for _ in 0..<50 where text(pidFile).isEmpty { usleep(100_000) }

        let first = try run("logrotate", ["-f", "-s", state, config])
        #expect(first.status == 0, "\(first.stdoutText)\(first.stderr)")
        #expect(text(harness.logPath + ".1").contains("certs=0x1001:good"))
        #expect(text(harness.logPath).isEmpty)
        let mode = try run("stat", ["-c", "%a %U:%G", harness.logPath]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mode == "640 \(service):adm" || mode == "640 \(service):\(group)", "\(mode)")
        for _ in 0..<30 where text(marker).isEmpty { usleep(100_000) }
        #expect(text(marker) == "hup\n", "postrotate sent no SIGHUP: \(text(marker))")

        // respond writes to the new file, as the service user; the next rotation compresses the last one.
        try respond()
        #expect(text(harness.logPath).contains("certs=0x1001:good"), "\(text(harness.logPath))")
        let second = try run("logrotate", ["-f", "-s", state, config])
        #expect(second.status == 0, "\(second.stdoutText)\(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: harness.logPath + ".2.gz"))
        #expect(text(harness.logPath + ".1").contains("certs=0x1001:good"))
        for _ in 0..<30 where text(marker) != "hup\nhup\n" { usleep(100_000) }
        #expect(text(marker) == "hup\nhup\n")
    }
}
