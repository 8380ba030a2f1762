import Foundation
import TestSupport

/// An installation as `scripts/setup.sh` makes it, under a directory of its own: the service user
/// (`TestAccounts.service`) owns the store, the cache and the log; root owns the config and the key
/// (0640, group the service user's); the caller (`TestAccounts.caller`) has a directory of its own that
/// the service user can reach through the caller's group, and calls the binary only through real sudo.
///
/// The status table holds good.pem (0x1001) Valid and revoked.pem (0x1002) Revoked keyCompromise.
final class Deployment: @unchecked Sendable {
    // @unchecked Sendable: set up once, then only read.
    let pki = TestPKI.shared
    let base: URL
    let service: String
    let caller: String

    func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }
    var configPath: String { path("etc/config.ini") }
    var keyPath: String { path("etc/ca.key") }
    var certificatePath: String { path("etc/ca.pem") }
    var storePath: String { path("lib/status.db") }
    var cachePath: String { path("cache") }
    var logPath: String { path("log/ocsp.log") }
    /// The caller's own directory (0750 caller:caller).
    var callerDirectory: String { path("caller") }
    /// A sticky, world-writable directory, as /tmp is.
    var sharedDirectory: String { path("tmp") }
    /// The service's own files: what no caller may change.
    var serviceFiles: [String] { [configPath, keyPath, certificatePath, storePath, logPath] }

    init() throws {
        let accounts = try TestAccounts.required()
        service = accounts.service
        caller = accounts.caller
        base = URL(fileURLWithPath: "/tmp/ocsp-deploy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let setup = try run("/bin/bash", [
            repositoryRoot.appendingPathComponent("scripts/setup.sh").path, "--user", service, "--binary", ResponderBinary.path,
            "--prefix", path("usr"), "--config-dir", path("etc"), "--data-dir", path("lib"), "--cache-dir", cachePath,
            "--log-file", logPath, "--ca-cert", pki.path(.rsa, "ca.pem"), "--ca-key", pki.path(.rsa, "ca.key"),
            // Nothing outside the directory: no cron line or unit, logrotate's file kept here.
            "--init", "none", "--logrotate-file", path("logrotate.d/ocsp-responder"),
        ])
        guard setup.status == 0 else { throw TestFailure("setup.sh: \(setup.stdoutText)\(setup.stderr)") }
        for arguments in [["db", "add", pki.path(.rsa, "good.pem"), pki.path(.rsa, "revoked.pem")],
                          ["db", "revoke", "0x1002", "--reason", "keyCompromise", "--at", "2026-01-02T03:04:05Z"]] {
            let result = try runAs(service, ResponderBinary.path, arguments + ["--config", configPath])
            guard result.status == 0 else { throw TestFailure("\(arguments): \(result.stderr)") }
        }
        try FileManager.default.createDirectory(atPath: callerDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        try TestAccounts.chown(callerDirectory, to: caller)
        try FileManager.default.createDirectory(atPath: sharedDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o1777])
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: sharedDirectory)
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    /// A request for `leaf` made by openssl, as a file of the caller's (0660 caller:caller) in `directory`.
    func callerRequest(_ leaf: String, nonce: Bool = false, in directory: String? = nil) throws -> String {
        let file = "\(directory ?? callerDirectory)/req-\(UUID().uuidString.prefix(6)).der"
        let made = try run("openssl", ["ocsp", "-issuer", pki.path(.rsa, "ca.pem"), "-cert", pki.path(.rsa, leaf),
                                       nonce ? "-nonce" : "-no_nonce", "-reqout", file])
        guard made.status == 0 else { throw TestFailure("openssl ocsp -reqout: \(made.stderr)") }
        try TestAccounts.chown(file, to: caller)
        try FileManager.default.setAttributes([.posixPermissions: 0o660], ofItemAtPath: file)
        return file
    }

    /// The caller's call through sudo, `respond --config CONFIG arguments…` unless `config` is nil.
    func respondThroughSudo(_ arguments: [String], config: String?? = .some(nil)) throws -> ProcessResult {
        let configArguments: [String] = switch config {
        case .none: []
        case .some(nil): ["--config", configPath]
        case .some(let other?): ["--config", other]
        }
        return try runThroughSudo(["respond"] + configArguments + arguments)
    }

    /// Every service file's bytes, the status table's rows, and (with `cache`) the cache's entries by name.
    /// The log is left out: honest calls append to it (see `logIsOnlyLogLines`); so is the cache where
    /// honest calls add to it (see `cacheIsHonest`).
    func snapshot(cache: Bool = true) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for file in serviceFiles where file != logPath {
            result[file] = try Data(contentsOf: URL(fileURLWithPath: file))
        }
        let rows = try runAs(service, ResponderBinary.path, ["db", "list", "--format", "csv", "--config", configPath])
        result["rows"] = rows.stdout
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cachePath)) ?? [] where cache && !name.hasPrefix(".") {
            result["cache/\(name)"] = try Data(contentsOf: URL(fileURLWithPath: "\(cachePath)/\(name)"))
        }
        return result
    }

    /// Every kept response verifies and says what the table says: 0x1001 good, 0x1002 revoked.
    func cacheIsHonest() throws -> Bool {
        let expected = ["1001": "GOOD", "1002": "REVOKED"]
        for name in try FileManager.default.contentsOfDirectory(atPath: cachePath) where name.hasSuffix(".der") {
            let serial = String(name.prefix { $0 != "-" })
            guard try verifiedAnswer(in: "\(cachePath)/\(name)").first?.certStatus == expected[serial] else { return false }
        }
        return true
    }

    /// Every line of the log is one of ours (timestamp, level, process), never bytes from elsewhere.
    func logIsOnlyLogLines() throws -> Bool {
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ in process \d+ - "#)
        return text.split(separator: "\n").allSatisfy { line in
            let string = String(line)
            return pattern.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
        }
    }

    /// Both peers verify `response`, signed by this deployment's CA; returns Python's single responses.
    func verified(_ response: Data) throws -> [PeerReport.Single] {
        (try Peers.verifySuccessful(response: response, issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"))).responses
    }

    /// The same for the response now in `file`.
    func verifiedAnswer(in file: String) throws -> [PeerReport.Single] {
        try verified(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// An honest call about revoked.pem right now: its answer must say revoked, verified by both peers.
    func revokedStillRevoked() throws -> Bool {
        let request = try callerRequest("revoked.pem")
        let result = try respondThroughSudo([request])
        guard result.status == 0 else { throw TestFailure("honest call: \(result.status) \(result.stderr)") }
        return try verifiedAnswer(in: request).first?.certStatus == "REVOKED"
    }

    /// Owner name and octal mode of `path`.
    func ownerAndMode(_ path: String) throws -> String {
        try run("stat", ["-c", "%U %a", path]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
