import Foundation

/// The repository's root, found from this file's path: tests run scripts and the binary from there.
package let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What a finished process left.
package struct ProcessResult: Sendable {
    package var status: Int32
    package var stdout: Data
    package var stderr: String

    package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion, feeding `stdin`, and collects its output.
@discardableResult
package func run(
    _ executable: String, _ arguments: [String], stdin: Data? = nil,
    environment: [String: String]? = nil, currentDirectory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.currentDirectoryURL = currentDirectory
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    // Drain stderr on another thread while this one writes stdin and reads stdout, so no pipe fills up.
    let errorOutput = ErrorCollector()
    let finished = DispatchSemaphore(value: 0)
    Thread {
        errorOutput.data = errPipe.fileHandleForReading.readDataToEndOfFile()
        finished.signal()
    }.start()
    if let stdin { try? inPipe.fileHandleForWriting.write(contentsOf: stdin) }
    try? inPipe.fileHandleForWriting.close()
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    finished.wait()
    let errData = errorOutput.data
    return ProcessResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh temporary directory, unique per call.
package func makeTemporaryDirectory(_ prefix: String = "ocsp-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

package struct TestFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Holds what the stderr thread read; the semaphore orders its write before the read.
private final class ErrorCollector: @unchecked Sendable {
    var data = Data()
}
