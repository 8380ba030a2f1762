#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CLinux

/// The request file (or `--out` file) of a caller that reached us through sudo, open once and used only
/// through that descriptor.
///
/// The caller names the path, and owns the directories on the way to it, so the path is looked at once:
/// opened with `CLINUX_O_PATH | O_NOFOLLOW` (which opens nothing, follows no link and needs no permission),
/// checked with `fstat` to be a regular file owned by the caller, with one link, and none of the
/// service's own files; only then reopened through `/proc/self/fd` for reading or writing, which reaches
/// that same inode whatever the caller does to the path meanwhile. A symlink, a hard link, a FIFO, a
/// device, a directory, another user's file or a service file is refused before a byte is read or written.
///
/// The answer is written into the same file, which stays the caller's (owner, group and mode unchanged):
/// a new file renamed over it would belong to the service user. See `overwrite(with:)` for why the
/// caller never reads half of an answer.
package final class CallerFile {
    /// The descriptor, open for reading (and writing, when the answer goes back into this file).
    private let fd: Int32
    package let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens `path` for the caller `callerUID`, or says why it is refused; `serviceFiles` are the
    /// identities of the files the config names.
    ///
    /// A file opened `writable` gets an exclusive `flock` (waited for: the run's timeout bounds the wait),
    /// so that concurrent calls on one file each read a whole request and write a whole answer in turn.
    package static func open(
        path: String, callerUID: uid_t, writable: Bool, serviceFiles: Set<FileIdentity>
    ) throws(FileIO.Error) -> CallerFile {
        let handle = Glibc.open(path, CLINUX_O_PATH | O_NOFOLLOW | O_CLOEXEC)
        guard handle >= 0 else { throw FileIO.Error(path, "cannot open") }
        defer { close(handle) }
        var info = stat()
        guard fstat(handle, &info) == 0 else { throw FileIO.Error(path, "cannot stat") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw FileIO.Error(path, reason: "is a symbolic link; under sudo the file must be the caller's own regular file, not a link")
        case S_IFDIR: throw FileIO.Error(path, reason: "is a directory")
        default: throw FileIO.Error(path, reason: "not a regular file")
        }
        guard info.st_uid == callerUID else {
            throw FileIO.Error(path, reason: "is owned by uid \(info.st_uid), not by the caller (uid \(callerUID)); under sudo only the caller's own files are read or written")
        }
        guard info.st_nlink == 1 else {
            throw FileIO.Error(path, reason: "has \(info.st_nlink) hard links; under sudo the file must have exactly one")
        }
        guard !serviceFiles.contains(FileIdentity(info)) else {
            throw FileIO.Error(path, reason: "is one of the responder's own files")
        }
        let fd = Glibc.open("/proc/self/fd/\(handle)", (writable ? O_RDWR : O_RDONLY) | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.Error(path, writable ? "cannot open for reading and writing" : "cannot open for reading") }
        let file = CallerFile(fd: fd, path: path)
        // The same inode as the one checked: /proc's link cannot be redirected, but say so if it ever were.
        guard FileIdentity(descriptor: fd) == FileIdentity(info) else { throw FileIO.Error(path, reason: "changed while it was opened") }
        // Only the file written is locked: `respond FILE --out FILE` opens one file twice, and a second
        // flock on it would wait for the first.
        while writable, flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileIO.Error(path, "cannot lock") }
        }
        return file
    }

    /// The whole file, up to `limit + 1` bytes (so a caller can tell "too large").
    package func read(limit: Int) throws(FileIO.Error) -> [UInt8] {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileIO.Error(path, "cannot seek") }
        return try FileIO.readAll(fd: fd, path: path, limit: limit)
    }

    /// Replaces the file's contents with `bytes`, in place.
    ///
    /// The answer is complete in memory before the first byte is written. The space for it is reserved
    /// first (`fallocate` with `FALLOC_FL_KEEP_SIZE`, which changes nothing a reader sees), so a full disk
    /// fails here and leaves the request as it was; then one `pwrite` from offset 0 and an `ftruncate` to
    /// its length. The caller cannot interrupt that: the process runs as another user, so the caller can
    /// signal only sudo, and the signals sudo relays (TERM, INT, HUP) are taken by the watchdog, which
    /// writes under the same lock as this (`RunWatchdog`), so one whole answer is written, never two
    /// halves. Concurrent calls on the same file wait for each other's `flock`.
    package func overwrite(with bytes: [UInt8]) throws(FileIO.Error) {
        let reserved = fallocate(fd, CLINUX_FALLOC_FL_KEEP_SIZE, 0, Int(bytes.count))
        if reserved != 0, errno != EOPNOTSUPP, errno != ENOSYS {
            throw FileIO.Error(path, "cannot reserve space for the response")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                pwrite(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, off_t(offset))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileIO.Error(path, "cannot write")
            }
            offset += written
        }
        guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw FileIO.Error(path, "cannot truncate") }
    }
}
