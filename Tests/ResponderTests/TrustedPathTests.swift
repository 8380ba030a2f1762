import OCSPRuntime
import Foundation
import Testing
import TestSupport

/// `TrustedPath` on real directories: who owns each component, who may write it, and links followed one
/// at a time. Run as root (the suite's user), so root's files are the trusted ones and the caller
/// account's are not.
@Suite(.enabled(if: getuid() == 0, "the untrusted owner is the caller account: run scripts/test.sh as root"))
struct TrustedPathTests {
    /// A root-owned 0755 directory of its own under /tmp (sticky, root's: allowed on the way).
    let base: String

    init() throws {
        base = try makeTemporaryDirectory("ocsp-trusted").path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base)
    }

    func file(_ name: String, mode: Int = 0o644) throws -> String {
        let path = "\(base)/\(name)"
        try "x".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func failure(_ path: String, _ kind: TrustedPath.Kind) -> TrustedPath.Failure.Code? {
        do {
            _ = try TrustedPath.resolve(path, kind: kind)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("Links are resolved to a path without links: absolute, relative, chained, and with .. after a link")
    func linksResolve() throws {
        let target = try file("target")
        try FileManager.default.createDirectory(atPath: "\(base)/dir/sub", withIntermediateDirectories: true)
        #expect(symlink(target, "\(base)/absolute") == 0)
        #expect(symlink("target", "\(base)/relative") == 0)
        #expect(symlink("relative", "\(base)/chained") == 0)
        #expect(symlink("dir/sub", "\(base)/sublink") == 0)
        for path in ["\(base)/absolute", "\(base)/relative", "\(base)/chained", "\(base)/sublink/../../target", "\(base)/./dir/../target"] {
            let resolved = try TrustedPath.resolve(path, kind: .file)
            #expect(resolved.path == target, "\(path) → \(resolved.path)")
        }
        // `..` after a link is taken from where the link points (dir/sub/..= dir), as the kernel does.
        try FileManager.default.createDirectory(atPath: "\(base)/dir/inner", withIntermediateDirectories: true)
        #expect(try TrustedPath.resolve("\(base)/sublink/../inner", kind: .directory).path == "\(base)/dir/inner")
    }

    @Test("Refused: a link loop, a relative path, a missing file, a file where a directory is wanted")
    func malformedPaths() throws {
        #expect(symlink("loop-b", "\(base)/loop-a") == 0)
        #expect(symlink("loop-a", "\(base)/loop-b") == 0)
        #expect(failure("\(base)/loop-a", .file) == .tooManyLinks)
        #expect(failure("relative/config.ini", .file) == .relativePath)
        #expect(failure("\(base)/missing", .file) == .missing)
        #expect(failure("\(base)/missing", .fileOrAbsent) == nil)
        #expect(failure("\(base)/missing/deeper", .fileOrAbsent) == .missing)
        let plain = try file("plain")
        #expect(failure(plain, .directory) == .notADirectory)
        #expect(failure("\(plain)/below", .fileOrAbsent) == .notADirectory)
        #expect(failure(base, .file) == .notAFile)
        #expect(mkfifo("\(base)/fifo", 0o644) == 0)
        #expect(failure("\(base)/fifo", .file) == .notAFile)
    }

    @Test("Writable by group or others is refused, on the file or any directory on the way; a sticky directory is not")
    func writableComponents() throws {
        #expect(failure(try file("group-writable", mode: 0o664), .file) == .writableByOthers)
        #expect(failure(try file("world-writable", mode: 0o646), .file) == .writableByOthers)
        try FileManager.default.createDirectory(atPath: "\(base)/open", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: "\(base)/open")
        try "x".write(toFile: "\(base)/open/inside", atomically: false, encoding: .utf8)
        #expect(failure("\(base)/open/inside", .file) == .writableByOthers)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: "\(base)/open")
        #expect(failure("\(base)/open/inside", .file) == nil)
        // The sticky directory itself, as the last component (a cache directory), is still refused.
        #expect(failure("\(base)/open", .directory) == .writableByOthers)
    }

    @Test("Owned by another user: the file, a directory on the way, or a link, even to a trusted file")
    func untrustedOwners() throws {
        let caller = try TestAccounts.required().caller
        let target = try file("target")
        let owned = try file("callers")
        try TestAccounts.chown(owned, to: caller)
        #expect(failure(owned, .file) == .untrustedOwner)
        try FileManager.default.createDirectory(atPath: "\(base)/callers-dir", withIntermediateDirectories: false)
        let inside = "\(base)/callers-dir/file"
        try "x".write(toFile: inside, atomically: false, encoding: .utf8)
        try TestAccounts.chown("\(base)/callers-dir", to: caller)
        #expect(failure(inside, .file) == .untrustedOwner)
        #expect(symlink(target, "\(base)/callers-link") == 0)
        #expect(lchown("\(base)/callers-link", try TestAccounts.ids(of: caller).uid, gid_t.max) == 0)
        #expect(failure("\(base)/callers-link", .file) == .untrustedOwner)
    }
}
