import SwiftASN1

/// PEM text (RFC 7468): the base64 between a `-----BEGIN` line and its `-----END` line.
///
/// Read here rather than with swift-asn1's `PEMDocument`, which writes it (`encode`): every `respond` run
/// reads the CA and signer certificates and the key, and `PEMDocument.parseMultiple` costs each run more
/// instructions than these loops (measured with callgrind; it copies the file into a String and every
/// block into another before decoding). It is also stricter than the files operators have and OpenSSL
/// reads: it refuses lines that are not 64 columns long, and trailing blanks.
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

    /// `bytes` as a PEM block with `label`, base64 wrapped at 64 columns, ending in a newline.
    package static func encode(_ bytes: [UInt8], label: String) -> String {
        PEMDocument(type: label, derBytes: bytes).pemString + "\n"
    }
}

/// Why PEM text could not be read.
package struct PEMError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
