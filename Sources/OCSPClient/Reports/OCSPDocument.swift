import OCSPWire
import SwiftASN1

/// What `inspect` was given: an OCSP request or an OCSP response, told apart by their first field.
///
/// ```
/// OCSPRequest  ::= SEQUENCE { tbsRequest TBSRequest (a SEQUENCE), optionalSignature [0] ... }
/// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] ... }
/// ```
package enum OCSPDocument: Sendable {
    case request(OCSPRequest)
    /// `basic` is the parsed BasicOCSPResponse when the response carries one.
    case response(OCSPResponse, basic: BasicOCSPResponse?)

    /// Parses DER, or PEM (any label) around DER, as people keep both.
    package init(derOrPEM bytes: [UInt8]) throws(OCSPDocumentError) {
        if bytes.first == 0x30 {
            try self.init(der: bytes)
        } else if let der = PEM.decodeFirstBlock(bytes), !der.isEmpty {
            try self.init(der: der)
        } else {
            throw OCSPDocumentError("neither DER nor PEM")
        }
    }

    package init(der: [UInt8]) throws(OCSPDocumentError) {
        let firstField: ASN1Identifier?
        do {
            let root = try DER.parse(der[...])
            guard root.identifier == .sequence, case .constructed(let children) = root.content else {
                throw OCSPDocumentError("not an ASN.1 SEQUENCE")
            }
            firstField = children.first(where: { _ in true })?.identifier
        } catch let error as OCSPDocumentError {
            throw error
        } catch {
            throw OCSPDocumentError("not DER (\(error.inputReason))")
        }
        switch firstField {
        case .enumerated?:
            do {
                let response = try OCSPResponse(derEncoded: der[...])
                self = .response(response, basic: try response.basicResponse())
            } catch {
                throw OCSPDocumentError("it starts like an OCSP response but does not parse as one (\(error.inputReason))")
            }
        case .sequence?:
            do {
                self = .request(try OCSPRequest(derEncoded: der[...]))
            } catch {
                throw OCSPDocumentError("it starts like an OCSP request but does not parse as one (\(error.inputReason))")
            }
        default:
            throw OCSPDocumentError("a SEQUENCE that is neither an OCSP request nor an OCSP response")
        }
    }

    /// The octets of a nonce extension's value: RFC 9654 wraps them in an OCTET STRING; some old
    /// clients put the raw octets, which are then returned as they are.
    package static func nonceOctets(_ nonce: Extension) -> ArraySlice<UInt8> {
        (try? ASN1OctetString(derEncoded: nonce.value))?.bytes ?? nonce.value
    }

    /// The nonce extension for `octets`, wrapped in an OCTET STRING as RFC 9654 §2.1 says.
    package static func nonceExtension(_ octets: [UInt8]) -> Extension {
        // Cannot throw: an OCTET STRING of any length serializes.
        let wrapped = try! ASN1OctetString(contentBytes: octets[...]).derBytes()
        return Extension(id: OCSPObjectIdentifier.nonce, critical: false, value: wrapped[...])
    }
}

/// Why bytes are not an OCSP request or response.
package struct OCSPDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
