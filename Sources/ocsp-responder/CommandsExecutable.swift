#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ocsp-responder-commands`, the program with every command, found beside this one.
enum CommandsExecutable {
    static let name = "ocsp-responder-commands"

    /// Replaces this process with `ocsp-responder-commands ARGUMENTS`; returns only on failure, with why.
    ///
    /// The path comes from `/proc/self/exe`, never from `argv[0]` or `PATH`, which a caller chooses.
    static func execute(_ arguments: [String]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return "cannot find this program's own path (/proc/self/exe): \(String(cString: strerror(errno)))" }
        let own = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let path = directory + "/" + name
        let argv = (["ocsp-responder"] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        return "cannot run \(path): \(String(cString: strerror(errno)))"
    }
}
