import Foundation
import Testing
import TestSupport

/// `ocsp-responder resign` on a few thousand rows, on both backends: every file verified by both peers
/// against the table, incremental runs, kill -9 and a rerun, two runs at once.
@Suite struct ResignTests {
    static let rows = 1500

    struct Table {
        let admin: AdminCommandTests.Admin
        /// serial (lowercase hex) -> "good" or "revoked"
        var expected: [String: String] = [:]

        init(_ backend: StoreBackendUnderTest, ocspLines: String = "") throws {
            admin = try AdminCommandTests.Admin(backend, ocspLines: ocspLines)
            guard try admin.db(["init"]).status == 0 else { throw TestFailure("db init failed") }
            var values: [String] = []
            for index in 0..<ResignTests.rows {
                let serial = String(0x50000 + index, radix: 16)
                let revoked = index % 7 == 0
                expected[serial] = revoked ? "revoked" : "good"
                values.append(revoked ? "('0x\(serial)', 'x', 'Revoked', '2026-01-02 03:04:05', 'superseded')" : "('0x\(serial)', 'x', 'Valid', NULL, NULL)")
            }
            try execute("INSERT INTO \(table) (cert_num, cert, status, revocation_time, revocation_reason) VALUES " + values.joined(separator: ","))
        }

        var table: String { admin.table }

        func execute(_ sql: String) throws {
            try admin.execute(sql)
        }

        /// The run, and its `--json` summary (nil when it printed none).
        func resign(_ arguments: [String] = []) throws -> (ProcessResult, ResignSummaryReport?) {
            let result = try ResponderBinary.run(["resign", "--config", admin.configPath, "--ca", "ocsp", "--json"] + arguments)
            return (result, try? CommandReport.decode(ResignSummaryReport.self, from: result.stdout))
        }

        var cacheFiles: [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: URL(fileURLWithPath: admin.cachePath), includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "der" }
        }

        /// Every cached response: both peers verify it, and it says what the table says.
        func verifyAll(_ files: [URL]? = nil) throws {
            let files = files ?? cacheFiles
            let pki = admin.pki
            let script = "for f in \"$@\"; do openssl ocsp -respin \"$f\" -CAfile \(pki.path(.rsa, "chain.pem")) -verify_other \(pki.path(.rsa, "chain.pem")) -no_nonce 2>&1 | grep -q 'Response verify OK' || echo \"FAILED $f\"; done"
            let opensslResult = try run("/bin/bash", ["-c", script, "verify"] + files.map(\.path))
            #expect(opensslResult.stdoutText.isEmpty, "openssl rejected: \(opensslResult.stdoutText.prefix(500))")
            let checked = try Peers.python(responses: try files.map { try Data(contentsOf: $0) }, issuer: pki.path(.rsa, "ca.pem"))
            for json in checked {
                #expect(json.signatureValid == true)
                let single = json.responses.first
                let serial = single?.serialHex ?? "?"
                #expect(single?.certStatus == expected[serial]?.uppercased(), "serial \(serial)")
            }
        }
    }

    @Test(arguments: StoreBackendUnderTest.available)
    func signsEveryRowThenOnlyWhatChangedOrIsDue(backend: StoreBackendUnderTest) throws {
        var table = try Table(backend)
        try table.execute("INSERT INTO \(table.table) (cert_num, cert, status) VALUES ('0xnot-hex', 'x', 'Valid')")
        let (first, summary) = try table.resign(["--jobs", "2"])
        #expect(first.status == 1, "one bad row: \(first.stderr)")
        #expect(summary?.signed == Self.rows && summary?.failed == 1)
        #expect(first.stderr.contains("not a hex serial"))
        #expect(table.cacheFiles.count == Self.rows)
        try table.verifyAll()
        try table.execute("DELETE FROM \(table.table) WHERE cert_num = '0xnot-hex'")

        // Nothing changed, nothing due: nothing signed.
        let (second, quiet) = try table.resign()
        #expect(second.status == 0 && quiet?.signed == 0 && quiet?.skipped == Self.rows, "\(String(describing: quiet))")
        // A number, not a string (issue 15).
        // A JSON number: decoding `seconds` as a Double refuses a string.
        #expect(quiet?.seconds != nil, "\(String(describing: quiet))")

        // A revocation between two runs is picked up, and only it is signed.
        #expect(try table.admin.db(["revoke", "0x50001", "--reason", "key_compromise"]).status == 0)
        table.expected["50001"] = "revoked"
        let (_, third) = try table.resign()
        #expect(third?.signed == 1, "\(String(describing: third))")

        // --due-within longer than producetime: everything is due.
        let (_, due) = try table.resign(["--due-within", "2d"])
        #expect(due?.signed == Self.rows)
        try table.verifyAll()
    }

    @Test func killedThenRerunCompletesAndTwoRunsAtOnceCorruptNothing() throws {
        let table = try Table(.sqlite)
        // kill -9 in the middle of a run, then a rerun signs what is left.
        let killed = try run("/bin/bash", ["-c", """
            "$0" resign --config "$1" --ca ocsp --jobs 1 --json >/dev/null 2>&1 & pid=$!
            sleep 0.4; kill -9 $pid; wait $pid; echo "status=$?"
            """, ResponderBinary.path, table.admin.configPath])
        #expect(killed.stdoutText.contains("status=137"), "\(killed.stdoutText)")
        let partial = table.cacheFiles.count
        #expect(partial < Self.rows, "the run finished before it was killed; make the test table larger")
        // What a killed process leaves, whether or not this kill left any: a temporary file of a process
        // that no longer runs, in the staging directory and beside the responses.
        let staging = table.admin.cachePath + "/.staging"
        let deadPID = try run("/bin/bash", ["-c", "true & echo $!; wait"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        for directory in [staging, table.admin.cachePath] {
            #expect(FileManager.default.createFile(atPath: "\(directory)/.0x1.der.tmp-\(deadPID)-7", contents: Data([0x30])))
        }
        let (rerun, summary) = try table.resign()
        #expect(rerun.status == 0)
        #expect(summary?.signed == Self.rows - partial, "\(String(describing: summary)) after \(partial)")
        #expect(table.cacheFiles.count == Self.rows)
        for directory in [staging, table.admin.cachePath] {
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(directory): \(leftovers)")
        }

        // Two --all runs at once, with an export: every file whole and right.
        let out = table.admin.directory.appendingPathComponent("export")
        let both = try run("/bin/bash", ["-c", """
            "$0" resign --config "$1" --ca ocsp --all --out "$2" --json > "$2.a" & a=$!
            "$0" resign --config "$1" --ca ocsp --all --out "$2" --json > "$2.b" & b=$!
            wait $a; ra=$?; wait $b; rb=$?; echo "$ra $rb"
            """, ResponderBinary.path, table.admin.configPath, out.path])
        #expect(both.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0 0", "\(both.stderr)")
        try table.verifyAll()
        let exported = try FileManager.default.contentsOfDirectory(at: out, includingPropertiesForKeys: nil).filter { $0.pathExtension == "der" }
        #expect(exported.count == Self.rows)
        try table.verifyAll(Array(exported.prefix(200)))
        let index = try String(contentsOf: out.appendingPathComponent("index.txt"), encoding: .utf8).split(separator: "\n")
        #expect(index.count == Self.rows)
        #expect(index.allSatisfy { $0.split(separator: "\t").count == 5 })
    }

    /// Issue 14: a kept response's check time is its file's modification time. `resign` sets it to the
    /// start of its walk on what it signs and on what the table confirms, so `respond` serves those
    /// without asking the table; a change made behind its back (SQL) is re-signed.
    @Test func renewsTheCheckTimeOfWhatItConfirms() throws {
        // A window of a day: a slow machine must not turn the expected hits into revalidations.
        var table = try Table(.sqlite, ocspLines: "revalidate = 86400")
        let (first, _) = try table.resign()
        #expect(first.status == 0, "\(first.stderr)")
        func checkTimes() throws -> [String: Date] {
            var times: [String: Date] = [:]
            for file in table.cacheFiles {
                times[String(file.lastPathComponent.prefix { $0 != "-" })] = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date
            }
            return times
        }
        // Two days ago, as if the last check were that old; and a revocation by SQL, which removes no file.
        let twoDaysAgo = Date().addingTimeInterval(-2 * 86_400)
        for file in table.cacheFiles {
            try FileManager.default.setAttributes([.modificationDate: twoDaysAgo], ofItemAtPath: file.path)
        }
        try table.execute("UPDATE \(table.table) SET status = 'Revoked', revocation_time = '2026-11-30 10:00:00', revocation_reason = 'key_compromise' WHERE cert_num = '0x50002'")
        table.expected["50002"] = "revoked"

        let started = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let (second, summary) = try table.resign()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(summary?.signed == 1 && summary?.skipped == Self.rows - 1, "\(String(describing: summary))")
        let renewed = try checkTimes()
        #expect(renewed.count == Self.rows)
        #expect(renewed.values.allSatisfy { $0 >= started && $0 <= Date() }, "\(renewed.values.min().map { "\($0)" } ?? "")")
        try table.verifyAll()

        // respond serves a confirmed response as a hit; one whose check is two days old is revalidated first.
        func respond(_ serial: String) throws -> String {
            let request = table.admin.directory.appendingPathComponent("r-\(serial).der")
            try run("openssl", ["ocsp", "-issuer", table.admin.pki.path(.rsa, "ca.pem"), "-serial", "0x\(serial)", "-no_nonce", "-reqout", request.path])
            let answer = try ResponderBinary.run(["respond", "--config", table.admin.configPath, "--log-level", "info", request.path])
            #expect(answer.status == 0, "\(answer.stderr)")
            try table.verifyAll([request])
            return answer.stderr
        }
        #expect(try respond("50003").contains("cache=hit"))
        let old = try #require(table.cacheFiles.first { $0.lastPathComponent.hasPrefix("50004-") })
        try FileManager.default.setAttributes([.modificationDate: twoDaysAgo], ofItemAtPath: old.path)
        #expect(try respond("50004").contains("cache=revalidated"))
        let mark = try #require(try FileManager.default.attributesOfItem(atPath: old.path)[.modificationDate] as? Date)
        #expect(mark > twoDaysAgo.addingTimeInterval(86_400))
    }

    @Test func bothHashesAndDryRun() throws {
        let table = try Table(.sqlite)
        let (dry, planned) = try table.resign(["--dry-run", "--hash", "sha1", "--hash", "sha256"])
        #expect(dry.status == 0 && planned?.signed == Self.rows && table.cacheFiles.isEmpty)
        let (_, done) = try table.resign(["--hash", "sha1", "--hash", "sha256"])
        #expect(done?.signed == Self.rows)
        #expect(table.cacheFiles.count == 2 * Self.rows)
        // `respond` answers a SHA-256 request for a resigned serial from the cache.
        let request = table.admin.directory.appendingPathComponent("r.der")
        try run("openssl", ["ocsp", "-issuer", table.admin.pki.path(.rsa, "ca.pem"), "-sha256", "-serial", "0x50002", "-no_nonce", "-reqout", request.path])
        let answer = try ResponderBinary.run(["respond", "--config", table.admin.configPath, "--log-level", "info", request.path])
        #expect(answer.status == 0 && answer.stderr.contains("cache=hit"), "\(answer.stderr)")
        try table.verifyAll([request])
    }
}
