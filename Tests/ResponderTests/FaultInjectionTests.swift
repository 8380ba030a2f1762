import Foundation
import Testing
import TestSupport

/// Faults a responder meets in production, each answered with the right OCSP status (or exit status),
/// a clear message, nothing half-written, and a next run that works.
@Suite(.enabled(if: MariaDBTestServer.isAvailable, "needs the MariaDB that scripts/test.sh starts"))
struct FaultInjectionTests {
    static let internalError = Data([0x30, 0x03, 0x0A, 0x01, 0x02])

    @Test func aWrongDatabasePasswordIsAnInternalErrorWithoutThePassword() throws {
        let base = try Scenario()
        let scenario = try Scenario(dbSection: base.server.configSection(table: base.table)
            .replacingOccurrences(of: "password = \(base.server.password)", with: "password = Wr0ng-Secret"))
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 2)
        #expect(response == Self.internalError)
        #expect(result.stderr.contains("Access denied") && !result.stderr.contains("Wr0ng-Secret"), "\(result.stderr)")
        // The next run, with the right password, works.
        try base.insert("0x1001")
        let (fixed, answer, _) = try base.respond(try base.opensslRequest(["good.pem"]))
        #expect(fixed.status == 0)
        #expect(try base.verify(answer).first?.certStatus == "GOOD")
    }

    @Test func aRowWithAnUnexpectedStatusIsAnInternalError() throws {
        let scenario = try Scenario()
        // A table another tool altered: status is free text there.
        try scenario.server.execute("ALTER TABLE \(scenario.table) MODIFY status varchar(20) NOT NULL")
        try scenario.insert("0x1001", status: "Suspended")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 2)
        #expect(response == Self.internalError)
        #expect(result.stderr.contains("unknown status 'Suspended'"))
    }

    @Test func aFIFOAHugeFileAndAReadOnlyFile() throws {
        let scenario = try Scenario()
        try scenario.insert("0x1001")
        // A FIFO with no writer: refused at once, never waited on.
        let fifo = scenario.directory.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let fromFIFO = try ResponderBinary.run(["respond", "--config", scenario.configPath, "--timeout", "5", fifo.path])
        #expect(fromFIFO.status == 66 && fromFIFO.stderr.contains("not a regular file"), "\(fromFIFO.stderr)")

        // A huge file is answered malformedRequest after reading past the cap only.
        let huge = scenario.directory.appendingPathComponent("huge.der")
        try Data(count: 50 << 20).write(to: huge)
        let (big, bigResponse, _) = try scenario.respond(huge)
        #expect(big.status == 1 && big.stderr.contains("larger than"))
        #expect(bigResponse == Data([0x30, 0x03, 0x0A, 0x01, 0x01]))

        // A read-only request file in a writable directory is replaced, keeping its mode.
        let request = try scenario.opensslRequest(["good.pem"])
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: request.path)
        let (readOnly, answer, _) = try scenario.respond(request)
        #expect(readOnly.status == 0)
        #expect(try scenario.verify(answer).first?.certStatus == "GOOD")
        #expect(try FileManager.default.attributesOfItem(atPath: request.path)[.posixPermissions] as? Int == 0o444)
    }

    @Test func aLogFileThatCannotBeOpenedFallsBackToStandardError() throws {
        var scenario = try Scenario()
        try scenario.insert("0x1001")
        try scenario.appendToOCSPSection("[log]\nfile = /nonexistent/dir/ocsp.log\nlevel = info")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 0)
        #expect(result.stderr.contains("cannot open the log file"))
        #expect(result.stderr.contains("answered"))
        _ = try scenario.verify(response)
    }

    /// A full disk under the cache: the answer still goes out, one warning, nothing half-written.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func aFullCacheDirectoryStillAnswers() throws {
        var scenario = try Scenario()
        try scenario.insert("0x1001")
        let mount = scenario.directory.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let mounted = try run("mount", ["-t", "tmpfs", "-o", "size=8k,nr_inodes=64", "tmpfs", mount.path])
        guard mounted.status == 0 else {
            // Some sandboxes refuse mount even to root; the simulated ENOSPC below still runs.
            try simulatedFullDirectory(&scenario)
            return
        }
        defer { _ = try? run("umount", [mount.path]) }
        // Fill it.
        _ = try? Data(count: 64 << 10).write(to: mount.appendingPathComponent("filler"))
        try scenario.appendToOCSPSection("cache = \(mount.path)")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]), extraArguments: ["--log-level", "warning"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write to the cache"), "\(result.stderr)")
        _ = try scenario.verify(response)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: mount.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    func simulatedFullDirectory(_ scenario: inout Scenario) throws {
        // A cache directory we may not write to stands in for a full one: the same code path (a failed
        // write), the same promise (the answer goes out).
        let locked = scenario.directory.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o500])
        try scenario.appendToOCSPSection("cache = \(locked.path)")
        let (result, response, _) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
        #expect(result.status == 0)
        _ = try scenario.verify(response)
    }

    @Test func missingOrUnreadableCertificateAndKeyFilesNameTheKey() throws {
        let scenario = try Scenario()
        for (cert, key, expected) in [
            ("/nonexistent/ca.pem", scenario.pki.path(.rsa, "ca.key"), "key 'cert'"),
            (scenario.pki.path(.rsa, "ca.pem"), "/nonexistent/ca.key", "key 'pkey'"),
            (scenario.directory.path, scenario.pki.path(.rsa, "ca.key"), "key 'cert'"),
        ] {
            try scenario.writeConfig("""
                \(scenario.server.configSection(table: scenario.table))
                [ocsp]
                cert = \(cert)
                pkey = \(key)
                """)
            let (result, response, original) = try scenario.respond(try scenario.opensslRequest(["good.pem"]))
            #expect(result.status == 78 && result.stderr.contains(expected), "\(result.stderr)")
            #expect(response == original)
        }
    }
}
