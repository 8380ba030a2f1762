import OCSPCore
import OCSPCrypto
import OCSPWire
import Foundation
import SwiftASN1
import Testing
import TestSupport

/// The one certificate model and the one DN formatter, on bytes made here: fixture certificates committed
/// below (made once with Python cryptography, see each) and names built with swift-asn1. No process runs.
@Suite struct CertificateTests {
    /// A self-signed P-256 CA: `C=DE, O=Fixture CA, CN=Fixture Root`, serial 1, 2025-01-01 to 2055-01-01,
    /// basicConstraints critical CA:TRUE pathlen:0, keyUsage critical keyCertSign cRLSign, a subject key id.
    static let rootPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBpzCCAU6gAwIBAgIBATAKBggqhkjOPQQDAjA5MQswCQYDVQQGEwJERTETMBEG
        A1UECgwKRml4dHVyZSBDQTEVMBMGA1UEAwwMRml4dHVyZSBSb290MCAXDTI1MDEw
        MTAwMDAwMFoYDzIwNTUwMTAxMDAwMDAwWjA5MQswCQYDVQQGEwJERTETMBEGA1UE
        CgwKRml4dHVyZSBDQTEVMBMGA1UEAwwMRml4dHVyZSBSb290MFkwEwYHKoZIzj0C
        AQYIKoZIzj0DAQcDQgAE+evkZBR8wQLZIyTQmdknwaUOQtV6CKEW/+wKKYGdjGVw
        uvfRKIiQKmoMHWet0QMSPIWatpv46UMck4STDUt+7qNFMEMwEgYDVR0TAQH/BAgw
        BgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFDNYKWtUJssSvgorQ+tc
        +v2MzexPMAoGCCqGSM49BAMCA0cAMEQCIAN6bMK0ZdOu8Emvlw0elEcQ3kwQnJjK
        h/+6chsVvNiYAiAZ9WuVVMKCUrTI9si0hNwogHw614ZtysS6Zx4RKj25tA==
        -----END CERTIFICATE-----
        """

    /// Issued by the root: subject `O=Müller, "Söhne" + Co` then the multi-valued RDN
    /// `OU=OCSP + CN=#Responder <1>; ` (trailing space), serial 0xA1B2C3D4E5F6, 2025-06-01 12:30:45 (UTCTime)
    /// to 2050-06-01 12:30:45 (GeneralizedTime), basicConstraints CA:FALSE, keyUsage digitalSignature,
    /// extKeyUsage OCSPSigning, ocsp-nocheck, subject and authority key ids, AIA with an OCSP and a CA
    /// Issuers URI.
    static let delegatePEM = """
        -----BEGIN CERTIFICATE-----
        MIICZTCCAgugAwIBAgIHAKGyw9Tl9jAKBggqhkjOPQQDAjA5MQswCQYDVQQGEwJE
        RTETMBEGA1UECgwKRml4dHVyZSBDQTEVMBMGA1UEAwwMRml4dHVyZSBSb290MCAX
        DTI1MDYwMTEyMzA0NVoYDzIwNTAwNjAxMTIzMDQ1WjBJMR8wHQYDVQQKDBZNw7xs
        bGVyLCAiU8O2aG5lIiArIENvMSYwCwYDVQQLDARPQ1NQMBcGA1UEAwwQI1Jlc3Bv
        bmRlciA8MT47IDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFLG/1tx3mXYPHXT
        k+JJ7AOJQ3BRXQsimxxiJGgfKlAwtvMjwgwg0CHWEeCHz0gvUpfmE1y+5tOZSDIW
        TkeebpajgeswgegwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0l
        BAwwCgYIKwYBBQUHAwkwDwYJKwYBBQUHMAEFBAIFADAdBgNVHQ4EFgQUnk0UXH6i
        6J04Qp30TyyvjfD4/VUwHwYDVR0jBBgwFoAUM1gpa1QmyxK+CitD61z6/YzN7E8w
        YgYIKwYBBQUHAQEEVjBUMCUGCCsGAQUFBzABhhlodHRwOi8vb2NzcC5leGFtcGxl
        LnRlc3QvMCsGCCsGAQUFBzAChh9odHRwOi8vY2EuZXhhbXBsZS50ZXN0L3Jvb3Qu
        ZGVyMAoGCCqGSM49BAMCA0gAMEUCIQDHobHHtDIL/g7gEINa6HloeTcU08b2EPBp
        G0WYZl5POQIgNJ6BGlmduFHIy8l9CRoV+NCtl16HFVSUYkPV7y+6CLU=
        -----END CERTIFICATE-----
        """

    static func certificate(_ pem: String) throws -> Certificate {
        try #require(try Certificate.certificates(pem: Array(pem.utf8)).first)
    }

    // MARK: the model

    @Test func readsEveryFieldOfTheDelegate() throws {
        let delegate = try Self.certificate(Self.delegatePEM)
        #expect(delegate.serialNumber.minimalHex == "a1b2c3d4e5f6")
        #expect(delegate.notBefore == UnixTime(year: 2025, month: 6, day: 1, hours: 12, minutes: 30, seconds: 45))
        #expect(delegate.notAfter == UnixTime(year: 2050, month: 6, day: 1, hours: 12, minutes: 30, seconds: 45))
        #expect(delegate.subject == ##"OU=OCSP+CN=\#Responder \<1\>\;\ ,O=Müller\, \"Söhne\" \+ Co"##)
        #expect(delegate.issuer == "CN=Fixture Root,O=Fixture CA,C=DE")
        #expect(delegate.publicKeyAlgorithm == AlgorithmObjectIdentifier.ecPublicKey)
        #expect(delegate.publicKeyBits.count == 65 && delegate.publicKeyBits.first == 0x04)
        #expect(delegate.der.firstRange(of: delegate.subjectPublicKeyInfoDER) != nil)
        #expect(delegate.signatureAlgorithm.algorithm == AlgorithmObjectIdentifier.ecdsaWithSHA256)
        #expect(delegate.tbsSignatureAlgorithm == delegate.signatureAlgorithm)
        // tbsCertificate follows the outer SEQUENCE's 4-octet header; the signature is an ECDSA DER SEQUENCE.
        #expect(delegate.tbsCertificateDER.elementsEqual(delegate.der[4..<(4 + delegate.tbsCertificateDER.count)]))
        #expect(delegate.signature?.first == 0x30)

        #expect(try delegate.basicConstraints?.isCA == false)
        #expect(try delegate.basicConstraints?.pathLength == nil)
        let usage = try #require(try delegate.keyUsage)
        #expect(usage.digitalSignature && !usage.keyCertSign)
        #expect(try delegate.extendedKeyUsage == [Certificate.ocspSigningUsage])
        #expect(delegate.hasOCSPSigningUsage)
        #expect(try delegate.subjectKeyIdentifier.map { Hex.encode($0) } == "9e4d145c7ea2e89d38429df44f2caf8df0f8fd55")
        #expect(try delegate.authorityKeyIdentifier?.keyIdentifier.map { Hex.encode($0) } == "3358296b5426cb12be0a2b43eb5cfafd8ccdec4f")
        let access = try #require(try delegate.authorityInformationAccess)
        #expect(access.ocsp == ["http://ocsp.example.test/"])
        #expect(access.caIssuers == ["http://ca.example.test/root.der"])
        #expect(delegate.extensionValue([1, 3, 6, 1, 5, 5, 7, 48, 1, 5]) != nil)
    }

    @Test func readsTheRoot() throws {
        let root = try Self.certificate(Self.rootPEM)
        #expect(root.serialNumber.minimalHex == "1")
        #expect(root.subject == "CN=Fixture Root,O=Fixture CA,C=DE")
        #expect(root.subjectNameDER == root.issuerNameDER)
        #expect(try root.basicConstraints?.isCA == true)
        #expect(try root.basicConstraints?.pathLength == 0)
        #expect(try root.keyUsage?.keyCertSign == true)
        #expect(try root.extendedKeyUsage == nil)
        #expect(!root.hasOCSPSigningUsage)
        #expect(try root.authorityKeyIdentifier == nil)
        #expect(try root.authorityInformationAccess == nil)
    }

    @Test func issuanceIsCheckedByNamesKeyIdsUsageAndSignature() throws {
        let root = try Self.certificate(Self.rootPEM)
        let delegate = try Self.certificate(Self.delegatePEM)
        #expect(delegate.namesAsIssuer(root))
        #expect(delegate.isIssued(by: root))
        #expect(root.isIssued(by: root))
        // The root is not the delegate's issuer, nor the delegate its own: names, key ids and usage disagree.
        #expect(!root.namesAsIssuer(delegate))
        #expect(!delegate.isIssued(by: delegate))
        #expect(!root.isIssued(by: delegate))

        // One bit changed in the signature: the names still fit, the signature does not verify.
        var tampered = delegate.der
        tampered[tampered.count - 3] ^= 0x01
        let forged = try Certificate(der: tampered)
        #expect(forged.namesAsIssuer(root))
        #expect(!forged.isIssued(by: root))
    }

    @Test func theSameCAIsTheSameNameAndKey() throws {
        let root = IssuerIdentity(try Self.certificate(Self.rootPEM), digester: OpenSSLDigester())
        let delegate = IssuerIdentity(try Self.certificate(Self.delegatePEM), digester: OpenSSLDigester())
        #expect(root.isSameCA(as: root))
        #expect(!root.isSameCA(as: delegate))
        // The same name with another key is another CA (its CertIDs' key hash differs).
        let renamed = IssuerIdentity(subjectNameDER: root.subjectNameDER, publicKeyBits: delegate.publicKeyBits, digester: OpenSSLDigester())
        #expect(!root.isSameCA(as: renamed))
    }

    @Test func malformedCertificatesAreRefused() throws {
        let der = try Self.certificate(Self.delegatePEM).der
        #expect(throws: (any Error).self) { try Certificate(der: Array(der.dropLast(10))) }
        #expect(throws: (any Error).self) { try Certificate(der: [0x30, 0x00]) }
        #expect(throws: (any Error).self) { try Certificate(der: [0x04, 0x01, 0x00]) }
        // A fourth field after signatureValue.
        var longer = der
        longer.append(contentsOf: [0x05, 0x00])
        #expect(der[1] == 0x82)
        let length = (Int(der[2]) << 8 | Int(der[3])) + 2
        longer[2] = UInt8(length >> 8)
        longer[3] = UInt8(length & 0xFF)
        #expect(throws: (any Error).self) { try Certificate(der: longer) }
        #expect(throws: (any Error).self) { try Certificate.certificates(pem: Array("no PEM here".utf8)) }
    }

    /// A TLV with a definite length, to build certificates octet by octet.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let length = content.count
        let header: [UInt8] = length < 0x80 ? [UInt8(length)] : length < 0x100 ? [0x81, UInt8(length)] : [0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
        return [tag] + header + content
    }

    /// An unsigned v3 certificate whose extensions are `extensions` (each an Extension's DER).
    static func certificate(extensions: [[UInt8]]) -> [UInt8] {
        let ecdsa = tlv(0x30, tlv(0x06, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]))
        let time = tlv(0x17, Array("250101000000Z".utf8))
        let spki = tlv(0x30, tlv(0x30, tlv(0x06, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01])) + tlv(0x03, [0x00, 0x04, 0x01]))
        let tbs = tlv(0x30, tlv(0xA0, tlv(0x02, [0x02])) + tlv(0x02, [0x07]) + ecdsa + tlv(0x30, []) + tlv(0x30, time + time)
                      + tlv(0x30, []) + spki + tlv(0xA3, tlv(0x30, extensions.flatMap { $0 })))
        return tlv(0x30, tbs + ecdsa + tlv(0x03, [0x00, 0x30, 0x00]))
    }

    /// What CAs in use write and DER forbids: `critical FALSE` written out, `cA FALSE` written out, an
    /// extension twice. The certificate still loads (as OpenSSL loads it); a repeated extension is refused
    /// where it is read.
    @Test func nonDERExtensionsAsCAsWriteThem() throws {
        let falseCritical = Self.tlv(0x30, Self.tlv(0x06, [0x55, 0x1D, 0x13]) + Self.tlv(0x01, [0x00])
                                     + Self.tlv(0x04, Self.tlv(0x30, Self.tlv(0x01, [0x00]))))
        let eku = Self.tlv(0x30, Self.tlv(0x06, [0x55, 0x1D, 0x25])
                           + Self.tlv(0x04, Self.tlv(0x30, Self.tlv(0x06, [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09]))))
        let parsed = try Certificate(der: Self.certificate(extensions: [falseCritical, eku]))
        #expect(parsed.serialNumber.minimalHex == "7")
        #expect(parsed.extensions.map(\.critical) == [false, false])
        #expect(try parsed.basicConstraints?.isCA == false)
        #expect(parsed.hasOCSPSigningUsage)
        #expect(parsed.signature == [0x30, 0x00])

        let twice = try Certificate(der: Self.certificate(extensions: [eku, eku]))
        #expect(throws: (any Error).self) { try twice.extendedKeyUsage }
        #expect(!twice.hasOCSPSigningUsage)
    }

    /// The test PKI's certificates (made by `scripts/make-pki.sh`): each chain as the responder sees it.
    @Test(arguments: TestPKI.Kind.allCases)
    func readsTheTestPKI(kind: TestPKI.Kind) throws {
        let pki = TestPKI.shared
        func load(_ path: String) throws -> Certificate {
            try #require(try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: path)))).first)
        }
        let root = try load(pki.root)
        let ca = try load(pki.path(kind, "ca.pem"))
        let responder = try load(pki.path(kind, "responder.pem"))
        let bad = try load(pki.path(kind, "badresponder.pem"))
        let good = try load(pki.path(kind, "good.pem"))
        #expect(ca.subject == "CN=Test \(kind.rawValue) CA")
        #expect(good.subject == "CN=leaf-good")
        #expect(good.serialNumber.minimalHex == "1001")
        #expect(ca.isIssued(by: root) && responder.isIssued(by: ca) && good.isIssued(by: ca))
        #expect(!good.isIssued(by: root) && !ca.isIssued(by: ca))
        #expect(responder.hasOCSPSigningUsage && !bad.hasOCSPSigningUsage)
        #expect(try ca.basicConstraints?.isCA == true)
        #expect(ca.notBefore < ca.notAfter)
        #expect(try Certificate.certificates(pem: Array(try Data(contentsOf: URL(fileURLWithPath: pki.path(kind, "chain.pem"))))).map(\.der)
                == [ca.der, root.der])
    }
}

/// RFC 4514 §2: the one-line form of names built here with swift-asn1.
@Suite struct DistinguishedNameTests {
    static let cn: ASN1ObjectIdentifier = [2, 5, 4, 3]
    static let ou: ASN1ObjectIdentifier = [2, 5, 4, 11]
    static let o: ASN1ObjectIdentifier = [2, 5, 4, 10]

    /// A Name from its RDNs, most significant first as they are encoded; each attribute a string of `tag`.
    static func name(_ rdns: [[(ASN1ObjectIdentifier, ASN1Identifier, [UInt8])]]) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            for rdn in rdns {
                try coder.appendConstructedNode(identifier: .set) { coder in
                    for (type, tag, value) in rdn {
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(type)
                            coder.appendPrimitiveNode(identifier: tag) { $0.append(contentsOf: value) }
                        }
                    }
                }
            }
        }
        return serializer.serializedBytes
    }

    static func text(_ values: [(ASN1ObjectIdentifier, String)]) throws -> String {
        try DistinguishedName.string(fromDER: name(values.map { [($0.0, .utf8String, Array($0.1.utf8))] }))
    }

    static func commonName(_ value: String) throws -> String {
        try text([(cn, value)])
    }

    @Test func lastRDNFirstJoinedByCommas() throws {
        #expect(try Self.text([(Self.o, "Example"), (Self.cn, "Leaf")]) == "CN=Leaf,O=Example")
    }

    @Test(arguments: [
        ("a,b", ##"CN=a\,b"##), ("a+b", ##"CN=a\+b"##), (##"a"b"##, ##"CN=a\"b"##), (##"a\b"##, ##"CN=a\\b"##),
        ("a<b>", ##"CN=a\<b\>"##), ("a;b", ##"CN=a\;b"##),
        ("#a", ##"CN=\#a"##), ("a#b", "CN=a#b"), (" a", ##"CN=\ a"##), ("a ", ##"CN=a\ "##), (" ", ##"CN=\ "##), ("a b", "CN=a b"),
        ("Müller", "CN=Müller"), ("日本", "CN=日本"), ("a=b", "CN=a=b"),
        ("a\nb", ##"CN=a\0Ab"##), ("a\u{0}b", ##"CN=a\00b"##), ("a\u{7F}", ##"CN=a\7F"##),
    ])
    func specialCharactersAreEscaped(value: String, expected: String) throws {
        #expect(try Self.commonName(value) == expected)
    }

    @Test func multiValuedRDNsAreJoinedByPlus() throws {
        let der = try Self.name([
            [(Self.o, .utf8String, Array("Example".utf8))],
            [(Self.cn, .printableString, Array("a".utf8)), (Self.ou, .printableString, Array("b+c".utf8))],
        ])
        #expect(try DistinguishedName.string(fromDER: der) == ##"CN=a+OU=b\+c,O=Example"##)
    }

    @Test func stringTypesAndOtherValues() throws {
        // BMPString is UTF-16 big-endian.
        let bmp = try Self.name([[(Self.cn, ASN1Identifier(tagWithNumber: 30, tagClass: .universal), [0x03, 0xA9, 0x00, 0x41])]])
        #expect(try DistinguishedName.string(fromDER: bmp) == "CN=ΩA")
        // A value that is no string: `#` and its DER in hex (RFC 4514 §2.4).
        let octets = try Self.name([[(Self.cn, .octetString, [0xDE, 0xAD])]])
        #expect(try DistinguishedName.string(fromDER: octets) == "CN=#0402dead")
        // An attribute type without a short name: its dotted OID.
        #expect(try Self.text([([1, 2, 3, 4], "x")]) == "1.2.3.4=x")
        #expect(try Self.text([([0, 9, 2342, 19_200_300, 100, 1, 25], "example"), ([1, 2, 840, 113_549, 1, 9, 1], "a@b")])
                == "emailAddress=a@b,DC=example")
        #expect(try DistinguishedName.string(fromDER: [0x30, 0x00]) == "")
    }

    @Test func aNonNameIsRefused() {
        #expect(throws: (any Error).self) { try DistinguishedName.string(fromDER: [0x04, 0x00]) }
        #expect(throws: (any Error).self) { try DistinguishedName.string(fromDER: [0x30, 0x03, 0x31, 0x01]) }
    }
}
