import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Logging
import Synchronization

/// `ocsp-responder resign`: signs every certificate's response ahead of time, so that `respond` (or a
/// static web server) serves them and the key signs only in bulk.
///
/// The table is walked row by row (never loaded: see `StatusStore.forEachRecord`), each row's responses
/// are decided and signed by `jobs` workers at once, and every file is written beside its name and renamed
/// over it, so a `respond` reading at the same time, a second `resign`, or a `kill -9` never leaves a
/// partial file; the next run picks up what is missing or due.
package struct Resigner {
    package struct Options: Sendable {
        /// The CertID hash algorithms to sign for; one file each. Default SHA-1 (RFC 5019 clients).
        package var hashes: [HashAlgorithm] = [.sha1]
        /// Also write an export for static serving here: `SERIAL.der` files and `index.txt`.
        package var outDirectory: String?
        /// Re-sign what expires within this many seconds; nil: half of each CA's producetime.
        package var dueWithin: Int64?
        /// Re-sign everything.
        package var all = false
        /// Signing workers; default: the cores.
        package var jobs = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        /// Only this CA (`ocsp` or an `[issuer NAME]`); nil: every CA.
        package var caName: String?
        /// Decide, count and report, but sign and write nothing.
        package var dryRun = false
        /// Draw a progress bar on standard error (a terminal); otherwise log a progress line every 10 s.
        package var progressBar = false

        package init() {}
    }

    package struct Summary: Sendable, Hashable {
        package var rows = 0
        package var signed = 0
        package var skipped = 0
        package var failed = 0
        package var seconds = 0.0
        package var rate: Double { seconds > 0 ? Double(signed) / seconds : 0 }
    }

    let config: ResponderConfiguration
    let options: Options
    let logger: Logger

    package init(config: ResponderConfiguration, options: Options, logger: Logger) {
        self.config = config
        self.options = options
        self.logger = logger
    }

    /// Runs over every configured CA (or `caName`); throws only for what stops the whole run (config, the
    /// database); a row that fails is counted and logged and the run goes on.
    package func run() throws(CommandFailure) -> Summary {
        let started = ContinuousClock.now
        let now = RunClock.currentTime()
        let authorities: [Authority]
        do {
            authorities = try AuthorityLoader.loadAll(config, at: now, logger: logger)
        } catch {
            throw CommandFailure(ExitStatus.config, "config error: \(error.inputReason)")
        }
        let cacheLayout = config.run.cachePath.map { ResponseCacheLayout(directory: $0, digester: OpenSSLDigester()) }
        guard cacheLayout != nil || options.outDirectory != nil else {
            throw CommandFailure(64, "nothing to write to: set [ocsp] cache in \(config.path), or give --out DIR")
        }
        // Each output directory's staging directory, where it could be made (see FileIO.publish); where it
        // could not, temporary files are made beside their targets.
        var stagingDirectories: [String: String] = [:]
        if !options.dryRun {
            for directory in [cacheLayout?.directory, options.outDirectory].compactMap({ $0 }) {
                do {
                    try FileIO.makeDirectory(path: directory, mode: 0o700)
                } catch {
                    throw CommandFailure(ExitStatus.ioError, "cannot create \(directory): \(error.inputReason)")
                }
                Self.removeAbandonedTemporaryFiles(in: directory)
                let staging = Self.stagingDirectory(in: directory)
                if (try? FileIO.makeDirectory(path: staging, mode: 0o700)) != nil {
                    Self.removeAbandonedTemporaryFiles(in: staging)
                    stagingDirectories[directory] = staging
                }
            }
        }
        let index = try options.outDirectory.map { directory throws(CommandFailure) in try ExportIndex(directory: directory, dryRun: options.dryRun) }

        let progress = Progress(logger: logger, bar: options.progressBar)
        let work = Work(jobs: options.jobs)
        for (authority, signing) in zip(authorities, config.authorities) where options.caName == nil || options.caName == signing.name {
            warnIfIntermediateResponseDue(authority, signing: signing, now: now)
            // Every response signed outside the signer's period fails verification: none is signed (the
            // kept ones stay, to expire on their own), and the run fails, once for the CA, not once a row.
            if let problem = authority.signer.period.problem(at: now) {
                logger.error("[\(signing.section)]: \(problem); no response signed for this CA")
                progress.count(.failed)
                continue
            }
            if let notice = authority.signer.period.capNotice(at: now, validity: authority.validity) {
                logger.warning("[\(signing.section)]: \(notice)")
            }
            let store = StoreOpener.open(config.database, table: signing.table, access: .readOnly)
            do {
                progress.add(total: try store.recordCount(revokedOnly: false))
                let context = CAContext(
                    identity: authority.issuer, signer: authority.signer, validity: authority.validity,
                    dueWithin: options.dueWithin ?? authority.validity / 2, now: now
                )
                let signer = RowSigner(
                    options: options, logger: logger, context: context, cache: cacheLayout, index: index, progress: progress,
                    cacheStaging: cacheLayout.flatMap { stagingDirectories[$0.directory] },
                    outStaging: options.outDirectory.flatMap { stagingDirectories[$0] }
                )
                // Rows go to the workers in batches: one hand-over per row (a semaphore wait, a queue
                // wake-up) cost as much CPU as a sixth of an RSA-2048 signature.
                var batch: [RowSigner.Row] = []
                batch.reserveCapacity(Self.batchSize)
                try store.forEachRecord(revokedOnly: false, withCertificates: false) { record in
                    guard let row = RowSigner.Row(record, logger: logger, progress: progress) else { return }
                    batch.append(row)
                    if batch.count == Self.batchSize {
                        work.submit { [batch] in signer.resign(batch) }
                        batch = []
                        batch.reserveCapacity(Self.batchSize)
                    }
                }
                if !batch.isEmpty {
                    work.submit { [batch] in signer.resign(batch) }
                }
            } catch let error as StatusSourceError {
                work.waitForAll()
                throw CommandFailure(error.kind == .unavailable ? 69 : 70, "reading table \(signing.table) failed: \(error.message)")
            } catch {
                work.waitForAll()
                throw CommandFailure(70, "reading table \(signing.table) failed: \(error.inputReason)")
            }
        }
        work.waitForAll()
        do {
            try index?.finish()
        } catch {
            throw CommandFailure(ExitStatus.ioError, "cannot write the export index: \(error.inputReason)")
        }
        var summary = progress.summary
        summary.seconds = RunClock.seconds(started.duration(to: .now))
        progress.finish()
        return summary
    }

    /// Rows per hand-over to a worker: large enough that the hand-over costs nothing per row, small
    /// enough that memory stays flat (jobs × batch rows in flight).
    static let batchSize = 64

    /// What the workers need of one CA, shared by all of them.
    struct CAContext: Sendable {
        let identity: IssuerIdentity
        let signer: any ResponseSigner
        let validity: Int64
        let dueWithin: Int64
        let now: UnixTime
    }

    /// `resign` cannot sign the CA's own response (that needs the offline root); it says when it is due.
    private func warnIfIntermediateResponseDue(_ authority: Authority, signing: ResponderConfiguration.Signing, now: UnixTime) {
        let dueWithin = options.dueWithin ?? authority.validity / 2
        for path in signing.ocspResponsePaths {
            warnIfIntermediateResponseDue(path: path, dueWithin: dueWithin, now: now)
        }
    }

    private func warnIfIntermediateResponseDue(path: String, dueWithin: Int64, now: UnixTime) {
        guard let bytes = try? FileIO.read(path: path, limit: 1 << 20, followLinks: false), let stored = try? StoredResponse(derOrPEM: bytes),
              let next = stored.data.responses.compactMap(\.nextUpdate).map(UnixTime.init).min()
        else {
            logger.warning("ocspresponse \(path) cannot be read as a response; have the root sign one (ocsp-responder sign)")
            return
        }
        if next < now + dueWithin {
            logger.warning("ocspresponse \(path) expires at \(next); have the root sign a new one (ocsp-responder sign) before then")
        }
    }

    /// Where `resign` makes the temporary files for `directory`: `directory/.staging`.
    static func stagingDirectory(in directory: String) -> String { "\(directory)/.staging" }

    /// `FileIO.replace` names its temporary files `.NAME.tmp-PID-RANDOM`; a `kill -9` leaves them behind.
    /// Those of processes that no longer run are removed.
    static func removeAbandonedTemporaryFiles(in directory: String) {
        guard let names = try? FileIO.names(in: directory, prefix: ".") else { return }
        for name in names {
            // `.NAME.tmp-PID-RANDOM`: the PID is the second field from the end.
            let fields = name.split(separator: "-")
            guard fields.count >= 3, fields[fields.count - 3].hasSuffix(".tmp"), let pid = Int32(fields[fields.count - 2]),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            FileIO.remove(path: "\(directory)/\(name)")
        }
    }
}

/// What a worker does for each row of one CA: decide, sign, write.
struct RowSigner: Sendable {
    /// One row of the table, read and checked by the walk.
    struct Row: Sendable {
        let serial: CertificateSerialNumber
        let status: CertStatus

        /// Nil, logged and counted as failed, for a row whose cert_num or status cannot be read; nil for a
        /// row that is not for this table's CA (see `recordedStatus`).
        init?(_ record: StatusRecord, logger: Logger, progress: Progress) {
            guard let serial = CertificateSerialNumber(hex: record.certNum) else {
                logger.error("row \(record.certNum): cert_num is not a hex serial; skipped")
                progress.count(.failed)
                return nil
            }
            do {
                guard let recorded = try record.recordedStatus(serial: serial) else { return nil }
                self.serial = serial
                self.status = recorded.certStatus
            } catch {
                logger.error("row \(record.certNum): \(error.message); skipped")
                progress.count(.failed)
                return nil
            }
        }
    }

    let options: Resigner.Options
    let logger: Logger
    let context: Resigner.CAContext
    let cache: ResponseCacheLayout?
    let index: ExportIndex?
    let progress: Progress
    /// The staging directories of the cache and of the export, where `run` could make them.
    let cacheStaging: String?
    let outStaging: String?

    /// Sets a kept cache file's check mark; a file removed since it was read (`db revoke`) needs none: the
    /// next request signs it afresh.
    static func renewCheckMark(path: String, at now: UnixTime) throws(FileIO.Error) {
        do {
            try FileIO.setModificationTime(path: path, seconds: now.seconds)
        } catch where error.code == ENOENT {}
    }

    func resign(_ rows: [Row]) {
        for row in rows { progress.count(resign(row)) }
    }

    private func resign(_ row: Row) -> Progress.Outcome {
        let (serial, status) = (row.serial, row.status)
        var outcome = Progress.Outcome.skipped
        for (position, hash) in options.hashes.enumerated() {
            let certID = context.identity.certID(serial: serial, hash: hash)
            let outPath = options.outDirectory.map { "\($0)/\(serial.minimalHex)\(position == 0 ? "" : "-\(hash.rawValue)").der" }
            let cachePath = cache?.path(for: certID)
            // `run` refuses to start with neither a cache nor --out, so one of them is set.
            guard let decisionPath = cachePath ?? outPath else { return .failed }
            // --all signs whatever is kept: no need to read it.
            let kept = options.all ? nil : try? FileIO.read(path: decisionPath, limit: OCSPResponder.maximumRequestSize)
            let decision = ResignPlan.decide(
                kept: kept, certID: certID, status: status, signerKeyHash: context.signer.responderKeyHash,
                at: context.now, dueWithin: context.dueWithin, all: options.all
            )
            var nextUpdate = context.signer.period.nextUpdate(at: context.now, validity: context.validity)
            do {
                switch decision {
                case .keep(let keptUntil):
                    nextUpdate = keptUntil
                    // The table confirmed the kept response: renew its check mark (see FileResponseCache),
                    // to the walk's start, no later than its snapshot of the table was taken.
                    if let cachePath, !options.dryRun {
                        try Self.renewCheckMark(path: cachePath, at: context.now)
                    }
                    // The export follows the cache: copy a kept response that the export lacks.
                    if let outPath, let kept, cache != nil, !options.dryRun,
                       (try? FileIO.read(path: outPath, limit: OCSPResponder.maximumRequestSize)) != kept {
                        try FileIO.publish(path: outPath, with: kept, mode: 0o644, stagingDirectory: outStaging)
                    }
                case .sign(let why):
                    outcome = .signed
                    logger.debug("0x\(serial) \(hash.rawValue): signing (\(why))")
                    if options.dryRun { break }
                    let data = OCSPResponder.responseData([(certID, status)], signer: context.signer, at: context.now, validity: context.validity)
                    let response = try OCSPResponder.sign(data, with: context.signer)
                    if let cachePath {
                        try FileIO.publish(path: cachePath, with: response, mode: 0o644, stagingDirectory: cacheStaging,
                                           modified: context.now.seconds)
                    }
                    if let outPath {
                        try FileIO.publish(path: outPath, with: response, mode: 0o644, stagingDirectory: outStaging)
                    }
                }
            } catch {
                logger.error("0x\(serial) \(hash.rawValue): \(error.inputReason)")
                return .failed
            }
            if let outPath {
                index?.append(serial: serial, file: outPath.split(separator: "/").last.map(String.init) ?? outPath, hash: hash,
                              nextUpdate: nextUpdate, status: status)
            }
        }
        return outcome
    }
}

/// A bounded set of workers: `submit` blocks while `jobs` items are in flight, so the walk never runs
/// ahead of the signing and memory stays flat whatever the table's size.
final class Work: Sendable {
    private let queue = DispatchQueue(label: "ocsp-responder.resign", attributes: .concurrent)
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()

    init(jobs: Int) {
        slots = DispatchSemaphore(value: max(1, jobs))
    }

    func submit(_ item: @escaping @Sendable () -> Void) {
        slots.wait()
        queue.async(group: group) { [slots] in
            item()
            slots.signal()
        }
    }

    func waitForAll() {
        group.wait()
    }
}

/// Counts, a progress bar on a terminal, a log line every 10 s elsewhere.
final class Progress: Sendable {
    enum Outcome { case signed, skipped, failed }

    private struct State {
        var summary = Resigner.Summary()
        var total = 0
        var lastReport = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let bar: Bool
    private let started = ContinuousClock.now

    init(logger: Logger, bar: Bool) {
        self.logger = logger
        self.bar = bar
    }

    func add(total: Int) {
        state.withLock { $0.total += total }
    }

    func count(_ outcome: Outcome) {
        let now = ContinuousClock.now
        let report: (Resigner.Summary, Int)? = state.withLock { state in
            state.summary.rows += 1
            switch outcome {
            case .signed: state.summary.signed += 1
            case .skipped: state.summary.skipped += 1
            case .failed: state.summary.failed += 1
            }
            let interval: Duration = bar ? .milliseconds(250) : .seconds(10)
            guard now - state.lastReport >= interval else { return nil }
            state.lastReport = now
            return (state.summary, state.total)
        }
        if let (summary, total) = report { show(summary, total: total, now: now) }
    }

    var summary: Resigner.Summary { state.withLock { $0.summary } }

    func finish() {
        if bar { LogDestination.standardError.write("\n") }
    }

    private func show(_ summary: Resigner.Summary, total: Int, now: ContinuousClock.Instant) {
        let seconds = RunClock.seconds(now - started)
        let rate = seconds > 0 ? Double(summary.rows) / seconds : 0
        let eta = rate > 0 && total > summary.rows ? Int(Double(total - summary.rows) / rate) : 0
        let line = "\(summary.rows)/\(total) rows, \(summary.signed) signed, \(summary.skipped) kept, \(summary.failed) failed, \(Int(rate)) rows/s, ETA \(eta / 60)m\(eta % 60)s"
        if bar {
            let width = 30
            let filled = total > 0 ? min(width, summary.rows * width / total) : 0
            LogDestination.standardError.write("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(line)\u{1B}[K")
        } else {
            logger.info("progress \(line)")
        }
    }
}

/// `--out DIR/index.txt`: one line per response file, `SERIAL<TAB>FILE<TAB>HASH<TAB>NEXTUPDATE<TAB>STATUS`,
/// written to a temporary file as the walk goes and renamed over the old index at the end.
final class ExportIndex: Sendable {
    private let path: String
    private let temporary: String
    private let file: Mutex<Int32>

    init(directory: String, dryRun: Bool) throws(CommandFailure) {
        path = "\(directory)/index.txt"
        temporary = dryRun ? "/dev/null" : FileIO.temporaryPath(besides: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | (dryRun ? 0 : O_EXCL) | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure(ExitStatus.ioError, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        file = Mutex(fd)
    }

    func append(serial: CertificateSerialNumber, file name: String, hash: HashAlgorithm, nextUpdate: UnixTime, status: CertStatus) {
        let line = Array("\(serial.minimalHex)\t\(name)\t\(hash.rawValue)\t\(nextUpdate.iso8601)\t\(status.name)\n".utf8)
        file.withLock { fd in _ = try? FileIO.writeAll(fd: fd, line, path: temporary) }
    }

    func finish() throws(FileIO.Error) {
        let fd = file.withLock { $0 }
        close(fd)
        guard temporary != "/dev/null" else { return }
        guard rename(temporary, path) == 0 else { throw FileIO.Error(path, "cannot rename the index into place") }
    }
}
