import Foundation

/// The test PKI, made once per test process by `scripts/make-pki.sh` with the openssl CLI.
package struct TestPKI: Sendable {
    package let directory: URL

    /// Made on first use; Swift runs a static initialiser once, even with tests in parallel.
    package static let shared: TestPKI = {
        do {
            let directory = try makeTemporaryDirectory("ocsp-pki")
            let result = try run("/bin/bash", [repositoryRoot.appendingPathComponent("scripts/make-pki.sh").path, directory.path])
            guard result.status == 0 else { fatalError("make-pki.sh failed: \(result.stderr)") }
            return TestPKI(directory: directory)
        } catch {
            fatalError("cannot make the test PKI: \(error)")
        }
    }()

    /// The key kinds the PKI has a CA for.
    package enum Kind: String, CaseIterable, Sendable {
        case rsa, p256, p384, ed25519
    }

    package func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    package func path(_ kind: Kind, _ file: String) -> String {
        path("\(kind.rawValue)/\(file)")
    }

    package var root: String { path("root.pem") }
}
