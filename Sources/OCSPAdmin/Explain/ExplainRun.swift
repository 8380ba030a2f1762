import FoundationEssentials
import Logging
import OCSPCore
import OCSPCrypto
import OCSPRuntime
import OCSPStore
import OCSPWire

/// `ocsp-responder explain` (and `respond --explain`): why `respond` would answer a request as it would,
/// without answering it. The start is `respond`'s (the same config, the same privilege rules, the request
/// file opened as `respond` opens it under sudo); the decision is the responder's own, made dry
/// (`OCSPResponder.dryRun`): nothing is signed, no response file written, the cache only read, no log
/// file opened.
package enum ExplainRun {
    package struct Options: Sendable {
        package var configPath: String
        /// The request (DER or PEM), or `-` for standard input.
        package var input: String
        package var json: Bool
        package var logLevel: Logger.Level?

        package init(configPath: String, input: String, json: Bool, logLevel: Logger.Level? = nil) {
            self.configPath = configPath
            self.input = input
            self.json = json
            self.logLevel = logLevel
        }
    }

    /// The whole command: prints the explanation, returns the exit status `respond` would give (0 for a
    /// signed answer, else the OCSP error status), or 66/78 when the request or the config cannot be used.
    package static func run(_ options: Options) -> Int32 {
        let invocation = Invocation.current
        let start: RunStart
        let authorities: [Authority]
        let now: UnixTime
        do throws(StartUpError) {
            start = try RunStart.begin(
                .init(configPath: options.configPath, logLevel: options.logLevel, opensLog: false, warnsOfUnverifiedDatabase: false),
                invocation: invocation)
            now = RunClock.currentTime()
            authorities = try start.loadAuthorities(at: now)
        } catch {
            Console.printError(error.description)
            return error.exitStatus
        }
        var bytes: [UInt8]
        do {
            if let caller = invocation.untrustedCaller, options.input != "-" {
                let file = try CallerFile.open(path: options.input, callerUID: caller, writable: false, serviceFiles: start.serviceFiles.identities)
                bytes = try file.read(limit: OCSPResponder.maximumRequestSize)
            } else {
                bytes = try FileIO.read(path: options.input, limit: OCSPResponder.maximumRequestSize)
            }
        } catch {
            Console.printError("cannot read the request: \(error.inputReason)")
            return ExitStatus.noInput
        }
        // PEM, as `inspect` reads it, around the DER `respond` takes.
        if bytes.first != 0x30, let der = PEM.decodeFirstBlock(bytes), !der.isEmpty { bytes = der }

        let cache = start.config.run.cachePath.map {
            FileResponseCache(directory: $0, digester: OpenSSLDigester(), logger: start.logger, creatingDirectory: false)
        }
        let responder = OCSPResponder(authorities: authorities, cache: cache, revalidation: start.config.run.revalidation)
        let explanation = explain(bytes, responder: responder, config: start.config, cache: cache, at: now)
        let output: String
        if options.json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(explanation) else {
                Console.printError("cannot encode the explanation")
                return ExitStatus.software
            }
            output = String(decoding: data, as: UTF8.self) + "\n"
        } else {
            output = explanation.text
        }
        do {
            try FileIO.writeStandardOutput(Array(output.utf8))
        } catch {
            Console.printError("cannot write: \(error.inputReason)")
            return ExitStatus.ioError
        }
        return explanation.exitStatus
    }

    /// The explanation of `requestDER` by `responder`, whose authorities are `config`'s, in its order.
    package static func explain(
        _ requestDER: [UInt8], responder: OCSPResponder, config: ResponderConfiguration, cache: FileResponseCache?, at now: UnixTime
    ) -> Explanation {
        let decision = responder.dryRun(requestDER, at: now)
        // The CertIDs of a request refused as malformed are still shown when its structure parses.
        let request = try? OCSPRequest(derEncoded: requestDER[...])
        let certIDs = request?.tbsRequest.requestList.map(\.certID) ?? []
        let sections = zip(responder.authorities, config.authorities).map { (authority: $0, signing: $1) }
        let signer = decision.answers.first?.source == .ocspresponse ? nil : responder.signingAuthority(for: certIDs)
        let signerSection = signer.flatMap { signer in sections.first { $0.authority.name == signer.name }?.signing.section }

        var reports: [Explanation.CertIDReport] = []
        for (position, certID) in certIDs.enumerated() {
            let algorithm = HashAlgorithm(certID.hashAlgorithm)
            let issuers = sections.map { section -> Explanation.IssuerCheck in
                let expected = algorithm.map(section.authority.issuer.hashes)
                let nameMatches = expected.map { certID.issuerNameHash.bytes.elementsEqual($0.name) } ?? false
                let keyMatches = expected.map { certID.issuerKeyHash.bytes.elementsEqual($0.key) } ?? false
                return Explanation.IssuerCheck(
                    section: section.signing.section, nameHashMatches: nameMatches, keyHashMatches: keyMatches,
                    expectedNameHash: nameMatches ? nil : expected.map { Hex.encode($0.name) },
                    expectedKeyHash: keyMatches ? nil : expected.map { Hex.encode($0.key) }
                )
            }
            let owners = signer.map { responder.owners(of: certID, signedBy: $0) } ?? []
            let ownerSections = owners.compactMap { owner in sections.first { $0.authority.name == owner.name } }
            // The table is read again for the report; the decision above read it through the same store.
            let lookups = ownerSections.map { section -> Explanation.Lookup in
                var lookup = Explanation.Lookup(section: section.signing.section, table: section.signing.table, rows: [])
                guard let store = section.authority.statusSource as? any StatusStore else { return lookup }
                do {
                    lookup.rows = try store.records(for: certID.serialNumber).map { record in
                        Explanation.Row(
                            certNum: record.certNum, status: record.status.text, revocationTime: record.revocationTimeText,
                            revocationReason: record.revocationReason?.text
                        )
                    }
                } catch {
                    lookup.error = error.inputReason
                }
                return lookup
            }
            let answer = position < decision.answers.count ? decision.answers[position] : nil
            let notFoundOwner = answer?.source == .notFound || (decision.status == .unauthorized && !owners.isEmpty
                && lookups.allSatisfy { $0.rows.isEmpty && $0.error == nil })
                ? ownerSections.first : nil
            reports.append(Explanation.CertIDReport(
                serial: certID.serialNumber.minimalHex,
                hashAlgorithm: algorithm?.rawValue ?? certID.hashAlgorithm.algorithm.description,
                hashAlgorithmSupported: algorithm != nil,
                issuerNameHash: Hex.encode(certID.issuerNameHash.bytes), issuerKeyHash: Hex.encode(certID.issuerKeyHash.bytes),
                issuers: issuers, askedSections: ownerSections.map(\.signing.section),
                spellingsTried: owners.isEmpty ? [] : certID.serialNumber.storedSpellings,
                lookups: lookups,
                notFound: notFoundOwner?.authority.notFound.rawValue, notFoundSection: notFoundOwner?.signing.section,
                cache: cache.map { cacheEntry(for: certID, in: $0, signer: signer, revalidation: responder.revalidation, at: now) },
                answer: answer.map(answerReport)
            ))
        }

        let nonce = request?.tbsRequest.requestExtensions?[OCSPObjectIdentifier.nonce]
        let nonceLength = nonce.map { OCSPResponder.nonceLength($0.value) }
        let fresh = decision.status == .successful && decision.answers.allSatisfy { $0.source != .cache && $0.source != .ocspresponse }
        return Explanation(
            certIDs: reports,
            nonce: .init(present: nonce != nil, length: nonceLength, echoed: nonce != nil && fresh),
            signer: signerSection, responseStatus: "\(decision.status)", reason: decision.loggedReason,
            cacheUse: decision.status == .successful ? decision.cache.rawValue : nil,
            thisUpdate: decision.thisUpdate?.iso8601, nextUpdate: decision.nextUpdate?.iso8601,
            wouldBeKept: fresh && decision.checkedAt != nil, exitStatus: ExitStatus.respond(decision.status), at: now.iso8601
        )
    }

    private static func answerReport(_ answer: Decision.Answer) -> Explanation.Answer {
        var report = Explanation.Answer(status: answer.status.name, source: answer.source.rawValue)
        if case .revoked(let info) = answer.status {
            report.revocationTime = UnixTime(info.revocationTime).iso8601
            report.revocationReason = info.revocationReason.map { "\($0)" }
        }
        return report
    }

    /// The cache's file for `certID`, checked as the responder checks it before serving it.
    private static func cacheEntry(
        for certID: CertID, in cache: FileResponseCache, signer: Authority?, revalidation: Revalidation, at now: UnixTime
    ) -> Explanation.CacheEntry {
        var entry = Explanation.CacheEntry(path: cache.path(for: certID), state: "absent")
        guard let kept = cache.storedResponse(for: certID) else { return entry }
        entry.checkedAt = kept.checkedAt.iso8601
        entry.revalidateAfter = revalidation.deadline(checkedAt: kept.checkedAt).iso8601
        entry.current = revalidation.isCurrent(checkedAt: kept.checkedAt, at: now)
        guard let stored = try? StoredResponse(der: kept.der) else {
            entry.state = "unsound: not a response we signed"
            return entry
        }
        guard let signer else {
            entry.state = "not used: no CA of ours answers this request"
            return entry
        }
        switch SoundnessCheck.keptAnswer(for: certID, signerKeyHash: signer.signer.responderKeyHash).verdict(on: stored, at: now) {
        case .sound(let singles): entry.state = "sound (\(singles.first?.certStatus.name ?? "?"))"
        case .stale(_, let staleness): entry.state = "stale: \(staleness)"
        case .unsound(.certIDs): entry.state = "unsound: it answers another CertID"
        case .unsound(.nonce): entry.state = "unsound: it carries a nonce"
        case .unsound(.signer): entry.state = "unsound: signed by another key"
        }
        return entry
    }
}
