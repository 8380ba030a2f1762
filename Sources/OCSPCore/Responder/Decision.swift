import OCSPWire

/// What the responder decided for one request, as values: the OCSP status, whether the cache answered,
/// what each CertID was answered and from where, and what the operator must hear. `OCSPResponder` makes
/// it; `respond`'s log line and `serve`'s access log carry it unchanged and write it with `forEachLogField`,
/// the one place its words are chosen.
package struct Decision: Sendable {
    /// One CertID's answer: its serial, its status, and where the status came from.
    package struct Answer: Hashable, Sendable {
        package enum Source: String, Hashable, Sendable {
            case database, notFound = "not-found", foreignIssuer = "foreign-issuer", cache, ocspresponse
        }
        package var serial: CertificateSerialNumber
        package var status: CertStatus
        package var source: Source

        package init(serial: CertificateSerialNumber, status: CertStatus, source: Source) {
            self.serial = serial
            self.status = status
            self.source = source
        }
    }

    package var status: OCSPResponseStatus
    /// Whether the cache answered.
    package var cache: CacheUse
    /// Every CertID's answer, in request order; empty when the request was refused.
    package var answers: [Answer]
    /// The serials a refused request asked about, in request order; nil when it did not parse.
    package var serialsAsked: [CertificateSerialNumber]?
    /// A one-line reason: why the request was refused, or what is wrong with a successful answer
    /// (served unrevalidated).
    package var reason: String?
    /// What the operator must hear about the signer (outside its period: `tryLater`; nextUpdate capped at
    /// its end): logged once per `respond` run, at most once a minute by `serve`.
    package var signerNotice: String?
    /// The response's thisUpdate: that of its newest SingleResponse; nil for an error status.
    package var thisUpdate: UnixTime?
    /// When the response stops being valid: the first nextUpdate of its SingleResponses; nil for an error
    /// status or when one of them has none (nothing bounds how long it holds).
    package var nextUpdate: UnixTime?
    /// True when the response carries a nonce: it answers this request alone, and no cache may keep it.
    package var carriesNonce: Bool
    /// What the check of a signed request found (`RequestAuthentication`); nil for an unsigned request.
    package var requestSignature: String?
    /// When the status of a kept (or just kept) response was last read from the table; nil for an answer
    /// that is not kept. Memory in front of the cache must not serve it past `checkedAt + revalidate`.
    package var checkedAt: UnixTime?

    package init(
        status: OCSPResponseStatus, cache: CacheUse = .off, answers: [Answer] = [], serialsAsked: [CertificateSerialNumber]? = nil,
        reason: String? = nil, signerNotice: String? = nil, thisUpdate: UnixTime? = nil, nextUpdate: UnixTime? = nil,
        carriesNonce: Bool = false, checkedAt: UnixTime? = nil
    ) {
        self.status = status
        self.cache = cache
        self.answers = answers
        self.serialsAsked = serialsAsked
        self.reason = reason
        self.signerNotice = signerNotice
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.carriesNonce = carriesNonce
        self.checkedAt = checkedAt
    }

    /// A refusal: an error status and why, with the serials `request` asked about, if it parsed.
    package static func refusal(_ status: OCSPResponseStatus, _ reason: String, request: OCSPRequest? = nil) -> Decision {
        Decision(status: status, serialsAsked: request.map { $0.tbsRequest.requestList.map(\.certID.serialNumber) }, reason: reason)
    }

    /// A successful answer with `data`'s times: as old as its newest SingleResponse, valid until the first
    /// of them expires.
    package static func answer(
        _ data: ResponseData, answers: [Answer], cache: CacheUse, checkedAt: UnixTime? = nil
    ) -> Decision {
        var decision = Decision(status: .successful, cache: cache, answers: answers, checkedAt: checkedAt)
        decision.carriesNonce = data.responseExtensions?[OCSPObjectIdentifier.nonce] != nil
        var nextUpdate: UnixTime?
        var everyOneHasNextUpdate = true
        for single in data.responses {
            let thisUpdate = UnixTime(single.thisUpdate)
            decision.thisUpdate = max(decision.thisUpdate ?? thisUpdate, thisUpdate)
            if let next = single.nextUpdate.map(UnixTime.init) {
                nextUpdate = min(nextUpdate ?? next, next)
            } else {
                everyOneHasNextUpdate = false
            }
        }
        decision.nextUpdate = everyOneHasNextUpdate ? nextUpdate : nil
        return decision
    }
}

extension Decision {
    /// The log lines that write a decision.
    package enum LogLine: Sendable {
        /// `respond`'s line: `status=…`, and the serials asked when nothing was answered.
        case respond
        /// `serve`'s access log, after the HTTP fields: `ocsp=…`.
        case access
    }

    /// One `key=value` of a log line; `isText` for free text (the reason), which a line may quote.
    package struct LogField: Sendable {
        package var key: String
        package var value: String
        package var isText: Bool

        package init(_ key: String, _ value: String, isText: Bool = false) {
            self.key = key
            self.value = value
            self.isText = isText
        }
    }

    /// What the log lines say of the decision, in this order: the status, the cache's part (successful
    /// answers only), every CertID's answer (`certs=0x1001:good:database,0x1002:revoked:cache`) or, for
    /// `respond`, the serials a refused request asked about, and the reason or signer notice.
    ///
    /// Handed to `field` one by one rather than gathered: `respond` runs once per process, and an array of
    /// a type of our own costs its metadata's instantiation there (measured with callgrind).
    package func forEachLogField(for line: LogLine, _ field: (LogField) -> Void) {
        field(LogField(line == .respond ? "status" : "ocsp", "\(status)"))
        if status == .successful {
            field(LogField("cache", cache.rawValue))
        }
        if !answers.isEmpty {
            field(LogField("certs", answers.map { "0x\($0.serial):\($0.status.name):\($0.source.rawValue)" }.joined(separator: ",")))
        } else if line == .respond, let serialsAsked {
            field(LogField("serials", serialsAsked.map { "0x\($0)" }.joined(separator: ",")))
        }
        if let reason = loggedReason {
            field(LogField("reason", reason, isText: true))
        }
        if let requestSignature, requestSignature != reason {
            field(LogField("request_signature", requestSignature, isText: true))
        }
    }

    /// `forEachLogField`'s fields, gathered.
    package func logFields(for line: LogLine) -> [LogField] {
        var fields: [LogField] = []
        forEachLogField(for: line) { fields.append($0) }
        return fields
    }

    /// The fields as one line's text: `key=value` apart by spaces, free text in double quotes (a double
    /// quote in it becomes `'`).
    package func logText(for line: LogLine) -> String {
        var text = ""
        forEachLogField(for: line) { field in
            if !text.isEmpty { text += " " }
            text += field.key
            text += field.isText ? "=\"\(String(field.value.map { $0 == "\"" ? "'" : $0 }))\"" : "=\(field.value)"
        }
        return text
    }

    /// The reason the log lines give: why it was refused, or what the operator must hear about an answer.
    package var loggedReason: String? { reason ?? signerNotice }

    /// True for an answer the operator must hear about (served unrevalidated, nextUpdate capped): a
    /// successful status with a reason.
    package var isWarning: Bool { status == .successful && loggedReason != nil }
}
