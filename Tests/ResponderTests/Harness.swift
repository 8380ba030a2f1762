import Foundation
import TestSupport

/// One end-to-end scenario: a config for a CA of the test PKI, a fresh status table, and requests made by openssl.
struct Scenario {
    let pki = TestPKI.shared
    let kind: TestPKI.Kind
    let directory: URL
    let table: String
    let server: MariaDBTestServer
    var configPath: String { directory.appendingPathComponent("config.ini").path }
    /// The config's `[log] file`, when a test set one (else the log goes to stderr).
    var logPath: String?

    /// - Parameters:
    ///   - delegated: sign with the kind's delegated responder instead of the CA's own key.
    ///   - extra: more `[ocsp]` lines.
    init(_ kind: TestPKI.Kind = .rsa, delegated: Bool = false, extra: String = "", dbSection: String? = nil) throws {
        guard let server = MariaDBTestServer.shared else { throw TestFailure("no MariaDB: run scripts/test.sh") }
        self.server = server
        self.kind = kind
        directory = try makeTemporaryDirectory("ocsp-e2e")
        table = try server.createStatusTable()
        let signer = delegated
            ? "cert = \(pki.path(kind, "responder.pem"))\npkey = \(pki.path(kind, "responder.key"))\nissuer = \(pki.path(kind, "ca.pem"))"
            : "cert = \(pki.path(kind, "ca.pem"))\npkey = \(pki.path(kind, "ca.key"))"
        try writeConfig("""
            \(dbSection ?? server.configSection(table: table))

            [ocsp]
            \(signer)
            producetime = 1d
            \(extra)
            """)
    }

    /// Adds lines to the end of the config, which ends in its `[ocsp]` section.
    mutating func appendToOCSPSection(_ lines: String) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try writeConfig(text + "\n" + lines + "\n")
    }

    /// Writes the config with mode 0600: it holds the database password, and a config file with a
    /// password that group or others can read is refused.
    func writeConfig(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configPath)
    }

    /// Inserts a row; `status` `Valid` or `Revoked`, time as `YYYY-MM-DD HH:MM:SS`.
    func insert(_ certNum: String, status: String = "Valid", time: String? = nil, reason: String? = nil) throws {
        func literal(_ value: String?) -> String { value.map { "'\($0)'" } ?? "NULL" }
        try server.execute("INSERT INTO \(table) (cert_num, revocation_time, revocation_reason, cert, status) VALUES ('\(certNum)', \(literal(time)), \(literal(reason)), 'x', '\(status)')")
    }

    /// A request made by `openssl ocsp` for leaf files of this kind (e.g. `good.pem`), written to a file.
    func opensslRequest(_ leaves: [String], hash: String = "-sha1", nonce: Bool = false) throws -> URL {
        let url = directory.appendingPathComponent("req-\(UUID().uuidString.prefix(6)).der")
        // openssl wants the digest before the certificates it applies to.
        var arguments = ["ocsp", "-issuer", pki.path(kind, "ca.pem"), hash]
        for leaf in leaves { arguments += ["-cert", leaf.hasPrefix("/") ? leaf : pki.path(kind, leaf)] }
        arguments += [nonce ? "-nonce" : "-no_nonce", "-reqout", url.path]
        let result = try run("openssl", arguments)
        guard result.status == 0 else { throw TestFailure("openssl ocsp -reqout failed: \(result.stderr)") }
        return url
    }

    /// Runs `ocsp-responder --config … respond FILE` and returns its result and the file's new bytes.
    func respond(_ file: URL, extraArguments: [String] = []) throws -> (result: ProcessResult, response: Data, request: Data) {
        let request = try Data(contentsOf: file)
        let result = try ResponderBinary.run(["respond", "--config", configPath, file.path] + extraArguments)
        return (result, try Data(contentsOf: file), request)
    }

    /// Both peers on a successful response file; returns Python's single responses.
    func verify(_ response: Data, request: Data? = nil) throws -> [PeerReport.Single] {
        let json = try Peers.verifySuccessful(
            response: response, issuer: pki.path(kind, "ca.pem"), chain: pki.path(kind, "chain.pem"), request: request
        )
        return json.responses
    }
}
