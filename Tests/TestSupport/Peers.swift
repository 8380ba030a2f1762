import Foundation

/// Verifiers nobody on this project wrote: `openssl ocsp` and Python's `cryptography`.
package enum Peers {
    /// `openssl ocsp -respin` with `-CAfile` = the chain: succeeds only on "Response verify OK".
    /// Returns openssl's text output (with -resp_text) for further checks.
    @discardableResult
    ///
    /// `trustedSigner`: passed as `-VAfile`. openssl's verifier insists that all CertIDs of a response
    /// name the signer's CA unless the signer is trusted explicitly, so a response that answers
    /// `unknown` for another CA's CertID (which RFC 6960 allows) verifies only this way.
    /// `embeddedSignerOnly`: no `-verify_other`, so only a signer certificate carried in the response's
    /// `certs` lets it verify (as Apache's `SSLOCSPEnable` verifies).
    package static func opensslVerify(response: Data, chain: String, request: Data? = nil, trustedSigner: String? = nil,
                                     embeddedSignerOnly: Bool = false) throws -> String {
        let directory = try makeTemporaryDirectory("ocsp-peer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let responsePath = directory.appendingPathComponent("resp.der")
        try response.write(to: responsePath)
        // -verify_other: a CA signing its own responses does not embed its certificate; openssl finds it there.
        var arguments = ["ocsp", "-respin", responsePath.path, "-CAfile", chain, "-resp_text"]
        if !embeddedSignerOnly { arguments += ["-verify_other", chain] }
        if let trustedSigner {
            arguments += ["-VAfile", trustedSigner]
        }
        if let request {
            let requestPath = directory.appendingPathComponent("req.der")
            try request.write(to: requestPath)
            arguments += ["-reqin", requestPath.path]
        } else {
            arguments += ["-no_nonce"]
        }
        let result = try run("openssl", arguments)
        let output = result.stdoutText + result.stderr
        guard result.status == 0, output.contains("Response verify OK") else {
            throw TestFailure("openssl ocsp did not verify the response (exit \(result.status)):\n\(output)")
        }
        return output
    }

    /// `scripts/peer-verify.py`: Python cryptography's view of the response, as JSON.
    package static func python(response: Data, issuer: String) throws -> [String: Any] {
        let directory = try makeTemporaryDirectory("ocsp-peer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let responsePath = directory.appendingPathComponent("resp.der")
        try response.write(to: responsePath)
        let script = repositoryRoot.appendingPathComponent("scripts/peer-verify.py").path
        let result = try run(pythonExecutable, [script, responsePath.path, "--issuer", issuer])
        guard result.status == 0,
              let json = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw TestFailure("peer-verify.py failed (exit \(result.status)): \(result.stderr)")
        }
        return json
    }

    /// Python cryptography's view of several responses, in one interpreter (a start-up is ~0.2 s).
    package static func python(responses: [Data], issuer: String) throws -> [[String: Any]] {
        let directory = try makeTemporaryDirectory("ocsp-peer")
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, response) in responses.enumerated() {
            let path = directory.appendingPathComponent("resp-\(index).der")
            try response.write(to: path)
            paths.append(path.path)
        }
        let script = repositoryRoot.appendingPathComponent("scripts/peer-verify.py").path
        let result = try run(pythonExecutable, [script] + paths + ["--issuer", issuer])
        let parsed = try JSONSerialization.jsonObject(with: result.stdout)
        guard result.status == 0, let list = responses.count == 1 ? [parsed as? [String: Any]].compactMap({ $0 }) : parsed as? [[String: Any]],
              list.count == responses.count else {
            throw TestFailure("peer-verify.py failed (exit \(result.status)): \(result.stderr)")
        }
        return list
    }

    /// `scripts/peer-make.py`: certificates and responses made by Python cryptography (expired, stale).
    package static func make(_ arguments: [String]) throws {
        let script = repositoryRoot.appendingPathComponent("scripts/peer-make.py").path
        let result = try run(pythonExecutable, [script] + arguments)
        guard result.status == 0 else { throw TestFailure("peer-make.py \(arguments) failed: \(result.stderr)") }
    }

    /// scripts/test.sh names the python3 that has cryptography (Debian's, when pyenv's lacks it).
    static var pythonExecutable: String { ProcessInfo.processInfo.environment["OCSP_TEST_PYTHON"] ?? "python3" }

    /// Both peers on a successful response: openssl verifies, Python verifies the signature (and the
    /// delegate, if any). Returns Python's JSON, whose `responses` tests then check.
    @discardableResult
    package static func verifySuccessful(response: Data, issuer: String, chain: String, request: Data? = nil) throws -> [String: Any] {
        try opensslVerify(response: response, chain: chain, request: request)
        let json = try python(response: response, issuer: issuer)
        guard json["response_status"] as? String == "SUCCESSFUL" else {
            throw TestFailure("Python sees status \(json["response_status"] ?? "nil")")
        }
        guard json["signature_valid"] as? Bool == true else {
            throw TestFailure("Python cryptography rejects the signature: \(json)")
        }
        if json["signer"] as? String == "delegate", json["delegate_valid"] as? Bool != true {
            throw TestFailure("Python cryptography rejects the delegated responder: \(json)")
        }
        return json
    }

    /// The `responses` array of Python's JSON.
    package static func singleResponses(_ json: [String: Any]) -> [[String: Any]] {
        json["responses"] as? [[String: Any]] ?? []
    }
}
