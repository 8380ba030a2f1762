internal import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and replacing files with plain system calls: no Foundation in a process that runs per request.
package enum FileIO {
    /// A file operation that failed, with the path and the system's reason.
    package struct Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var code: Int32

        package init(_ path: String, _ operation: String, code: Int32 = errno) {
            self.path = path
            self.code = code
            self.reason = "\(operation): \(String(cString: strerror(code)))"
        }

        init(_ path: String, reason: String) {
            self.path = path
            self.reason = reason
            self.code = 0
        }

        package var description: String { "\(path): \(reason)" }
    }

    /// Reads a regular file, or standard input for `-`, up to `limit + 1` bytes, so a caller can tell
    /// "too large" without reading a huge file whole.
    ///
    /// - Parameter followLinks: false for files only this program writes (the cache): a link in their
    ///   place is an error (`ELOOP`), never a way to read another file.
    package static func read(path: String, limit: Int, followLinks: Bool = true) throws(Error) -> [UInt8] {
        if path == "-" { return try readAll(fd: STDIN_FILENO, path: "standard input", limit: limit) }
        return try readWithModificationTime(path: path, limit: limit, followLinks: followLinks).bytes
    }

    /// `read` of a regular file, with the file's modification time (whole seconds, rounded down) as the
    /// open file had it: the cache keeps its check marks there.
    package static func readWithModificationTime(
        path: String, limit: Int, followLinks: Bool = true
    ) throws(Error) -> (bytes: [UInt8], modified: Int64) {
        // O_NONBLOCK: opening a FIFO with no writer must not hang; we refuse anything but a regular file.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw Error(path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Error(path, "cannot stat") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Error(path, reason: "not a regular file") }
        return (try readAll(fd: fd, path: path, limit: limit), Int64(info.st_mtim.tv_sec))
    }

    /// Sets the modification time of `path` (never of a link's target) to `seconds`, leaving its access time.
    /// Only the file's owner may: a cache file another user wrote is an error here, not a silent success.
    package static func setModificationTime(path: String, seconds: Int64) throws(Error) {
        var times = [timespec(tv_sec: 0, tv_nsec: CLINUX_UTIME_OMIT), timespec(tv_sec: time_t(seconds), tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw Error(path, "cannot set its modification time") }
    }

    static func readAll(fd: Int32, path: String, limit: Int) throws(Error) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Error(path, "cannot read")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk.prefix(count))
        }
        return bytes
    }

    /// Writes all of `bytes` to standard output.
    package static func writeStandardOutput(_ bytes: [UInt8]) throws(Error) {
        try writeAll(fd: STDOUT_FILENO, bytes, path: "standard output")
    }

    package static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws(Error) {
        var offset = 0
        while offset < bytes.count {
            // Optional chaining, not `!`: the buffer is non-empty here, and if it had no address write(2)
            // would fail with EFAULT, an error rather than a trap.
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Error(path, "cannot write")
            }
            offset += written
        }
    }

    /// Replaces `path` with `bytes` so that no reader ever sees a partial file: a temporary file in the same
    /// directory, renamed over the target. The new file keeps the old one's permission bits.
    ///
    /// Where the directory does not let us create or rename (a sticky `/tmp` with a file owned by the
    /// calling app, a read-only directory), the file is overwritten in place instead: opened without
    /// truncation, written, then cut to length, so a failure to open leaves it exactly as it was.
    ///
    /// - Parameter inPlaceFallback: false where readers run concurrently (the cache): then only the rename
    ///   is used, and a directory that forbids it is an error rather than a window for a torn read.
    package static func replace(path: String, with bytes: [UInt8], defaultMode: mode_t = 0o644, inPlaceFallback: Bool = true) throws(Error) {
        var existing = stat()
        let exists = stat(path, &existing) == 0
        if exists && existing.st_mode & S_IFMT != S_IFREG {
            throw Error(path, reason: "not a regular file")
        }
        let mode = exists ? existing.st_mode & 0o7777 : defaultMode
        do {
            try replaceByRename(path: path, bytes: bytes, mode: mode)
        } catch let renameError {
            guard inPlaceFallback, exists, [EACCES, EPERM, EROFS, EXDEV].contains(renameError.code) else { throw renameError }
            try overwriteInPlace(path: path, bytes: bytes)
        }
    }

    /// Writes a new version of a file that only this program writes (a cache or export entry): like
    /// `replace`, atomic through a rename, but with `mode` rather than the old file's, so the old file is
    /// not looked at. `resign` writes one per row, where every system call counts.
    ///
    /// - Parameter stagingDirectory: where the temporary file is made, on the same file system as `path`
    ///   (nil: beside `path`). A small directory of its own spares the large one a name lookup, an insert
    ///   and a removal per file, and its files' inodes come from another part of the disk than the
    ///   directory's (ext4 places a new directory's inodes apart and a file's near its directory).
    /// - Parameter modified: the new file's modification time in seconds (nil: the time of the write). The
    ///   cache keeps there when the response's status was read from the table.
    package static func publish(
        path: String, with bytes: [UInt8], mode: mode_t, stagingDirectory: String? = nil, modified: Int64? = nil
    ) throws(Error) {
        try replaceByRename(path: path, bytes: bytes, mode: mode, stagingDirectory: stagingDirectory, modified: modified)
    }

    private static func replaceByRename(
        path: String, bytes: [UInt8], mode: mode_t, stagingDirectory: String? = nil, modified: Int64? = nil
    ) throws(Error) {
        let temporary = stagingDirectory.map { "\($0)/\(temporaryName(besides: path))" } ?? temporaryPath(besides: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Error(path, "cannot create a temporary file beside it") }
        var keep = false
        defer {
            if !keep { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode; the replacement keeps the original's bits.
            if mode & ~processUmask != mode { fchmod(fd, mode) }
            try writeAll(fd: fd, bytes, path: path)
            if let modified {
                // Set before the rename: no reader ever sees the file with the time of the write.
                var times = [timespec(tv_sec: 0, tv_nsec: CLINUX_UTIME_OMIT), timespec(tv_sec: time_t(modified), tv_nsec: 0)]
                guard futimens(fd, &times) == 0 else { throw Error(path, "cannot set the modification time of its temporary file") }
            }
        }
        guard rename(temporary, path) == 0 else { throw Error(path, "cannot rename the temporary file over it") }
        keep = true
    }

    private static func overwriteInPlace(path: String, bytes: [UInt8]) throws(Error) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Error(path, "cannot open for writing") }
        defer { close(fd) }
        try writeAll(fd: fd, bytes, path: path)
        guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw Error(path, "cannot truncate") }
    }

    /// `dir/.name.tmp-PID-N`: hidden, unique per process (N counts the calls; created with O_EXCL, so a
    /// name that is somehow taken fails rather than being shared), in the target's directory.
    package static func temporaryPath(besides path: String) -> String {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { String(path[...$0]) } ?? ""
        return directory + temporaryName(besides: path)
    }

    /// `.name.tmp-PID-N` for `dir/name`: the file name `temporaryPath` uses.
    static func temporaryName(besides path: String) -> String {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return ".\(name).tmp-\(processID)-\(temporaryCounter.add(1, ordering: .relaxed).newValue)"
    }

    private static let processID = getpid()

    /// The process's umask, from `/proc/self/status` (reading it with `umask(2)` means setting it, which
    /// would widen the mode of files other threads create meanwhile); all bits when it cannot be read, so
    /// that `fchmod` is always called.
    static let processUmask: mode_t = {
        guard let status = try? read(path: "/proc/self/status", limit: 64 * 1024) else { return 0o7777 }
        return parsedUmask(status) ?? 0o7777
    }()

    /// The `Umask:` line's octal value in the text of `/proc/self/status`, scanned as bytes: `respond`
    /// reads it once per process, and splitting the whole text into lines cost more than the rest of a
    /// cached answer's file work.
    package static func parsedUmask(_ status: [UInt8]) -> mode_t? {
        let key = Array("Umask:".utf8)
        var lineStart = 0
        while lineStart + key.count <= status.count {
            if status[lineStart..<(lineStart + key.count)].elementsEqual(key) {
                var index = lineStart + key.count
                while index < status.count, status[index] == UInt8(ascii: " ") || status[index] == UInt8(ascii: "\t") { index += 1 }
                var value: mode_t = 0
                var digits = 0
                while index < status.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(status[index]), digits < 6 {
                    value = value << 3 | mode_t(status[index] - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                return digits > 0 ? value : nil
            }
            guard let newline = status[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            lineStart = newline + 1
        }
        return nil
    }
    private static let temporaryCounter = Atomic<UInt64>(UInt64(UInt32.random(in: 0...UInt32.max)))

    /// Creates `path` as a directory with `mode` unless it exists, and its missing parents with the same mode.
    package static func makeDirectory(path: String, mode: mode_t) throws(Error) {
        if mkdir(path, mode) == 0 { return }
        var code = errno
        if code == ENOENT, let slash = path.lastIndex(of: "/"), slash > path.startIndex {
            try makeDirectory(path: String(path[..<slash]), mode: mode)
            if mkdir(path, mode) == 0 { return }
            code = errno
        }
        var info = stat()
        guard code == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw Error(path, "cannot create the directory", code: code)
        }
    }

    /// The names in directory `path` that start with `prefix`.
    package static func names(in path: String, prefix: String) throws(Error) -> [String] {
        guard let directory = opendir(path) else { throw Error(path, "cannot open the directory") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names
    }

    /// Removes `path`; true when it was there.
    @discardableResult
    package static func remove(path: String) -> Bool {
        unlink(path) == 0
    }

    /// True when `path` is a directory (links followed).
    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The permission bits of `path`, or nil if it cannot be stat'ed.
    package static func permissions(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }
}
