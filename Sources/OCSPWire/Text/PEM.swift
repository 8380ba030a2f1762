/// PEM text (RFC 7468) without Foundation: the base64 between a `-----BEGIN` line and its `-----END` line.
package enum PEM {
    /// The DER of the first PEM block in `bytes`, or nil when there is none or its base64 is broken.
    package static func decodeFirstBlock(_ bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var body = ""
        var inside = false
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.hasPrefix("-----BEGIN ") {
                inside = true
            } else if line.hasPrefix("-----END ") {
                return inside ? Base64.decode(body) : nil
            } else if inside {
                body += line.filter { !$0.isWhitespace }
            }
        }
        return nil
    }

    /// The DER of every block labelled `label` (`CERTIFICATE`), in order. Text outside blocks is ignored,
    /// as OpenSSL ignores it; a block whose base64 is broken is an error.
    ///
    /// Works on bytes, not Characters: this runs for every certificate of every one-shot run.
    package static func decodeAllBlocks(_ bytes: [UInt8], label: String) throws(PEMError) -> [[UInt8]] {
        let begin = Array("-----BEGIN \(label)-----".utf8)
        let end = Array("-----END \(label)-----".utf8)
        var blocks: [[UInt8]] = []
        var body: [UInt8]?
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var trimmedEnd = lineEnd
            while trimmedEnd > lineStart, [0x0D, 0x20, 0x09].contains(bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
            let line = bytes[lineStart..<trimmedEnd]
            if line.elementsEqual(begin) {
                body = []
            } else if line.elementsEqual(end), let base64 = body {
                guard let der = Base64.decode(bytes: base64), !der.isEmpty else { throw PEMError("a \(label) block's base64 is broken") }
                blocks.append(der)
                body = nil
            } else if body != nil {
                body?.append(contentsOf: line.lazy.filter { $0 != 0x20 && $0 != 0x09 })
            }
            lineStart = lineEnd + 1
        }
        guard !blocks.isEmpty else { throw PEMError("no -----BEGIN \(label)----- block") }
        return blocks
    }

    /// `bytes` as a PEM block with `label`, base64 wrapped at 64 columns.
    package static func encode(_ bytes: [UInt8], label: String) -> String {
        let base64 = Array(Base64.encode(bytes))
        var text = "-----BEGIN \(label)-----\n"
        var start = 0
        while start < base64.count {
            let end = min(start + 64, base64.count)
            text += String(base64[start..<end]) + "\n"
            start = end
        }
        return text + "-----END \(label)-----\n"
    }
}

/// Why PEM text could not be read.
package struct PEMError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Base64 (RFC 4648 §4), and the URL-safe alphabet (§5) on decoding, with or without padding.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard or URL-safe base64; padding is optional. Nil on any other character.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    /// Decodes standard or URL-safe base64 given as ASCII bytes.
    package static func decode(bytes text: [UInt8]) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.count)
        var sawPadding = false
        for character in text {
            if character == UInt8(ascii: "=") {
                sawPadding = true
                continue
            }
            guard !sawPadding, let value = value(of: character) else { return nil }
            values.append(value)
        }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 1 < values.count {
            let v0 = values[index], v1 = values[index + 1]
            out.append(v0 << 2 | v1 >> 4)
            if index + 2 < values.count {
                let v2 = values[index + 2]
                out.append((v1 & 0x0F) << 4 | v2 >> 2)
                if index + 3 < values.count { out.append((v2 & 0x03) << 6 | values[index + 3]) }
            }
            index += 4
        }
        return out
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
