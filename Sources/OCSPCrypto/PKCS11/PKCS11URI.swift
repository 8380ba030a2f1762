/// A PKCS#11 URI (RFC 7512) naming a private key on a token, as `[ocsp] pkey` and `sign --key` take it:
///
///     pkcs11:token=ocsp;object=responder;type=private?pin-source=file:/etc/ocsp-responder/token.pin
///
/// Path attributes (`;`-separated) and query attributes (`&`-separated, after `?`) are both read, and
/// `pin-source` is accepted in either place, as p11-kit and OpenSSL's engine accept it. Values are
/// percent-decoded (`id=%01%02`). `pin-value` is refused: a PIN written into config.ini is a secret in a
/// file that is not held to the key file's rules, and in every message that quotes the URI.
package struct PKCS11URI: Sendable, Hashable, CustomStringConvertible {
    /// Why a URI cannot be used; the message never repeats a PIN.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package enum Code: Sendable { case notPKCS11, malformed, pinValue, unknownAttribute, noKeySelected, wrongType }
        package var code: Code
        package var description: String
        init(_ code: Code, _ description: String) { self.code = code; self.description = description }
    }

    /// `token=`: the token's label.
    package var token: String?
    /// `serial=`, `manufacturer=`, `model=`: the token's other identifying fields.
    package var serial: String?
    package var manufacturer: String?
    package var model: String?
    /// `slot-id=`: a slot number, for tokens without a distinct label.
    package var slotID: UInt?
    /// `object=`: the key's CKA_LABEL.
    package var object: String?
    /// `id=`: the key's CKA_ID bytes.
    package var id: [UInt8]?
    /// `pin-source=`: the file holding the user PIN (`file:/path` or a plain absolute path).
    package var pinFile: String?

    /// The URI without the PIN source, for messages.
    package var description: String {
        var parts: [String] = []
        if let token { parts.append("token=\(token)") }
        if let serial { parts.append("serial=\(serial)") }
        if let slotID { parts.append("slot-id=\(slotID)") }
        if let object { parts.append("object=\(object)") }
        if let id { parts.append("id=" + id.map { "%" + ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()) }
        return "pkcs11:" + parts.joined(separator: ";")
    }

    /// Whether `text` is meant as a PKCS#11 URI rather than a key file's path.
    package static func isURI(_ text: String) -> Bool { text.lowercased().hasPrefix("pkcs11:") }

    package init(_ text: String) throws(Failure) {
        guard Self.isURI(text) else { throw Failure(.notPKCS11, "not a pkcs11: URI") }
        let body = text.dropFirst("pkcs11:".count)
        let pathPart: Substring
        let queryPart: Substring
        if let mark = body.firstIndex(of: "?") {
            pathPart = body[..<mark]
            queryPart = body[body.index(after: mark)...]
        } else {
            pathPart = body
            queryPart = ""
        }
        let attributes = pathPart.split(separator: ";", omittingEmptySubsequences: true)
            + queryPart.split(separator: "&", omittingEmptySubsequences: true)
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "=") else {
                throw Failure(.malformed, "PKCS#11 URI attribute '\(attribute)' has no value (name=value)")
            }
            let name = attribute[..<equals].lowercased()
            if name == "pin-value" {
                throw Failure(.pinValue, "the PKCS#11 URI must not carry the PIN (pin-value); put the PIN in a file readable only by the service user and name it with pin-source=file:/path")
            }
            let value = try Self.percentDecoded(attribute[attribute.index(after: equals)...], name: name)
            let string = String(decoding: value, as: UTF8.self)
            switch name {
            case "token": token = string
            case "serial": serial = string
            case "manufacturer": manufacturer = string
            case "model": model = string
            case "object": object = string
            case "id": id = value
            case "slot-id":
                guard let number = UInt(string) else { throw Failure(.malformed, "PKCS#11 URI slot-id '\(string)' is not a number") }
                slotID = number
            case "type":
                guard string == "private" else {
                    throw Failure(.wrongType, "PKCS#11 URI type=\(string): the signing key is a private key (type=private)")
                }
            case "pin-source":
                if string.hasPrefix("file:") {
                    var path = Substring(string.dropFirst("file:".count))
                    // file:///etc/x and file:/etc/x both name /etc/x.
                    if path.hasPrefix("///") { path = path.dropFirst(2) }
                    pinFile = String(path)
                } else {
                    pinFile = string
                }
                guard let pinFile, pinFile.hasPrefix("/") else {
                    throw Failure(.malformed, "PKCS#11 URI pin-source must be an absolute file (pin-source=file:/etc/ocsp-responder/token.pin)")
                }
            case "library-manufacturer", "library-description", "library-version", "slot-manufacturer", "slot-description", "module-name", "module-path":
                continue  // describe the module, which pkcs11_module names
            default:
                throw Failure(.unknownAttribute, "unknown PKCS#11 URI attribute '\(name)'; expected token, object, id, serial, slot-id, type or pin-source")
            }
        }
        guard object != nil || id != nil else {
            throw Failure(.noKeySelected, "the PKCS#11 URI names no key: give object=LABEL or id=%XX")
        }
    }

    /// RFC 3986 percent-decoding of one attribute value.
    static func percentDecoded(_ text: Substring, name: String) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                throw Failure(.malformed, "PKCS#11 URI attribute '\(name)' has a broken %XX escape")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
