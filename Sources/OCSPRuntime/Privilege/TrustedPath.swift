#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A path that only the trusted owners (root and the user we run as) can change, at any component.
///
/// Under sudo the caller chooses `--config`, and so, through that file, every other path; the config
/// and everything it names must therefore be the service's own. A file is the service's own when it is
/// owned by root or the service user, is not writable by group or others, and every directory on the way
/// to it passes the same test (a world-writable directory only when it is sticky, as `/tmp` is: there an
/// entry can be renamed or removed only by its owner, the directory's owner or root). Symbolic links are
/// followed one by one, each checked where it stands, so a link the caller planted is refused rather
/// than followed, and the result is the path with no link left in it: opening it later cannot be
/// redirected by anyone untrusted, since nobody untrusted can write to any directory on it.
package struct TrustedPath: Sendable, Hashable {
    /// The absolute path with every link resolved.
    package let path: String
    /// Its device and inode, or nil when the last component does not exist (allowed for `fileOrAbsent`,
    /// `directoryOrAbsent`).
    package let identity: FileIdentity?

    /// What the last component must be.
    package enum Kind: Sendable {
        case file, fileOrAbsent, directory, directoryOrAbsent
    }

    /// Why a path is not trusted, naming the component at fault and the fix.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package enum Code: Sendable, Hashable {
            case relativePath, missing, notAFile, notADirectory, untrustedOwner, writableByOthers, tooManyLinks, system
        }
        package var code: Code
        package var description: String
        package var file: String
        package var line: UInt

        init(_ code: Code, _ description: String, file: String = #fileID, line: UInt = #line) {
            self.code = code
            self.description = description
            self.file = file
            self.line = line
        }
    }

    /// The users whose files are trusted: root and the effective user.
    package static var trustedOwners: Set<uid_t> { [0, geteuid()] }

    /// Walks `path` component by component (see the type's comment). A relative `path` is refused:
    /// under sudo it would be resolved from the caller's working directory.
    package static func resolve(_ path: String, kind: Kind, owners: Set<uid_t> = trustedOwners) throws(Failure) -> TrustedPath {
        guard path.hasPrefix("/") else {
            throw Failure(.relativePath, "\(path) is a relative path, which under sudo would be resolved from the caller's directory; use an absolute path")
        }
        var pending = components(of: path).reversed() as [Substring]
        var resolved: [Substring] = []
        var links = 0
        let root = try checkRoot(owners: owners, original: path)
        while let name = pending.popLast() {
            if name == "." { continue }
            if name == ".." {
                _ = resolved.popLast()  // `resolved` has no links in it, so `..` is lexical
                continue
            }
            let candidate = "/" + (resolved + [name]).joined(separator: "/")
            let isLast = pending.isEmpty
            var info = stat()
            if lstat(candidate, &info) != 0 {
                let code = errno
                if code == ENOENT, isLast, kind == .fileOrAbsent || kind == .directoryOrAbsent {
                    return TrustedPath(path: candidate, identity: nil)
                }
                if code == ENOENT { throw Failure(.missing, "\(candidate) does not exist") }
                throw Failure(.system, "\(candidate): \(String(cString: strerror(code)))")
            }
            guard owners.contains(info.st_uid) else { throw untrustedOwner(candidate, info, original: path) }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                links += 1
                guard links <= 40 else { throw Failure(.tooManyLinks, "\(path): too many symbolic links") }
                let target = try readLink(candidate)
                if target.hasPrefix("/") {
                    resolved = []
                }
                pending.append(contentsOf: components(of: target).reversed())
                continue
            case S_IFDIR:
                if isLast {
                    guard kind == .directory || kind == .directoryOrAbsent else {
                        throw Failure(.notAFile, "\(candidate) is a directory, not a file")
                    }
                    try checkWritable(candidate, info, allowSticky: false)
                } else {
                    try checkWritable(candidate, info, allowSticky: true)
                }
            case S_IFREG where isLast:
                guard kind == .file || kind == .fileOrAbsent else {
                    throw Failure(.notADirectory, "\(candidate) is a file, not a directory")
                }
                try checkWritable(candidate, info, allowSticky: false)
            default:
                throw Failure(isLast ? .notAFile : .notADirectory, "\(candidate) is not a \(isLast && kind != .directory && kind != .directoryOrAbsent ? "regular file" : "directory")")
            }
            resolved.append(name)
            if isLast { return TrustedPath(path: candidate, identity: FileIdentity(info)) }
        }
        // The path named the root directory itself.
        guard kind == .directory || kind == .directoryOrAbsent else { throw Failure(.notAFile, "\(path) is the root directory") }
        return TrustedPath(path: "/", identity: FileIdentity(root))
    }

    private static func components(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The root directory, where every walk starts, checked as any directory on the way is; its `stat`.
    private static func checkRoot(owners: Set<uid_t>, original: String) throws(Failure) -> stat {
        var info = stat()
        guard lstat("/", &info) == 0 else { throw Failure(.system, "/: \(String(cString: strerror(errno)))") }
        guard owners.contains(info.st_uid) else { throw untrustedOwner("/", info, original: original) }
        try checkWritable("/", info, allowSticky: true)
        return info
    }

    private static func untrustedOwner(_ component: String, _ info: stat, original: String) -> Failure {
        Failure(.untrustedOwner, "\(component)\(component == original ? "" : " (on the way to \(original))") is owned by uid \(info.st_uid), not by root or the service user; under sudo only their files are used, in directories only they can write")
    }

    /// Group- or world-writable is refused: whoever else can write there could replace what we read.
    private static func checkWritable(_ path: String, _ info: stat, allowSticky: Bool) throws(Failure) {
        let mode = info.st_mode
        if mode & 0o022 == 0 { return }
        let isDirectory = mode & S_IFMT == S_IFDIR
        if allowSticky, isDirectory, mode & S_ISVTX != 0 { return }
        throw Failure(.writableByOthers, "\(path) can be written by group or others (mode \(String(mode & 0o7777, radix: 8))); fix with: chmod go-w \(path)")
    }

    private static func readLink(_ path: String) throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw Failure(.system, "\(path): \(String(cString: strerror(errno)))") }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A file's identity (device and inode) with what the checks read from its `stat`.
package struct FileIdentity: Sendable, Hashable {
    package let device: UInt64
    package let inode: UInt64

    package init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of an open descriptor, or nil if it cannot be stat'ed.
    package init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }
}
