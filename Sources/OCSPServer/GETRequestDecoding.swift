import OCSPWire

/// The DER request of an HTTP GET (RFC 6960 appendix A.1, RFC 5019 §5): `GET {url}/{url-encoding of
/// base-64 encoding of the DER encoding of the OCSPRequest}`.
///
/// Clients differ in what they percent-encode: some encode `+`, `/` and `=`, some none of them, some
/// drop the padding. An unencoded `/` from the base64 alphabet splits the request over several path
/// segments, so "the last segment" is found by trying each suffix of the path that starts after a `/`,
/// longest first, and taking the first whose decoding is one whole DER element. When none is, the last
/// segment's decoding is taken as it is, and the responder answers `malformedRequest` as RFC 6960 asks.
package enum GETRequestDecoding {
    /// The DER bytes, or nil when the target is not base64 at all (HTTP 400).
    package static func decode(target: String) -> [UInt8]? {
        var path = Array(target.utf8)
        if let query = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            path.removeSubrange(query...)
        }
        // Absolute-form targets (`GET http://host/...`) carry the scheme and host first.
        if let scheme = path.firstRange(of: Array("://".utf8))?.lowerBound {
            let afterHost = path[(scheme + 3)...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            path = Array(path[afterHost...])
        }
        let starts = path.indices.filter { path[$0] == UInt8(ascii: "/") }.map { $0 + 1 }
        var lastDecoded: [UInt8]?
        for start in starts where start < path.count {
            guard let unescaped = percentDecode(path[start...]), let der = Base64.decode(bytes: unescaped), !der.isEmpty else { continue }
            if isOneDERElement(der) { return der }
            lastDecoded = der
        }
        // The last segment alone, for a helpful malformedRequest rather than a 400 when it is base64.
        if let last = starts.last, last < path.count, let unescaped = percentDecode(path[last...]),
           let der = Base64.decode(bytes: unescaped), !der.isEmpty {
            return der
        }
        return lastDecoded
    }

    /// `%XX` escapes decoded; nil on a broken escape. `+` stays `+`: in a path it is not a space.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = Hex.digitValue(bytes[index + 1]), let low = Hex.digitValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// True when `bytes` is exactly one DER element (a tag, a definite length, and that many octets).
    static func isOneDERElement(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, bytes[0] & 0x1F != 0x1F else { return false }
        let first = Int(bytes[1])
        if first < 0x80 { return bytes.count == 2 + first }
        let octets = first & 0x7F
        guard octets >= 1, octets <= 4, bytes.count >= 2 + octets else { return false }
        var length = 0
        for byte in bytes[2..<(2 + octets)] { length = length << 8 | Int(byte) }
        return bytes.count == 2 + octets + length
    }
}
