import OCSPCore
import OCSPWire
import Logging

/// The response cache on disk (`[ocsp] cache`): one DER file per CertID.
///
/// A file is named `SERIAL-DIGEST.der`: the serial in lowercase hex, so every response about a
/// certificate can be found and removed when its status changes, and the SHA-256 of the CertID's DER
/// (hash algorithm with its parameters, both hashes, serial), so two CertIDs never share a file.
///
/// Many processes read and write at once. A file is written beside its name and renamed over it, so a
/// reader sees the old response or the new one, never part of one; and the responder checks every file
/// it reads (see `ResponseCache`). A cache that cannot be used is reported once per run, never fatal.
package final class FileResponseCache: ResponseCache {
    package let layout: ResponseCacheLayout
    package var directory: String { layout.directory }
    private let logger: Logger
    private var warned = false

    /// Opens the cache at `directory`, creating it with mode 0700 if it is missing (unless not
    /// `creatingDirectory`: `explain` only reads).
    package init(directory: String, digester: some Digester, logger: Logger, creatingDirectory: Bool = true) {
        self.layout = ResponseCacheLayout(directory: directory, digester: digester)
        self.logger = logger
        guard creatingDirectory else { return }
        do {
            try FileIO.makeDirectory(path: layout.directory, mode: 0o700)
        } catch {
            warnOnce("cannot create the cache directory, answering without it: \(error.inputReason)")
        }
    }

    /// The file that holds the response for `certID`.
    package func path(for certID: CertID) -> String {
        layout.path(for: certID)
    }

    /// The file's bytes, with its modification time as the check mark: `store` and `renew` set it to the
    /// time the status was read from the table, so a hit within the revalidation window costs no more
    /// than the read itself.
    package func storedResponse(for certID: CertID) -> KeptResponse? {
        do {
            let file = try FileIO.readWithModificationTime(path: path(for: certID), limit: OCSPResponder.maximumRequestSize, followLinks: false)
            return KeptResponse(der: file.bytes, checkedAt: UnixTime(seconds: file.modified))
        } catch where error.code == ENOENT {
            return nil
        } catch {
            warnOnce("cannot read from the cache, answering without it: \(error.inputReason)")
            return nil
        }
    }

    package func store(_ der: [UInt8], for certID: CertID, checkedAt: UnixTime) {
        do {
            // A new file renamed over the name: a link there is replaced, never written through.
            try FileIO.publish(path: path(for: certID), with: der, mode: 0o644, modified: checkedAt.seconds)
        } catch {
            warnOnce("cannot write to the cache, answering without it: \(error.inputReason)")
        }
    }

    package func renew(_ certID: CertID, checkedAt: UnixTime) {
        do {
            try FileIO.setModificationTime(path: path(for: certID), seconds: checkedAt.seconds)
        } catch where error.code == ENOENT {
            // Removed meanwhile (`db revoke`, another process's fresh answer is on its way): nothing to renew.
        } catch {
            // Not fatal: the response is checked against the table again on its next request.
            warnOnce("cannot renew a cache file's check time, it is checked against the table on every request: \(error.inputReason)")
        }
    }

    package func discard(_ certID: CertID) {
        let path = path(for: certID)
        if !FileIO.remove(path: path), errno != ENOENT {
            warnOnce("cannot remove a cache file whose serial left the table: \(FileIO.Error(path, "cannot remove"))")
        }
    }

    /// Removes every kept response about `serial`, whatever its CertID's hashes, so the next request
    /// sees a status change at once. Returns how many files were removed. A file that stays (a cache
    /// directory this user cannot write) is an error: the responder would go on answering from it.
    /// A missing directory holds no answers, so it is no error.
    @discardableResult
    package func removeResponses(for serial: CertificateSerialNumber) throws(FileIO.Error) -> Int {
        let names: [String]
        do {
            names = try FileIO.names(in: directory, prefix: "\(serial.minimalHex)-")
        } catch where error.code == ENOENT {
            return 0
        }
        var removed = 0
        for name in names {
            let path = "\(directory)/\(name)"
            if FileIO.remove(path: path) {
                removed += 1
            } else if errno != ENOENT {
                throw FileIO.Error(path, "cannot remove")
            }
        }
        return removed
    }

    private func warnOnce(_ message: String) {
        guard !warned else { return }
        warned = true
        logger.warning("\(message)")
    }
}

/// Where the cache keeps the response for a CertID: `DIR/SERIAL-SHA256(CertID DER).der`. A value, so
/// that `resign`'s workers can share it.
package struct ResponseCacheLayout: Sendable {
    package let directory: String
    private let digester: any Digester

    package init(directory: String, digester: some Digester) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.digester = digester
    }

    package func path(for certID: CertID) -> String {
        let der = (try? certID.derBytes()) ?? []
        return "\(directory)/\(certID.serialNumber.minimalHex)-\(Hex.encode(digester.digest(.sha256, der))).der"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
