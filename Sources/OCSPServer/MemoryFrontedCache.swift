import OCSPCore
import OCSPRuntime
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file cache (`[ocsp] cache`) with the responses it holds also kept in memory, shared by every
/// worker: a hit costs a `stat` instead of an open, a read and a close.
///
/// An entry in memory is served only while its file is still the one it was read from or written to
/// (same inode, size, modification and change times): `db revoke` and the other admin commands remove a
/// certificate's files, and a running server must see that at once, as `respond` does; a renewed check
/// mark (another worker's, `respond`'s, `resign`'s) changes the file's times, and the next look-up reads
/// it again. The responder still checks every response it is handed (CertID, signer, nextUpdate, check
/// time), so an expired entry is a miss and an old check mark a revalidation.
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
        /// The inode's change time, which no user can set: a file replaced by one that reuses its inode
        /// number, size and (whole-second) modification time still differs here.
        var changedSeconds: Int
        var changedNanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
            changedSeconds = Int(info.st_ctim.tv_sec)
            changedNanoseconds = Int(info.st_ctim.tv_nsec)
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

    /// The check mark is the file's modification time, as `FileResponseCache` keeps it: taken from the
    /// `stat` that confirms the entry, so a renewal by another process is seen at once.
    func storedResponse(for certID: CertID) -> KeptResponse? {
        let path = files.path(for: certID)
        guard let identity = FileIdentity(path: path) else { return nil }
        let checkedAt = UnixTime(seconds: Int64(identity.modifiedSeconds))
        if let entry = memory[path], entry.identity == identity {
            return KeptResponse(der: entry.der, checkedAt: checkedAt)
        }
        guard let kept = files.storedResponse(for: certID) else { return nil }
        // Kept under the identity seen before the read: if the file changed in between, the next look-up
        // sees a different identity and reads it again.
        memory.insert(Entry(der: kept.der, identity: identity), for: path)
        return KeptResponse(der: kept.der, checkedAt: min(checkedAt, kept.checkedAt))
    }

    func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime) {
        files.store(der, for: certID, checkedAt: checkedAt)
        let path = files.path(for: certID)
        if let identity = FileIdentity(path: path) {
            memory.insert(Entry(der: der, identity: identity), for: path)
        }
    }

    func renew(_ certID: CertID, checkedAt: UnixTime) {
        files.renew(certID, checkedAt: checkedAt)
    }

    func discard(_ certID: CertID) {
        files.discard(certID)
        memory.remove(files.path(for: certID))
    }
}
