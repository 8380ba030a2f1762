internal import CLinux
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import Synchronization

/// Writes one line per message in OCSP_MySql's format, so existing log readers keep working:
///
///     2026-11-24 10:00:00,123 INFO in process 4242 - message key=value
///
/// (Python's `%(asctime)s %(levelname)s in process %(process)d - %(message)s`; the time is UTC.)
/// Each line is one `write(2)` on an `O_APPEND` descriptor, so lines from concurrent processes do not mix.
package struct LineLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let destination: LogDestination

    package init(destination: LogDestination, level: Logger.Level) {
        self.destination = destination
        self.logLevel = level
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var line = "\(Self.timestamp()) \(Self.levelName(event.level)) in process \(getpid()) - \(Self.escaped("\(event.message)"))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(Self.escaped(key))=\(Self.escaped("\(value)"))"
        }
        line += "\n"
        destination.write(line)
    }

    /// Control characters as `\xNN`: a message may quote a path or a reason from the caller, and a newline
    /// in it must not start a log line of its own.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let iso = UnixTime(seconds: Int64(now.tv_sec)).iso8601  // 2026-11-24T10:00:00Z
        let millis = String(now.tv_nsec / 1_000_000)
        let date = iso.dropLast().replacingOccurrences(of: "T", with: " ")
        return "\(date),\(String(repeating: "0", count: 3 - millis.count))\(millis)"
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}

/// Where log lines go: a file opened for appending, or standard error.
///
/// A file destination can be reopened (`reopenAll`, on `serve`'s SIGHUP after logrotate renamed the
/// file): the new file is opened at the same path and put in place of the old one under the same
/// descriptor number (`dup3`), atomically, so that writers on other threads never see a closed or a
/// reused descriptor and need no lock.
package final class LogDestination: Sendable {
    private let fd: Int32
    package let isStandardError: Bool
    package let path: String?

    package static let standardError = LogDestination(fd: STDERR_FILENO, path: nil)

    /// Every file destination alive, for `reopenAll`: weak, so a destination still closes when its last
    /// user lets go of it.
    private static let openFiles = Mutex<[WeakDestination]>([])

    private struct WeakDestination: @unchecked Sendable {
        // @unchecked Sendable: a weak reference to a Sendable class, only touched under `openFiles`' lock.
        weak var destination: LogDestination?
    }

    private init(fd: Int32, path: String?) {
        self.fd = fd
        self.path = path
        self.isStandardError = fd == STDERR_FILENO
    }

    /// Opens `path` for appending (mode 0640 if created), or says why not. A link in its place is not
    /// followed (`O_NOFOLLOW`), and anything but a regular file is refused, so a log line never lands in
    /// a file the link's maker chose, nor blocks on a FIFO.
    package static func file(_ path: String) throws(FileIO.Error) -> LogDestination {
        let destination = LogDestination(fd: try openLogFile(path), path: path)
        openFiles.withLock { files in
            files.removeAll { $0.destination == nil }
            files.append(WeakDestination(destination: destination))
        }
        return destination
    }

    private static func openLogFile(_ path: String) throws(FileIO.Error) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileIO.Error(path, errno == ELOOP ? "is a symbolic link, not the log file itself" : "cannot open the log file") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileIO.Error(path, reason: "the log file is not a regular file")
        }
        return fd
    }

    /// Opens the file at `path` again (as the process is now: the service user after `serve` dropped
    /// root) and writes there from now on; on a failure the old file stays in use and the error says why.
    package func reopen() throws(FileIO.Error) {
        guard let path, !isStandardError else { return }
        let fresh = try Self.openLogFile(path)
        defer { close(fresh) }
        guard dup3(fresh, fd, O_CLOEXEC) >= 0 else {
            throw FileIO.Error(path, "cannot put the reopened log file in place of the old one")
        }
    }

    /// Reopens every file destination of the process; the paths that could not be reopened, with why.
    package static func reopenAll() -> [String] {
        let destinations = openFiles.withLock { files in
            files.removeAll { $0.destination == nil }
            return files.compactMap(\.destination)
        }
        var failures: [String] = []
        for destination in destinations {
            do {
                try destination.reopen()
            } catch {
                failures.append(error.inputReason)
            }
        }
        return failures
    }

    deinit {
        if !isStandardError { close(fd) }
    }

    package func write(_ line: String) {
        var bytes = Array(line.utf8)
        // Logging must never stop an answer: a failed write is dropped.
        _ = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
