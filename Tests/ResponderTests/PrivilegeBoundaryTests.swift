import Foundation
import Testing
import TestSupport

/// The sudo boundary as deployed: a caller account reaches the service account only through real sudo
/// (`scripts/test.sh`'s drop-in allows any arguments, so these tests see what the binary itself holds),
/// and tries what README's "What a caller cannot do" lists. Each attack must leave every service file
/// byte for byte as it was, sign nothing the store did not say, and leave nothing in the cache that a
/// later honest call would be served.
@Suite(.enabled(if: getuid() == 0, "creating the accounts needs root: run scripts/test.sh"), .serialized)
struct PrivilegeBoundaryTests {
    @Test("An honest call through sudo: signed, verified, and the answer stays the caller's file (owner, mode)")
    func honestCall() throws {
        let deployment = try Deployment()
        let request = try deployment.callerRequest("good.pem")
        let result = try deployment.respondThroughSudo([request])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try deployment.verifiedAnswer(in: request).first?.certStatus == "GOOD")
        #expect(try deployment.ownerAndMode(request) == "\(deployment.caller) 660")
        // The caller itself can read its answer.
        let read = try runAs(deployment.caller, "/bin/cat", [request])
        let answer = try Data(contentsOf: URL(fileURLWithPath: request))
        #expect(read.status == 0 && read.stdout == answer)
        // --out naming the request file itself, and --out another file of the caller's.
        let same = try deployment.callerRequest("good.pem")
        #expect(try deployment.respondThroughSudo([same, "--out", same]).status == 0)
        #expect(try deployment.verifiedAnswer(in: same).first?.certStatus == "GOOD")
        let source = try deployment.callerRequest("revoked.pem")
        let target = try deployment.callerRequest("good.pem")
        let sourceBytes = try Data(contentsOf: URL(fileURLWithPath: source))
        #expect(try deployment.respondThroughSudo([source, "--out", target]).status == 0)
        #expect(try deployment.verifiedAnswer(in: target).first?.certStatus == "REVOKED")
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == sourceBytes)
        // OCSP_MySql's spelling, without `respond`.
        let second = try deployment.callerRequest("revoked.pem")
        let plain = try runThroughSudo(["--config", deployment.configPath, second])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try deployment.revokedStillRevoked())
        #expect(try deployment.cacheIsHonest())
        #expect(try deployment.logIsOnlyLogLines())
    }

    @Test("A config the caller wrote (its own store, the real key, the real cache, a log aimed at the key) is refused")
    func callerConfig() throws {
        let deployment = try Deployment()
        let before = try deployment.snapshot()
        // The caller's own store says revoked.pem is Valid.
        let home = "\(deployment.callerDirectory)/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        let forgedStore = "\(home)/forged.db"
        let forgedConfig = """
            [db]
            backend = sqlite
            path = \(forgedStore)

            [ocsp]
            cert = \(deployment.certificatePath)
            pkey = \(deployment.keyPath)
            producetime = 100y
            cache = \(deployment.cachePath)

            [log]
            file = \(deployment.keyPath)
            """
        let configs = ["\(home)/config.ini", "\(deployment.sharedDirectory)/config.ini"]
        for config in configs { try forgedConfig.write(toFile: config, atomically: false, encoding: .utf8) }
        try TestAccounts.chown(home, to: deployment.caller, recursive: true)
        try TestAccounts.chown(configs[1], to: deployment.caller)
        // The same text, root-owned in a root-owned place, still names the caller's store.
        let rootOwned = deployment.path("etc-root/config.ini")
        try FileManager.default.createDirectory(atPath: deployment.path("etc-root"), withIntermediateDirectories: false)
        try forgedConfig.write(toFile: rootOwned, atomically: false, encoding: .utf8)

        for config in configs + [rootOwned] {
            let request = try deployment.callerRequest("revoked.pem")
            let original = try Data(contentsOf: URL(fileURLWithPath: request))
            let result = try deployment.respondThroughSudo([request], config: config)
            #expect(result.status == 78, "\(config): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("under sudo"), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: request)) == original)
        }
        // $OCSP_RESPONDER_CONFIG does not get through sudo's env_reset at all.
        let viaEnvironment = try runThroughSudo(["respond", try deployment.callerRequest("revoked.pem")],
                                                sudoOptions: ["OCSP_RESPONDER_CONFIG=\(configs[0])"])
        #expect(viaEnvironment.status != 0)
        #expect(try deployment.snapshot() == before)
        #expect(try deployment.revokedStillRevoked())
        #expect(try deployment.cacheIsHonest())
        #expect(try deployment.logIsOnlyLogLines())
    }

    @Test("--config naming a service file the caller cannot read: the error quotes none of its text")
    func configErrorsQuoteNothing() throws {
        let deployment = try Deployment()
        let secret = deployment.path("etc/secret.ini")
        try "DATABASE_PASSWORD_hunter2 = x\n[db]\nport = hunter2\n".write(toFile: secret, atomically: false, encoding: .utf8)
        _ = try run("chown", ["root:\(try TestAccounts.group(of: deployment.service))", secret])
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: secret)
        let keyLines = try String(contentsOfFile: deployment.keyPath, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        for config in [secret, deployment.keyPath] {
            let result = try deployment.respondThroughSudo([try deployment.callerRequest("good.pem")], config: config)
            #expect(result.status == 78, "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stderr.lowercased().contains("database_password"), "\(result.stderr)")
            #expect(keyLines.allSatisfy { !result.stderr.contains($0) }, "\(result.stderr)")
        }
        // The service user itself is told why.
        let direct = try runAs(deployment.service, ResponderBinary.path, ["respond", "--config", secret, "-"], stdin: Data())
        #expect(direct.status == 78 && direct.stderr.lowercased().contains("database_password_hunter2"), "\(direct.stderr)")
    }

    @Test("--out, FILE, a symlink and a hard link to each service file: refused, every file unchanged")
    func serviceFilesAsTargets() throws {
        let deployment = try Deployment()
        // A cache entry to aim at too.
        #expect(try deployment.revokedStillRevoked())
        let cacheEntry = try #require(try FileManager.default.contentsOfDirectory(atPath: deployment.cachePath).first { $0.hasSuffix(".der") })
        let targets = deployment.serviceFiles + ["\(deployment.cachePath)/\(cacheEntry)"]
        let before = try deployment.snapshot()
        for target in targets {
            let request = try deployment.callerRequest("revoked.pem")
            let out = try deployment.respondThroughSudo([request, "--out", target])
            #expect(out.status == 74, "--out \(target): \(out.status) \(out.stderr)")
            let direct = try deployment.respondThroughSudo([target])
            #expect(direct.status == 66, "\(target): \(direct.status) \(direct.stderr)")

            let softLink = "\(deployment.callerDirectory)/link-\(UUID().uuidString.prefix(6))"
            #expect(try runAs(deployment.caller, "/bin/ln", ["-s", target, softLink]).status == 0)
            let viaLink = try deployment.respondThroughSudo([softLink])
            #expect(viaLink.status == 66 && viaLink.stderr.contains("symbolic link"), "\(softLink): \(viaLink.stderr)")
            let outViaLink = try deployment.respondThroughSudo([request, "--out", softLink])
            #expect(outViaLink.status == 74, "--out \(softLink): \(outViaLink.stderr)")

            // What a caller could make where fs.protected_hardlinks is 0: root makes it here.
            let hard = "\(deployment.callerDirectory)/hard-\(UUID().uuidString.prefix(6))"
            #expect(link(target, hard) == 0)
            let viaHardLink = try deployment.respondThroughSudo([hard])
            #expect(viaHardLink.status == 66, "\(hard): \(viaHardLink.stderr)")
            unlink(hard)
        }
        // A hard link the caller owns (its own file, linked twice) is refused too.
        let own = try deployment.callerRequest("good.pem")
        let second = "\(own).second"
        #expect(try runAs(deployment.caller, "/bin/ln", [own, second]).status == 0)
        let twice = try deployment.respondThroughSudo([own])
        #expect(twice.status == 66 && twice.stderr.contains("hard links"), "\(twice.stderr)")
        #expect(try deployment.snapshot() == before)
        #expect(try deployment.logIsOnlyLogLines())
    }

    @Test("Symlinks in a sticky shared directory, with fs.protected_symlinks 0 and 1")
    func stickyDirectoryLinks() throws {
        let deployment = try Deployment()
        let setting = "/proc/sys/fs/protected_symlinks"
        let original = try String(contentsOfFile: setting, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        defer { try? original.write(toFile: setting, atomically: false, encoding: .utf8) }
        let before = try deployment.snapshot(cache: false)
        for value in ["0", "1"] {
            try value.write(toFile: setting, atomically: false, encoding: .utf8)
            #expect(try String(contentsOfFile: setting, encoding: .utf8).hasPrefix(value))
            for target in deployment.serviceFiles {
                let link = "\(deployment.sharedDirectory)/req-\(UUID().uuidString.prefix(6)).der"
                #expect(try runAs(deployment.caller, "/bin/ln", ["-s", target, link]).status == 0)
                let result = try deployment.respondThroughSudo([link])
                #expect(result.status == 66, "protected_symlinks=\(value) \(target): \(result.status) \(result.stderr)")
            }
        }
        // A request in the sticky directory, the caller's own, is answered.
        let request = try deployment.callerRequest("good.pem", in: deployment.sharedDirectory)
        let honest = try deployment.respondThroughSudo([request])
        #expect(honest.status == 0, "\(honest.stderr)")
        #expect(try deployment.verifiedAnswer(in: request).first?.certStatus == "GOOD")
        #expect(try deployment.snapshot(cache: false) == before)
        #expect(try deployment.cacheIsHonest())
    }

    @Test("A FIFO, a directory, another user's file and a service-owned file in the caller's directory")
    func otherKindsOfFile() throws {
        let deployment = try Deployment()
        let before = try deployment.snapshot()
        let fifo = "\(deployment.callerDirectory)/fifo"
        #expect(try runAs(deployment.caller, "/usr/bin/mkfifo", [fifo]).status == 0)
        let started = Date()
        let viaFIFO = try deployment.respondThroughSudo([fifo])
        #expect(viaFIFO.status == 66 && Date().timeIntervalSince(started) < 5, "\(viaFIFO.stderr)")

        let directory = "\(deployment.callerDirectory)/dir"
        #expect(try runAs(deployment.caller, "/bin/mkdir", [directory]).status == 0)
        #expect(try deployment.respondThroughSudo([directory]).status == 66)

        // Files the service user could write, but that are not the caller's: root's 0666, and the service's own.
        for owner in ["root", deployment.service] {
            let file = try deployment.callerRequest("good.pem")
            try TestAccounts.chown(file, to: owner)
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file)
            let original = try Data(contentsOf: URL(fileURLWithPath: file))
            let result = try deployment.respondThroughSudo([file])
            #expect(result.status == 66 && result.stderr.contains("not by the caller"), "\(owner): \(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == original)
        }
        #expect(try deployment.snapshot() == before)
    }

    @Test("A root-owned config whose log is the key, or whose cache is a link the caller planted, is refused")
    func trustedConfigNamingWrongPlaces() throws {
        let deployment = try Deployment()
        let before = try deployment.snapshot()
        let text = try String(contentsOfFile: deployment.configPath, encoding: .utf8)
        let variants = [
            text.replacingOccurrences(of: "file = \(deployment.logPath)", with: "file = \(deployment.keyPath)"),
            text.replacingOccurrences(of: "cache = \(deployment.cachePath)", with: "cache = \(deployment.sharedDirectory)/cache"),
        ]
        #expect(variants.allSatisfy { $0 != text })
        // The caller got there first: the shared cache name is its link to the service's config directory.
        #expect(try runAs(deployment.caller, "/bin/ln", ["-s", deployment.path("etc"), "\(deployment.sharedDirectory)/cache"]).status == 0)
        for (index, variant) in variants.enumerated() {
            let config = deployment.path("etc/variant-\(index).ini")
            try variant.write(toFile: config, atomically: false, encoding: .utf8)
            let result = try deployment.respondThroughSudo([try deployment.callerRequest("revoked.pem")], config: config)
            #expect(result.status == 78, "\(variant): \(result.stderr)")
            try FileManager.default.removeItem(atPath: config)
        }
        #expect(try deployment.snapshot() == before)
        #expect(try deployment.logIsOnlyLogLines())
    }

    @Test("Only respond runs under sudo: sign with the service's key, db, resign, inspect and serve are refused")
    func onlyRespond() throws {
        let deployment = try Deployment()
        let before = try deployment.snapshot()
        let out = "\(deployment.callerDirectory)/forged.der"
        let attempts: [[String]] = [
            ["sign", "--issuer", deployment.certificatePath, "--key", deployment.keyPath, "--serial", "1002", "--status", "good",
             "--valid", "100y", "--out", "-"],
            ["db", "unrevoke", "0x1002", "--config", deployment.configPath],
            ["db", "revoke", "0x1001", "--config", deployment.configPath],
            ["resign", "--all", "--out", deployment.path("etc"), "--config", deployment.configPath],
            ["inspect", deployment.keyPath],
            ["serve", "--config", deployment.configPath, "--listen", "127.0.0.1:1"],
            ["check", "--help"],
        ]
        for arguments in attempts {
            let result = try runThroughSudo(arguments)
            #expect(result.status == 77, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try deployment.snapshot() == before)
        #expect(try deployment.revokedStillRevoked())
    }

    @Test("Two hundred concurrent calls on one file: each exits with an OCSP status, the file ends whole, nothing else changes")
    func concurrentCallsOnOneFile() throws {
        let deployment = try Deployment()
        let before = try deployment.snapshot(cache: false)
        let request = try deployment.callerRequest("revoked.pem")
        // Two hundred sudo calls started at once by one shell, each status written to a file of its own.
        let statusDirectory = deployment.path("statuses")
        try FileManager.default.createDirectory(atPath: statusDirectory, withIntermediateDirectories: false)
        let accounts = try TestAccounts.required()
        let call = (["/usr/bin/setpriv"] + setprivArguments(accounts.caller)
            + ["/usr/bin/sudo", "-n", "-u", accounts.service, accounts.binary, "respond", "--timeout", "60", "--config", deployment.configPath, request])
            .joined(separator: " ")
        let script = "for i in $(seq 200); do (\(call) >/dev/null 2>&1; echo $? > \(statusDirectory)/$i) & done; wait"
        #expect(try run("/bin/bash", ["-c", script]).status == 0)
        let all = try (1...200).map { index in
            Int32(try String(contentsOfFile: "\(statusDirectory)/\(index)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        // The first answers; later ones read a response or an error status, not a request: malformedRequest.
        // The calls take turns on the file's lock, so on a slow machine (a sanitizer build) some may reach
        // their timeout before their turn: 75, nothing read and nothing written.
        #expect(all.allSatisfy { $0 == 0 || $0 == 1 || $0 == 75 }, "\(Dictionary(all.map { ($0, 1) }, uniquingKeysWith: +))")
        #expect(all.contains(0))
        let final = try Data(contentsOf: URL(fileURLWithPath: request))
        if final != Data([0x30, 0x03, 0x0a, 0x01, 0x01]) {
            #expect(try deployment.verified(final).first?.certStatus == "REVOKED")
        }
        #expect(try deployment.ownerAndMode(request) == "\(deployment.caller) 660")
        #expect(try deployment.snapshot(cache: false) == before)
        #expect(try deployment.cacheIsHonest())
        #expect(try deployment.logIsOnlyLogLines())
    }
}

