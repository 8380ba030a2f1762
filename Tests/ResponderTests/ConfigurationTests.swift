import OCSPRuntime
import Testing

@Suite struct ConfigurationTests {
    /// OCSP_MySql's config, as its README shows it, loads unchanged.
    @Test func ocspMySqlConfigLoads() throws {
        let text = """
            [db]
            host = localhost
            port = 3306
            db = ocsp
            username = pycert
            password = s3cret#not-a-comment-in-python-either
            log = DEBUG
            socket = 1

            [ocsp]
            producetime = 2m
            cert = /etc/ocsp_py/intermediate.pem
            pkey = /etc/ocsp_py/intermediate.key
            ocspresponse = /etc/ocsp_py/intermediate_ocsp.pem
            cache = /var/cache/ocsp_py
            """
        let config = try ResponderConfiguration.parse(text, path: "config.ini")
        #expect(config.database.options?.socket == "/run/mysqld/mysqld.sock")
        #expect(config.database.options?.password == "s3cret")
        #expect(config.database.table == "list_certs")
        #expect(config.signing.validity == 60 * 86_400)
        #expect(config.signing.notFound == .unknown)
        #expect(config.log.level == .debug)
        #expect(config.run.cachePath == "/var/cache/ocsp_py")
        #expect(config.run.warnDays == 14)
        #expect(try ResponderConfiguration.parse(text + "\nwarn_days = 30", path: "config.ini").run.warnDays == 30)
    }

    @Test(arguments: [
        ("[db]\ndb = x\nusername = u\nbogus = 1\n[ocsp]\ncert = c\npkey = k\n", 4, "bogus", "unknown key"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nproducetime = 3w\n", 7, "producetime", "not a duration"),
        ("[db]\ndb = x\nusername = u\nport = 99999\n[ocsp]\ncert = c\npkey = k\n", 4, "port", "whole number"),
        ("[db]\ndb = x\n[ocsp]\ncert = c\npkey = k\n", 1, "username", "required"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nnot_found = maybe\n", 7, "not_found", "unknown, unauthorized or revoked"),
        ("[db]\ndb = x\nusername = u\ntable = a;drop\n[ocsp]\ncert = c\npkey = k\n", 4, "table", "plain table name"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\n  pkey = k\n", 6, nil, "indented"),
        ("[db]\ndb = x\nusername = u\ndb = y\n[ocsp]\ncert = c\npkey = k\n", 4, "db", "twice"),
        ("[db]\ndb = x\nusername = u\nssl_cert = c.pem\n[ocsp]\ncert = c\npkey = k\n", 4, "ssl_cert", "ssl_cert and ssl_key go together"),
        ("[db]\ndb = x\nusername = u\nssl_verify = yes\n[ocsp]\ncert = c\npkey = k\n", 4, "ssl_verify", "needs ssl_ca"),
        ("[db]\ndb = x\nusername = u\nssl_ca = ca.pem\nssl_verify = maybe\n[ocsp]\ncert = c\npkey = k\n", 5, "ssl_verify", "yes or no"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nwarn_days = soon\n", 7, "warn_days", "whole number from 0 to 3650"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nwarn_days = 4000\n", 7, "warn_days", "whole number from 0 to 3650"),
    ] as [(String, Int, String?, String)])
    func badConfigNamesFileLineAndKey(text: String, line: Int, key: String?, message: String) {
        #expect {
            _ = try ResponderConfiguration.parse(text, path: "/etc/x.ini")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.path == "/etc/x.ini" && error.line == line && error.key == key && error.message.contains(message)
                && "\(error)".hasPrefix("/etc/x.ini:\(line)")
        }
    }

    /// `[issuer NAME]` sections add CAs with their own keys; `[ocsp]` stays the first, the default.
    @Test func issuerSectionsAddAuthorities() throws {
        let text = """
            [db]
            db = ocsp
            username = pycert
            table = main_certs
            [ocsp]
            cert = /a.pem
            pkey = /a.key
            timeout = 3
            user = pycert
            [issuer second-ca]
            cert = /b.pem
            pkey = /b.key
            table = second_certs
            not_found = revoked
            producetime = 12h
            ocspresponse = /b-ocsp.der
            """
        let config = try ResponderConfiguration.parse(text, path: "c.ini")
        #expect(config.authorities.map(\.name) == ["ocsp", "second-ca"])
        #expect(config.authorities.map(\.table) == ["main_certs", "second_certs"])
        #expect(config.authorities[1].notFound == .revoked)
        #expect(config.authorities[1].validity == 43_200)
        #expect(config.authorities[1].ocspResponsePaths == ["/b-ocsp.der"])
        #expect(config.authorities.map(\.includeSigner) == [false, false])
        // Several files, comma-separated; include_signer in either kind of section.
        let several = try ResponderConfiguration.parse(
            text.replacingOccurrences(of: "ocspresponse = /b-ocsp.der", with: "ocspresponse = /b-sha1.der, /b-sha256.der\ninclude_signer = yes"),
            path: "c.ini")
        #expect(several.authorities[1].ocspResponsePaths == ["/b-sha1.der", "/b-sha256.der"])
        #expect(several.authorities.map(\.includeSigner) == [false, true])
        #expect(config.run.timeout == 3)
        #expect(config.run.user == "pycert")
        #expect(config.run.revalidation.interval == 60)
        let every = try ResponderConfiguration.parse(text.replacingOccurrences(of: "timeout = 3", with: "revalidate = 0"), path: "c.ini")
        #expect(every.run.revalidation.interval == 0)
        #expect(!config.holdsPassword)
    }

    @Test(arguments: [
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\n[issuer]\ncert = d\n", 7, nil, "needs a name"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\n[issuer b]\ncert = d\ncache = /x\n", 9, "cache", "unknown key"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\n[issuer b]\ncert = d\n", 7, "pkey", "required"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\ntimeout = 0\n", 7, "timeout", "whole number"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\n[isuer b]\n", 7, nil, "unknown section"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nrevalidate = -1\n", 7, "revalidate", "whole number from 0 to 86400"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nrevalidate = 1m\n", 7, "revalidate", "whole number"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\nrevalidate = 86401\n", 7, "revalidate", "whole number"),
        ("[db]\ndb = x\nusername = u\n[ocsp]\ncert = c\npkey = k\n[issuer b]\ncert = d\npkey = e\nrevalidate = 5\n", 10, "revalidate", "unknown key"),
    ] as [(String, Int, String?, String)])
    func badIssuerSectionsNameFileLineAndKey(text: String, line: Int, key: String?, message: String) {
        badConfigNamesFileLineAndKey(text: text, line: line, key: key, message: message)
    }

    /// Issue 15: values are read as Python's configparser reads them for OCSP_MySql: `%%` is `%`,
    /// `%(key)s` another key of the section; a lone `%` is an error naming the line and the key (and
    /// never the value: it may be a password).
    @Test func configparserInterpolation() throws {
        let base = "[db]\ndb = ocsp\nusername = pycert\n"
        let tail = "\n[ocsp]\ncert = /a.pem\npkey = /a.key\n"
        let doubled = try ResponderConfiguration.parse(base + "password = 100%%sure#x" + tail, path: "c.ini")
        #expect(doubled.database.options?.password == "100%sure")
        let referenced = try ResponderConfiguration.parse(base + "password = %(username)s-%(db)s" + tail, path: "c.ini")
        #expect(referenced.database.options?.password == "pycert-ocsp")
        for (value, message) in [("50%", "'%' must be followed by"), ("a%b", "'%' must be followed by"), ("%(nope)s", "names no key of [db]")] {
            #expect {
                _ = try ResponderConfiguration.parse(base + "password = s3cret\(value)" + tail, path: "/etc/x.ini")
            } throws: { error in
                guard let error = error as? ConfigError else { return false }
                return error.line == 4 && error.key == "password" && error.message.contains(message) && !"\(error)".contains("s3cret")
            }
        }
    }

    /// Issue 15: `[db] socket` as OCSP_MySql read it: `1` (or yes, true) is the default socket, a value
    /// starting with `/` a socket path, anything else TCP.
    @Test(arguments: [
        ("1", "/run/mysqld/mysqld.sock"), ("yes", "/run/mysqld/mysqld.sock"), ("True", "/run/mysqld/mysqld.sock"),
        ("/var/run/db.sock", "/var/run/db.sock"), ("0", nil), ("no", nil), ("false", nil), ("mysqld.sock", nil), ("", nil),
    ] as [(String, String?)])
    func socketValues(value: String, socket: String?) throws {
        let config = try ResponderConfiguration.parse(
            "[db]\nhost = db.example\ndb = ocsp\nusername = pycert\nsocket = \(value)\n[ocsp]\ncert = /a.pem\npkey = /a.key\n", path: "c.ini")
        #expect(config.database.options?.socket == socket)
        #expect(config.database.options?.host == "db.example")
    }

    @Test func validityUnits() {
        #expect(ResponderConfiguration.parseValidity("12h") == 43_200)
        #expect(ResponderConfiguration.parseValidity("1d") == 86_400)
        #expect(ResponderConfiguration.parseValidity("1y") == 31_536_000)
        #expect(ResponderConfiguration.parseValidity("0d") == nil)
        #expect(ResponderConfiguration.parseValidity("d") == nil)
    }
}
