#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ServiceAccount {
    /// Creates the log file for this account when it does not exist yet, before root opens it.
    ///
    /// `serve` opens `[log] file` while it is still root (the drop comes after binding). A file root
    /// created there would be root's, and every later run as the service user (`respond`, `resign`,
    /// `serve` started by that user) could not append to it. So it is created here, with the mode
    /// `LogDestination` gives a new log (0640), and handed to the account; an existing file is left as it
    /// is. A failure here is not reported: opening the log right after says why, or falls back to stderr.
    package func createLogFile(at path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        _ = fchown(fd, uid, gid)
        close(fd)
    }
}
