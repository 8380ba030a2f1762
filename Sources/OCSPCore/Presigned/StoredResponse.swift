import OCSPWire
import SwiftASN1

/// A signed response read back from disk (a cache file, the `ocspresponse` file), parsed so that it
/// can be checked before a single byte of it is served.
///
/// Serving is byte for byte: `der` is exactly what was read (a PEM file's DER, for `ocspresponse`).
package struct StoredResponse: Sendable {
    package let der: [UInt8]
    package let data: ResponseData

    /// Parses a DER OCSPResponse that must be `successful` and `id-pkix-ocsp-basic`.
    package init(der: [UInt8]) throws(StoredResponseError) {
        let response: OCSPResponse
        let basic: BasicOCSPResponse?
        do {
            response = try OCSPResponse(derEncoded: der[...])
            basic = try response.basicResponse()
        } catch {
            throw StoredResponseError("not a DER OCSP response (\(error.inputReason))")
        }
        guard response.responseStatus == .successful else {
            throw StoredResponseError("its status is \(response.responseStatus), not successful")
        }
        guard let basic else { throw StoredResponseError("it is not a Basic OCSP response") }
        self.der = der
        self.data = basic.tbsResponseData
    }

    /// Reads DER, or PEM (any `-----BEGIN …-----` label), as operators keep `ocspresponse` files both ways.
    package init(derOrPEM bytes: [UInt8]) throws(StoredResponseError) {
        if bytes.first == 0x30 {
            try self.init(der: bytes)
        } else if let der = PEM.decodeFirstBlock(bytes) {
            try self.init(der: der)
        } else {
            throw StoredResponseError("neither DER nor PEM")
        }
    }

    /// True when the response carries a nonce, so it answered one request and must not be served again.
    package var hasNonce: Bool {
        data.responseExtensions?[OCSPObjectIdentifier.nonce] != nil
    }

    /// The responder's key hash when it signed byKey.
    package var responderKeyHash: ArraySlice<UInt8>? {
        if case .byKey(let hash) = data.responderID { return hash.bytes }
        return nil
    }

    /// The one SingleResponse whose CertID is exactly `certID`, if the response holds only that one.
    package func onlySingle(for certID: CertID) -> SingleResponse? {
        guard data.responses.count == 1, data.responses[0].certID == certID else { return nil }
        return data.responses[0]
    }
}

/// Why a stored response cannot be used.
package struct StoredResponseError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
