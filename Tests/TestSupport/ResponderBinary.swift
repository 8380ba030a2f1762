import Foundation

/// The built `ocsp-responder` executable: `$OCSP_RESPONDER_BIN`, else `.build/debug/ocsp-responder`.
package enum ResponderBinary {
    package static let path: String = {
        if let path = ProcessInfo.processInfo.environment["OCSP_RESPONDER_BIN"] { return path }
        return repositoryRoot.appendingPathComponent(".build/debug/ocsp-responder").path
    }()

    @discardableResult
    package static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try TestSupport.run(path, arguments, stdin: stdin)
    }
}
