#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCSPCore
import OCSPService

/// The file cache (`[ocsp] cache`) with the responses it holds also kept in memory, shared by every
/// worker: a hit costs a `stat` instead of an open, a read and a close.
///
/// An entry in memory is served only while its file is still the one it was read from or written to
/// (same inode, size and modification time): `db revoke` and the other admin commands remove a
/// certificate's files, and a running server must see that at once, as `respond` does. The responder
/// still checks every response it is handed (CertID, signer, nextUpdate), so an expired entry is a miss.
final class MemoryFrontedCache: ResponseCache {
    /// What memory holds for one file; `Sendable` so the shared table can live behind a lock.
    struct Entry: Sendable {
        var der: [UInt8]
        var identity: FileIdentity
    }

    struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    /// Shared by every worker's cache, keyed by the file's path; an evicted entry is read from its file again.
    typealias Memory = BoundedTable<String, Entry>

    private let files: FileResponseCache
    private let memory: Memory

    init(files: FileResponseCache, memory: Memory) {
        self.files = files
        self.memory = memory
    }

    func storedResponse(for certID: CertID) -> [UInt8]? {
        let path = files.path(for: certID)
        guard let identity = FileIdentity(path: path) else { return nil }
        if let entry = memory[path], entry.identity == identity {
            return entry.der
        }
        guard let der = files.storedResponse(for: certID) else { return nil }
        // Kept under the identity seen before the read: if the file changed in between, the next look-up
        // sees a different identity and reads it again.
        memory.insert(Entry(der: der, identity: identity), for: path)
        return der
    }

    func store(_ der: [UInt8], for certID: CertID) {
        files.store(der, for: certID)
        let path = files.path(for: certID)
        if let identity = FileIdentity(path: path) {
            memory.insert(Entry(der: der, identity: identity), for: path)
        }
    }
}
