import OCSPWire
import SwiftASN1

/// The digests a CertID may use: SHA-1 (RFC 5019) and the SHA-2 family (RFC 9919 moves clients to SHA-256).
package enum HashAlgorithm: String, CaseIterable, Hashable, Sendable {
    case sha1, sha256, sha384, sha512

    package var objectIdentifier: ASN1ObjectIdentifier {
        switch self {
        case .sha1: AlgorithmObjectIdentifier.sha1
        case .sha256: AlgorithmObjectIdentifier.sha256
        case .sha384: AlgorithmObjectIdentifier.sha384
        case .sha512: AlgorithmObjectIdentifier.sha512
        }
    }

    package init?(objectIdentifier: ASN1ObjectIdentifier) {
        guard let match = Self.allCases.first(where: { $0.objectIdentifier == objectIdentifier }) else { return nil }
        self = match
    }

    /// The algorithm a CertID names, if its parameters are absent or NULL as RFC 5754 allows.
    package init?(_ identifier: AlgorithmIdentifier) {
        guard identifier.parameters == nil || identifier.parameters == AlgorithmIdentifier.nullParameters else { return nil }
        self.init(objectIdentifier: identifier.algorithm)
    }

    /// The identifier we write in CertIDs we build: with a NULL parameter, as OpenSSL and most clients do.
    package var algorithmIdentifier: AlgorithmIdentifier {
        AlgorithmIdentifier(algorithm: objectIdentifier, parameters: AlgorithmIdentifier.nullParameters)
    }

    /// Where this case is in `allCases`: 0 to 3.
    package var position: Int {
        switch self {
        case .sha1: 0
        case .sha256: 1
        case .sha384: 2
        case .sha512: 3
        }
    }

    package var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// Computes digests. The core stays free of C; OCSPCrypto supplies OpenSSL's.
package protocol Digester: Sendable {
    func digest(_ algorithm: HashAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8]
}
