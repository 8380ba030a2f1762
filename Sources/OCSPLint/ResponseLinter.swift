import OCSPCore
import OCSPWire
import SwiftASN1

/// `inspect --lint`: holds an OCSP response, ours or anyone's, to RFC 6960, RFC 9919, RFC 9654 and the
/// rules of the clients a profile names (`LintProfile`), and says where each problem is in the bytes.
///
/// The response is walked as a DER tree (swift-asn1's nodes), not decoded whole: a response the strict
/// decoder refuses (empty Extensions, a DEFAULT version encoded) is still linted, and every finding
/// carries the offset and length of its element, computed from the node's encoded bytes within the input.
/// Signatures, issuance and hashes come from the caller's `LintVerifier`; without one, those rules are skipped.
package enum ResponseLinter {
    /// Clocks disagree: what RFC 5019 deployments allow, and what `check` and `inspect --issuer` allow.
    package static let clockSkew: Int64 = 300
    /// Java's `com.sun.security.ocsp.clockSkew` default: 900 seconds.
    package static let javaClockSkew: Int64 = 900

    package static func lint(_ der: [UInt8], context: LintContext) -> LintReport {
        var run = LintRun(bytes: der, context: context)
        run.lintResponse()
        return LintReport(profile: context.profile, checkedAt: context.now, findings: run.findings)
    }
}

/// A response's SingleResponse as the walk found it, with the nodes for locations.
struct LintedSingle {
    var path: String
    var node: ASN1Node
    var certID: CertID
    var certIDNode: ASN1Node
    var status: CertStatus
    var thisUpdate: UnixTime?
    var thisUpdateNode: ASN1Node
    var nextUpdate: UnixTime?
    var nextUpdateNode: ASN1Node?
}

/// An extension and the node of its `Extension` SEQUENCE.
struct LintedExtension {
    var value: Extension
    var node: ASN1Node
}

/// An embedded certificate and its node in `certs`.
struct LintedCertificate {
    var certificate: Certificate
    var node: ASN1Node
    var path: String
}

struct LintRun {
    let bytes: [UInt8]
    let context: LintContext
    var findings: [LintFinding] = []

    init(bytes: [UInt8], context: LintContext) {
        self.bytes = bytes
        self.context = context
    }

    static let explicit0 = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    static let explicit1 = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    func location(_ node: ASN1Node, _ element: String) -> LintLocation {
        LintLocation(offset: node.encodedBytes.startIndex - bytes.startIndex, length: node.encodedBytes.count, element: element)
    }

    /// Records a finding when the profile runs the rules of `group`.
    mutating func add(_ level: LintFinding.Level, _ rule: String, _ source: String, _ message: String,
                      at location: LintLocation? = nil, group: LintProfile = .rfc6960) {
        guard context.profile.includes(group) else { return }
        findings.append(LintFinding(level: level, rule: rule, source: source, message: message, location: location))
    }

    static func children(_ node: ASN1Node) -> [ASN1Node]? {
        if case .constructed(let nodes) = node.content { return Array(nodes) }
        return nil
    }

    /// The one node inside an EXPLICIT tag.
    static func explicitContent(_ node: ASN1Node) -> ASN1Node? {
        guard let inner = children(node), inner.count == 1 else { return nil }
        return inner.first
    }

    /// The length of the DER element at the start of `bytes` (tag, length and contents), from its header;
    /// nil when the header is not a one-octet tag with a definite length of at most 4 octets.
    static func firstElementLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2, bytes[0] & 0x1F != 0x1F else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first }
        let count = first & 0x7F
        guard (1...4).contains(count), bytes.count >= 2 + count else { return nil }
        let length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
        return 2 + count + length
    }

    // MARK: OCSPResponse

    mutating func lintResponse() {
        let root: ASN1Node
        do {
            root = try DER.parse(bytes)
        } catch {
            // swift-asn1 refuses octets after the element: lint the element, and say what follows it.
            guard let length = Self.firstElementLength(bytes), length < bytes.count,
                  let first = try? DER.parse(bytes[..<length]) else {
                add(.error, "der", "X.690 §10 (DER)", "the input is not one DER element: \(error)",
                    at: LintLocation(offset: 0, length: bytes.count, element: "OCSPResponse"))
                return
            }
            root = first
        }
        if root.encodedBytes.count != bytes.count {
            add(.error, "trailing-bytes", "RFC 6960 §4.2.1", "\(bytes.count - root.encodedBytes.count) octets follow the OCSPResponse",
                at: LintLocation(offset: root.encodedBytes.count, length: bytes.count - root.encodedBytes.count, element: "after OCSPResponse"))
        }
        guard root.identifier == .sequence, let top = Self.children(root), let statusNode = top.first,
              let status = try? OCSPResponseStatus(derEncoded: statusNode) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "not an OCSPResponse: a SEQUENCE starting with the ENUMERATED responseStatus",
                at: location(root, "OCSPResponse"))
            return
        }
        let known: Set<Int> = [0, 1, 2, 3, 5, 6]
        if !known.contains(status.rawValue) {
            add(.error, "response-status", "RFC 6960 §4.2.1", "responseStatus \(status.rawValue) is not defined (4 is unused)",
                at: location(statusNode, "responseStatus"))
        }
        if top.count > 2, let extra = top.last {
            add(.error, "structure", "RFC 6960 §4.2.1", "the OCSPResponse has \(top.count) elements, at most 2",
                at: location(extra, "OCSPResponse"))
        }
        let bytesNode = top.count > 1 ? top[1] : nil
        guard status == .successful else {
            if let bytesNode {
                add(.error, "error-response-bytes", "RFC 6960 §2.3, §4.2.1",
                    "the \(status) response carries responseBytes: error responses are not signed and have none",
                    at: location(bytesNode, "responseBytes"))
            }
            return
        }
        guard let bytesNode else {
            add(.error, "successful-without-bytes", "RFC 6960 §4.2.1", "a successful response without responseBytes",
                at: location(root, "OCSPResponse"))
            return
        }
        guard bytesNode.identifier == Self.explicit0, let responseBytes = Self.explicitContent(bytesNode),
              responseBytes.identifier == .sequence, let parts = Self.children(responseBytes), parts.count == 2,
              let type = try? ASN1ObjectIdentifier(derEncoded: parts[0]),
              let octets = try? ASN1OctetString(derEncoded: parts[1]) else {
            add(.error, "structure", "RFC 6960 §4.2.1", "responseBytes is not [0] EXPLICIT SEQUENCE { responseType, response OCTET STRING }",
                at: location(bytesNode, "responseBytes"))
            return
        }
        guard type == OCSPObjectIdentifier.basicResponse else {
            add(.error, "response-type", "RFC 6960 §4.2.1", "responseType \(ObjectIdentifierNames.name(of: type)) is not id-pkix-ocsp-basic, which every client needs",
                at: location(parts[0], "responseBytes.responseType"))
            return
        }
        let basic: ASN1Node
        do {
            basic = try DER.parse(octets.bytes)
        } catch {
            add(.error, "structure", "RFC 6960 §4.2.1", "the response OCTET STRING does not hold one DER BasicOCSPResponse: \(error)",
                at: location(parts[1], "responseBytes.response"))
            return
        }
        if basic.encodedBytes.count != octets.bytes.count {
            add(.error, "trailing-bytes", "RFC 6960 §4.2.1", "octets follow the BasicOCSPResponse inside responseBytes.response",
                at: location(parts[1], "responseBytes.response"))
        }
        lintBasic(basic)
    }
}
