import Foundation
import TestSupport

/// A running `ocsp-responder serve` on loopback over an SQLite store of the test PKI's RSA CA:
/// good.pem (0x1001) Valid, revoked.pem (0x1002) Revoked keyCompromise, absent.pem not in the table.
///
/// As deployed, the service user (`OCSP_TEST_SERVICE_USER`) owns the directory, the CA's key (0600) and
/// the config, whose `[ocsp] user` names it; `serve` runs as that user by default. The `db` commands the
/// harness runs as root therefore drop to that user themselves, which `PrivilegeTests` checks.
final class ServeHarness: @unchecked Sendable {
    // @unchecked Sendable: set up once, then only read; the process is stopped by one test.
    let pki = TestPKI.shared
    let directory: URL
    let port: Int
    let service: String
    let extraArguments: [String]
    /// A command that execs `serve` in place (the PID stays serve's), run first: `env --ignore-signal=HUP`.
    let launcher: [String]
    let process = Process()
    var configPath: String { directory.appendingPathComponent("config.ini").path }
    var databasePath: String { directory.appendingPathComponent("status.db").path }
    var cachePath: String { directory.appendingPathComponent("cache").path }
    var logPath: String { directory.appendingPathComponent("serve.log").path }
    var stderrPath: String { directory.appendingPathComponent("serve.stderr").path }
    var base: String { "http://127.0.0.1:\(port)" }

    /// Who starts `serve`.
    enum Launch {
        /// The service user, with setpriv (which execs in place: the PID is serve's own).
        case serviceUser
        /// Root, which binds and then drops to the service user.
        case root
        /// Not started (yet: `start`): the directory, config and store only.
        case none
    }

    /// - Parameters:
    ///   - database: a `[db]` section (another host's view of a shared MariaDB table, say), whose table the
    ///     test fills; nil: this harness's own SQLite store with the rows above.
    ///   - ocspLines: more `[ocsp]` lines (`revalidate = 2`).
    init(cache: Bool = true, extraArguments: [String] = [], launch: Launch = .serviceUser, port: Int? = nil,
         database: String? = nil, ocspLines: String = "", launcher: [String] = []) throws {
        self.launcher = launcher
        guard let service = TestAccounts.service else {
            throw TestFailure("no service user: run scripts/test.sh as root (it creates OCSP_TEST_SERVICE_USER)")
        }
        self.service = service
        self.extraArguments = extraArguments
        directory = try makeTemporaryDirectory("ocsp-serve")
        self.port = try port ?? freePort()
        // The key is the service user's own copy, as scripts/setup.sh installs it.
        for file in ["ca.pem", "ca.key"] {
            try FileManager.default.copyItem(atPath: pki.path(.rsa, file), toPath: directory.appendingPathComponent(file).path)
        }
        try """
            \(database ?? "[db]\nbackend = sqlite\npath = \(databasePath)")

            [ocsp]
            cert = \(directory.appendingPathComponent("ca.pem").path)
            pkey = \(directory.appendingPathComponent("ca.key").path)
            producetime = 1d
            user = \(service)
            \(cache ? "cache = \(cachePath)" : "")
            \(ocspLines)

            [log]
            file = \(logPath)
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.appendingPathComponent("ca.key").path)
        // A config with a database password must be private to its owner; the SQLite one is readable
        // by others, as the privilege tests want (a caller then learns it may not run as another user).
        if database != nil { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configPath) }
        try TestAccounts.chown(directory.path, to: service, recursive: true)
        let setUp = [["db", "init"], ["db", "add", pki.path(.rsa, "good.pem"), pki.path(.rsa, "revoked.pem")],
                     ["db", "revoke", "--cert", pki.path(.rsa, "revoked.pem"), "--reason", "keyCompromise", "--at", "2026-01-02T03:04:05Z"]]
        for arguments in database == nil ? setUp : [] {
            let result = try ResponderBinary.run(arguments + ["--config", configPath])
            guard result.status == 0 else { throw TestFailure("\(arguments) failed: \(result.stderr)") }
        }
        if launch != .none { try start(launch) }
    }

    /// Starts `serve` and waits until /health answers.
    func start(_ launch: Launch) throws {
        let serve = [ResponderBinary.path, "serve", "--config", configPath, "--listen", "127.0.0.1:\(port)"] + extraArguments
        switch launch {
        case .none: return
        case .root:
            process.executableURL = URL(fileURLWithPath: ResponderBinary.path)
            process.arguments = Array(serve.dropFirst())
        case .serviceUser:
            // The launcher goes inside setpriv, whose --reset-env would drop what it sets (env VAR=…).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = setprivArguments(service) + launcher + serve
        }
        if launch == .root, let first = launcher.first, let executable = process.executableURL {
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: first)
        }
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        // Ready when /health answers: at most 100 tries, 10 s.
        for _ in 0..<100 {
            if let result = try? curl(["-o", "/dev/null", "-w", "%{http_code}", "\(base)/health"]), result.stdoutText == "200" { return }
            usleep(100_000)
        }
        let health = (try? curl(["-s", "\(base)/health"]))?.stdoutText ?? ""
        stop()
        throw TestFailure("serve did not become ready on port \(port): /health says \(health); stderr: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
    }

    deinit { stop() }

    /// SIGTERM, then waits (at most 15 s) for the exit; returns the exit status.
    @discardableResult
    func stop() -> Int32? {
        guard process.isRunning else { return process.processIdentifier == 0 ? nil : process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<150 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    /// The access log once it holds `needle`: lines are written in batches (at least every 0.5 s), so
    /// this waits up to 3 s; whatever is there then, otherwise.
    func accessLog(containing needle: String) -> String {
        var text = ""
        for _ in 0..<30 {
            text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.contains(needle) { break }
            usleep(100_000)
        }
        return text
    }

    /// A request made by openssl for leaf files of the RSA CA.
    func request(_ leaves: [String], nonce: Bool = false) throws -> Data {
        let url = directory.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der")
        var arguments = ["ocsp", "-issuer", pki.path(.rsa, "ca.pem")]
        for leaf in leaves { arguments += ["-cert", pki.path(.rsa, leaf)] }
        arguments += [nonce ? "-nonce" : "-no_nonce", "-reqout", url.path]
        let result = try run("openssl", arguments)
        guard result.status == 0 else { throw TestFailure("openssl ocsp -reqout: \(result.stderr)") }
        return try Data(contentsOf: url)
    }

    /// curl with a bounded time; the response body on stdout.
    func curl(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try run("curl", ["-s", "--max-time", "10"] + arguments, stdin: stdin)
    }

    /// An HTTP exchange by curl: status, headers (lowercased names) and body.
    func exchange(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int, headers: [String: String], body: Data) {
        let headerFile = directory.appendingPathComponent("headers-\(UUID().uuidString.prefix(6))")
        let result = try curl(["-D", headerFile.path] + arguments, stdin: stdin)
        let text = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        var status = 0
        var headers: [String: String] = [:]
        for line in text.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") { status = Int(line.split(separator: " ")[1]) ?? 0; continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, result.stdout)
    }

    func post(_ body: Data, contentType: String = "application/ocsp-request", extra: [String] = []) throws -> (status: Int, headers: [String: String], body: Data) {
        try exchange(["-X", "POST", "-H", "Content-Type: \(contentType)", "--data-binary", "@-"] + extra + ["\(base)/"], stdin: body)
    }

    func get(_ path: String, extra: [String] = []) throws -> (status: Int, headers: [String: String], body: Data) {
        try exchange(extra + ["\(base)\(path)"])
    }

    /// `openssl ocsp -url` as the client, for leaf files of the RSA CA (with a nonce, as openssl sends by
    /// default), verifying against the chain: its exit status and everything it printed.
    func opensslClient(_ leaves: [String]) throws -> (status: Int32, text: String) {
        var arguments = ["ocsp", "-url", base, "-issuer", pki.path(.rsa, "ca.pem")]
        for leaf in leaves { arguments += ["-cert", pki.path(.rsa, leaf)] }
        let openssl = try run("openssl", arguments + ["-CAfile", pki.path(.rsa, "chain.pem"), "-timeout", "10"])
        return (openssl.status, openssl.stdoutText + openssl.stderr)
    }

    /// Both peers verify a successful response; returns Python's single responses.
    func verify(_ response: Data, request: Data? = nil) throws -> [PeerReport.Single] {
        (try Peers.verifySuccessful(
            response: response, issuer: pki.path(.rsa, "ca.pem"), chain: pki.path(.rsa, "chain.pem"), request: request)).responses
    }
}

/// A loopback port nobody listens on now (bound, then released): any one the kernel picks, or with
/// `privileged` the highest free one below 1024 (which only root can bind).
func freePort(privileged: Bool = false) throws -> Int {
    for candidate in privileged ? Array(stride(from: 1023, to: 600, by: -1)) : [0] {
        if let port = try bindLoopback(port: candidate) { return port }
    }
    throw TestFailure("no free loopback port\(privileged ? " below 1024" : "")")
}

/// Binds a socket to 127.0.0.1:`port` and closes it again: the port it got, or nil when that one is taken.
func bindLoopback(port: Int) throws -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
