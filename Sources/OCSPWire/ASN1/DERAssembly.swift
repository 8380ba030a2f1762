/// Joins elements that are already DER into a larger one: a tag, the length, then the parts, copied once.
///
/// swift-asn1's serializer writes a one-byte length first and moves the contents along when the length
/// needs more octets, once per level; for the layers around a signed response (four of them, each holding
/// the whole response) that moving cost more than everything else `resign` does outside OpenSSL and the
/// kernel. DER leaves no choice of encoding, so the result is the bytes the serializer writes.
package enum DERAssembly {
    package static let sequence: UInt8 = 0x30
    package static let octetString: UInt8 = 0x04
    package static let bitString: UInt8 = 0x03
    package static let enumerated: UInt8 = 0x0A
    /// `[0]`, constructed: an EXPLICIT tag.
    package static let explicitZero: UInt8 = 0xA0

    /// `tag`, the definite length of `parts` together (X.690 §8.1.3: one octet below 128, else 0x80 | n
    /// followed by the n octets of the length), and the parts.
    package static func element(_ tag: UInt8, _ parts: [UInt8]...) -> [UInt8] {
        element(tag, parts)
    }

    package static func element(_ tag: UInt8, _ parts: [[UInt8]]) -> [UInt8] {
        let length = parts.reduce(0) { $0 + $1.count }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length + 6)
        bytes.append(tag)
        if length < 0x80 {
            bytes.append(UInt8(length))
        } else {
            let octets = (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
            bytes.append(0x80 | UInt8(octets))
            for shift in stride(from: (octets - 1) * 8, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: length >> shift))
            }
        }
        for part in parts { bytes.append(contentsOf: part) }
        return bytes
    }
}
