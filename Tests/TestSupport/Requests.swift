import OCSPWire
import SwiftASN1

/// The serial `value`, as a certificate carries it (big-endian, minimal).
package func serial(_ value: UInt64) -> CertificateSerialNumber {
    var bytes: [UInt8] = []
    var remaining = value
    repeat {
        bytes.insert(UInt8(remaining & 0xFF), at: 0)
        remaining >>= 8
    } while remaining > 0
    return CertificateSerialNumber(magnitude: bytes)
}

/// An OCSPRequest for `certIDs`, with a nonce extension when `nonce` is given.
package func makeRequest(_ certIDs: [CertID], nonce: [UInt8]? = nil, extraExtensions: [Extension] = []) throws -> [UInt8] {
    var extensions = extraExtensions
    if let nonce {
        extensions.append(Extension(id: OCSPObjectIdentifier.nonce, value: try ASN1OctetString(contentBytes: nonce[...]).derBytes()[...]))
    }
    let tbs = TBSRequest(
        requestList: certIDs.map { Request(certID: $0) },
        requestExtensions: extensions.isEmpty ? nil : Extensions(extensions)
    )
    return try OCSPRequest(tbsRequest: tbs).derBytes()
}
