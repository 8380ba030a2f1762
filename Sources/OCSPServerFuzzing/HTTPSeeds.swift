import OCSPFuzzing
import OCSPWire

extension HTTPFuzzHarness {
    /// The HTTP fuzzer's seeds: the DER fuzzers' requests (SHA-1 to SHA-512, with and without nonces, several
    /// CertIDs) as clients send them, POSTed and in GET paths (base64 with and without padding, plain and
    /// percent-encoded), and the rest of what `serve` answers: HEAD, /health, If-None-Match, other methods
    /// and content types, HTTP/1.0, absolute-form targets, chunked and oversized bodies, pipelined requests,
    /// `Expect: 100-continue` (answered, refused, to HTTP/1.0), missing, repeated and malformed `Host`,
    /// requests cut short, and bytes that are not HTTP.
    package static func seeds() -> [FuzzHarness.Seed] {
        let requests = Dictionary(uniqueKeysWithValues: FuzzHarness.seeds().map { ($0.fileName, $0.bytes) })
        var seeds: [FuzzHarness.Seed] = []
        func add(_ name: String, _ parts: [UInt8]...) { seeds.append(("\(name).http", parts.flatMap { $0 })) }

        for name in ["sha1-noncenone", "sha1-nonce16", "sha256-noncenone", "sha256-nonce32", "sha512-nonce33", "several", "intermediate"] {
            guard let der = requests["\(name).der"] else { continue }
            add("post-\(name)", post(der))
            add("get-\(name)", get("/ocsp/" + Base64.encode(der)))
            add("get-encoded-\(name)", get("/ocsp/" + percentEncoded(Base64.encode(der))))
            add("get-unpadded-\(name)", get("/" + Base64.encode(der).filter { $0 != "=" }))
        }
        let der = requests["sha256-noncenone.der"] ?? []
        let path = "/" + Base64.encode(der)

        add("health", get("/health"))
        add("head-health", get("/health?probe=1", method: "HEAD", headers: ["Connection: close"]))
        add("head-ocsp", get(path, method: "HEAD"))
        add("pipelined", post(der), get(path), get(path, headers: ["If-None-Match: *"]), get("/health"), get(path, method: "HEAD", headers: ["Connection: close"]))
        add("if-none-match-star", get(path, headers: ["If-None-Match: *"]))
        add("if-none-match-list", get(path, headers: ["If-None-Match: W/\"abc\", \"def\""]))
        add("post-wrong-type", post(der, contentType: "application/octet-stream"))
        add("post-type-parameters", post(der, contentType: "Application/OCSP-Request ; charset=binary"))
        add("post-no-type", Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Length: \(der.count)\r\n\r\n".utf8), der)
        add("put", post(der, method: "PUT"))
        add("options", Array("OPTIONS * HTTP/1.1\r\nHost: ocsp\r\n\r\n".utf8))
        add("content-length-huge", Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\nContent-Length: 99999999\r\n\r\n".utf8), der)
        add("content-length-overflow", Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\nContent-Length: 18446744073709551616\r\n\r\n".utf8))
        add("chunked", chunked(der, pieces: 2))
        add("chunked-over-limit", chunked(Array(repeating: 0x30, count: maximumBodySize + 100), pieces: 3))
        add("body-over-limit", post(Array(repeating: 0x30, count: maximumBodySize + 1)))
        add("chunked-and-length", Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8))
        add("expect-continue", post(der, headers: ["Expect: 100-continue"]))
        add("expect-continue-refused", post(der, contentType: "text/plain", headers: ["Expect: 100-Continue"]), get("/health"))
        add("expect-continue-pipelined", post(der, headers: ["Expect: 100-continue"]), post(der, headers: ["Expect: 100-continue"]))
        add("expect-continue-no-body", get(path, headers: ["Expect: 100-continue"]))
        add("expect-continue-http10", post(der, version: "HTTP/1.0", headers: ["Expect: 100-continue"]))
        add("expect-other", post(der, headers: ["Expect: something-else"]))
        add("no-host", Array("GET \(path) HTTP/1.1\r\n\r\n".utf8), get("/health"))
        add("two-hosts", Array("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8))
        add("host-with-path", Array("GET /health HTTP/1.1\r\nHost: a/b\r\n\r\n".utf8))
        add("host-ipv6", Array("GET /health HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n".utf8))
        add("http10", Array("GET \(path) HTTP/1.0\r\n\r\n".utf8))
        add("http10-keep-alive", post(der, version: "HTTP/1.0", headers: ["Connection: keep-alive"]), get("/health", version: "HTTP/1.0"))
        add("absolute-form", get("http://ocsp.example:8080/ocsp" + path))
        add("metrics-scrape", get("/metrics"), post(der), get("/metrics?name[]=ocsp_responses_total"), get("/x/metrics"))
        add("query-and-fragment", get("/ocsp" + path + "?nocache=1#x"))
        add("not-base64", get("/ocsp/not*base64!"))
        add("broken-escape", get("/ocsp/MEIw%zz"))
        add("root", get("/"))
        add("cut-head", Array("GET /health HTTP/1.1\r\nHost: ocsp\r\n".utf8))
        add("cut-body", Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\nContent-Length: 100\r\n\r\n".utf8), Array(der.prefix(10)))
        add("garbage-after-request", post(der), [0x00, 0x01, 0x7F, 0x0D, 0x0A, 0x0D, 0x0A])
        add("tls-client-hello", [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + Array(repeating: 0x42, count: 32))
        add("get-with-body", Array("GET /health HTTP/1.1\r\nHost: ocsp\r\nContent-Length: 5\r\n\r\nhello".utf8))
        add("repeated-headers", post(der, headers: ["Content-Type: text/plain", "If-None-Match: *", "If-None-Match: \"x\""]))
        add("version-2", Array("GET /health HTTP/2.0\r\n\r\n".utf8))
        add("lowercase-method", Array("get /health HTTP/1.1\r\nHost: ocsp\r\n\r\n".utf8))
        return seeds
    }

    static func post(_ body: [UInt8], method: String = "POST", version: String = "HTTP/1.1",
                     contentType: String = "application/ocsp-request", headers: [String] = []) -> [UInt8] {
        let fields = ["Host: ocsp.example", "Content-Type: \(contentType)", "Content-Length: \(body.count)"] + headers
        return Array("\(method) /ocsp \(version)\r\n\(fields.map { $0 + "\r\n" }.joined())\r\n".utf8) + body
    }

    static func get(_ target: String, method: String = "GET", version: String = "HTTP/1.1", headers: [String] = []) -> [UInt8] {
        let fields = ["Host: ocsp.example", "User-Agent: fuzz"] + headers
        return Array("\(method) \(target) \(version)\r\n\(fields.map { $0 + "\r\n" }.joined())\r\n".utf8)
    }

    static func chunked(_ body: [UInt8], pieces: Int) -> [UInt8] {
        var bytes = Array("POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let size = (body.count + pieces - 1) / max(1, pieces)
        var start = 0
        while start < body.count {
            let piece = body[start..<min(start + size, body.count)]
            bytes += Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + [13, 10]
            start += size
        }
        return bytes + Array("0\r\nX-Trailer: 1\r\n\r\n".utf8)
    }

    /// Base64's `+`, `/` and `=` percent-encoded, as some clients send them.
    static func percentEncoded(_ base64: String) -> String {
        base64.map { character in
            switch character {
            case "+": "%2B"
            case "/": "%2F"
            case "=": "%3D"
            default: String(character)
            }
        }.joined()
    }
}
