import OCSPCore
import OCSPRuntime
import OCSPStoreMariaDB
import OCSPWire
import Foundation
import Testing
import TestSupport

/// TLS to MariaDB (`[db] ssl_ca`, `ssl_cert`, `ssl_key`, `ssl_verify`), on a private server that refuses
/// plain TCP (`require_secure_transport=ON`) and has a certificate of a test CA of its own.
@Suite(.serialized, .enabled(if: MariaDBTestServer.isAvailable))
struct MariaDBTLSTests {
    static let serial = CertificateSerialNumber(hex: "1001")!

    /// The server's CA, its certificate for 127.0.0.1, and another CA that issued nothing of the server's.
    struct Certificates {
        let directory: String
        var ca: String { directory + "/db-ca.pem" }
        var otherCA: String { directory + "/other-ca.pem" }
        var serverCertificate: String { directory + "/server.pem" }
        var serverKey: String { directory + "/server.key" }

        init() throws {
            directory = try makeTemporaryDirectory("ocsp-db-tls").path
            chmod(directory, 0o755)   // mariadbd may run as another user: it reads the server's files
            let script = """
                set -e
                cd "$1"
                for ca in db-ca other-ca; do
                    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $ca.key -out $ca.pem \
                        -days 2 -subj "/CN=$ca" 2>/dev/null
                done
                openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
                    -subj /CN=127.0.0.1 2>/dev/null
                printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\\n' > san.ext
                openssl x509 -req -in server.csr -CA db-ca.pem -CAkey db-ca.key -set_serial 7 -days 2 \
                    -extfile san.ext -out server.pem 2>/dev/null
                chmod 0644 server.key server.pem db-ca.pem other-ca.pem
                """
            let result = try run("/bin/bash", ["-c", script, "bash", directory])
            guard result.status == 0 else { throw TestFailure("making the database's certificates: \(result.stderr)") }
        }
    }

    static func database(_ certificates: Certificates) throws -> PrivateMariaDB {
        let database = try PrivateMariaDB.start(serverOptions: [
            "--ssl-ca=\(certificates.ca)", "--ssl-cert=\(certificates.serverCertificate)", "--ssl-key=\(certificates.serverKey)",
            "--require-secure-transport=ON",
        ])
        try database.server.execute("INSERT INTO \(database.table) (cert_num, cert, status) VALUES ('0x1001', '', 'Valid')")
        return database
    }

    static func store(_ database: PrivateMariaDB, tls: MariaDBOptions.TLS?) -> MariaDBStatusStore {
        let options = MariaDBOptions(
            host: "127.0.0.1", port: UInt32(database.port) ?? 0, database: database.database, user: database.user,
            password: database.password, connectTimeout: 3, ioTimeout: 3, tls: tls
        )
        return MariaDBStatusStore(options: options, table: database.table)
    }

    @Test("ssl_ca: the look-up goes over TLS to a server that refuses plain TCP; a server of another CA is unusable (tryLater), never plain text")
    func verifiedTLS() throws {
        let certificates = try Certificates()
        let database = try Self.database(certificates)

        // The server refuses a plain TCP session, so an answer proves the session was TLS.
        #expect(throws: StatusSourceError.self) { try Self.store(database, tls: nil).status(of: Self.serial) }
        let verified = Self.store(database, tls: .init(certificateAuthority: certificates.ca, certificate: nil, key: nil, verifiesServer: true))
        #expect(try verified.status(of: Self.serial) == .good)

        // The server's certificate checked against a CA that did not issue it: refused, as an unreachable host is.
        let wrongCA = Self.store(database, tls: .init(certificateAuthority: certificates.otherCA, certificate: nil, key: nil, verifiesServer: true))
        #expect {
            try wrongCA.status(of: Self.serial)
        } throws: { error in
            (error as? StatusSourceError)?.kind == .unavailable
        }

        // ssl_verify = no: encrypted, the certificate unchecked (the config warns at start-up).
        let unverified = Self.store(database, tls: .init(certificateAuthority: nil, certificate: nil, key: nil, verifiesServer: false))
        #expect(try unverified.status(of: Self.serial) == .good)

        // The server's own word that the session is TLS: Ssl_cipher is set on it, and empty on a plain one.
        #expect(try verified.session.tlsCipher()?.isEmpty == false)
        #expect(try unverified.session.tlsCipher()?.isEmpty == false)
        let shared = try #require(MariaDBTestServer.shared)
        let plain = MariaDBSession(options: MariaDBOptions(socket: shared.socket, database: shared.database, user: shared.user, password: shared.password))
        #expect(try plain.tlsCipher() == nil)
    }

    /// The deployed shape: the caller reaches `respond` only through sudo, the service user runs it and
    /// talks TLS to MariaDB with a CA file the service owns; a config naming a CA that did not issue the
    /// server's certificate gets tryLater, never a plain-text answer.
    @Test(.enabled(if: TestAccounts.service != nil, "needs the service user and sudo that scripts/test.sh sets up as root"))
    func throughSudoAsTheServiceUser() throws {
        let certificates = try Certificates()
        let database = try Self.database(certificates)
        let deployment = try Deployment()
        for (name, ca) in [("config-tls.ini", certificates.ca), ("config-tls-wrong-ca.ini", certificates.otherCA)] {
            let path = deployment.path("etc/\(name)")
            try """
                [db]
                host = 127.0.0.1:\(database.port)
                db = \(database.database)
                username = \(database.user)
                password = \(database.password)
                table = \(database.table)
                connect_timeout = 3
                ssl_ca = \(ca)

                [ocsp]
                cert = \(deployment.certificatePath)
                pkey = \(deployment.keyPath)
                user = \(deployment.service)
                """.write(toFile: path, atomically: true, encoding: .utf8)
            // As setup.sh installs a config: root's, readable by the service's group only.
            let result = try run("/bin/sh", ["-c", "chown root:\(try TestAccounts.group(of: deployment.service)) \"$1\" && chmod 0640 \"$1\"", "sh", path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let request = try deployment.callerRequest("good.pem")
        let answered = try deployment.respondThroughSudo([request], config: deployment.path("etc/config-tls.ini"))
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(try deployment.verifiedAnswer(in: request).map(\.certStatus) == ["GOOD"])

        let refused = try deployment.callerRequest("good.pem")
        let wrongCA = try deployment.respondThroughSudo([refused], config: deployment.path("etc/config-tls-wrong-ca.ini"))
        // respond's exit status is the OCSP status it answered: 3, tryLater.
        #expect(wrongCA.status == 3, "\(wrongCA.stderr)")
        // An unsigned tryLater: nothing to verify, so openssl only reads it.
        let status = try run("openssl", ["ocsp", "-respin", refused, "-resp_text", "-noverify"])
        #expect(status.stdoutText.contains("Responder Error: trylater (3)"), "\(status.stdoutText)\(status.stderr)")
        #expect(wrongCA.stderr.contains("127.0.0.1:\(database.port)"), "\(wrongCA.stderr)")
    }

    @Test("The config reads the ssl_* keys: ssl_ca alone verifies, ssl_verify = no does not, no key means no TLS")
    func configKeys() throws {
        let base = "[db]\nhost = 127.0.0.1\ndb = x\nusername = u\n"
        let tail = "[ocsp]\ncert = c\npkey = k\n"
        let plain = try ResponderConfiguration.parse(base + tail, path: "/etc/x.ini")
        #expect(plain.database.options?.tls == nil)
        let verified = try ResponderConfiguration.parse(base + "ssl_ca = /etc/db-ca.pem\n" + tail, path: "/etc/x.ini")
        #expect(verified.database.options?.tls == .init(certificateAuthority: "/etc/db-ca.pem", certificate: nil, key: nil, verifiesServer: true))
        let unverified = try ResponderConfiguration.parse(base + "ssl_verify = no\n" + tail, path: "/etc/x.ini")
        #expect(unverified.database.options?.tls?.verifiesServer == false)
        let client = try ResponderConfiguration.parse(base + "ssl_ca = a\nssl_cert = c.pem\nssl_key = c.key\n" + tail, path: "/etc/x.ini")
        #expect(client.database.options?.tls?.certificate == "c.pem" && client.database.options?.tls?.key == "c.key")
    }
}
