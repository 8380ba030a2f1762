import OCSPRuntime
import Testing

/// The config reader on its own: the rules of Python's configparser that OCSP_MySql's config.ini was
/// written for (COMPAT.md), and the ones we deliberately refuse, each with the file, line and key named.
@Suite struct INIFileTests {
    func read(_ text: String) throws(ConfigError) -> INIFile { try INIFile(text: text, path: "c.ini") }

    /// The error `text` gives, or a recorded issue when it reads.
    func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
        do {
            let file = try read(text)
            Issue.record("read without error: \(file.sections)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test func sectionsKeysAndValues() throws {
        let file = try read("""
            [db]
            host = 127.0.0.1
            Port:3306
            password =   spaced out\t

            [ocsp]
            cert=/etc/ca.pem
            """)
        #expect(file.sections.map(\.name) == ["db", "ocsp"])
        #expect(file.sections.map(\.line) == [1, 6])
        #expect(file["db"]?["host"]?.value == "127.0.0.1")
        // Keys are case-insensitive (configparser's optionxform lowercases them); `:` separates too.
        #expect(file["db"]?["port"]?.value == "3306")
        #expect(file["db"]?["Port"] == nil)
        // Values are trimmed on both sides; white space inside stays.
        #expect(file["db"]?["password"]?.value == "spaced out")
        #expect(file["db"]?["password"]?.line == 4)
        #expect(file["ocsp"]?["cert"]?.value == "/etc/ca.pem")
        // Section names are case-sensitive, as in configparser.
        #expect(file["DB"] == nil)
    }

    @Test func aValueMayBeEmptyAndMayHoldSeparators() throws {
        let file = try read("[s]\nempty =\nurl = http://host:8080/a=b\ncolon: a = b\n")
        #expect(file["s"]?["empty"]?.value == "")
        #expect(file["s"]?["url"]?.value == "http://host:8080/a=b")
        #expect(file["s"]?["colon"]?.value == "a = b")
    }

    @Test func commentsWholeLineAndInline() throws {
        let file = try read("""
            # a comment
            ; another
            [db]
              # an indented comment is a comment
            password = se;cret ; the rest is a comment
            user = name # cut here
            hashy = a#b
            """)
        // `;` starts a comment only after white space, so a `;` inside a password survives.
        #expect(file["db"]?["password"]?.value == "se;cret")
        // OCSP_MySql cut a value at the first `#`, wherever it is.
        #expect(file["db"]?["user"]?.value == "name")
        #expect(file["db"]?["hashy"]?.value == "a")
        #expect(file["db"]?.entries.count == 3)
    }

    @Test func blankLines() throws {
        let file = try read("\n[db]\nhost = h\n\n   \n\t\n[ocsp]\nkey = k")
        #expect(file["db"]?["host"]?.value == "h")
        #expect(file["ocsp"]?["key"]?.value == "k")
        #expect(file["ocsp"]?.line == 7)
    }

    /// In Swift "\r\n" is one Character (one grapheme): a reader that split on the Character "\n" read a
    /// file with Windows line endings as one line.
    @Test func windowsLineEndings() throws {
        let file = try read("[db]\r\nhost = h\r\n\r\n[ocsp]\r\nkey = k\r\n")
        #expect(file["db"]?["host"]?.value == "h")
        #expect(file["ocsp"]?["key"]?.value == "k")
        #expect(file["ocsp"]?.line == 4)
    }

    /// configparser would join an indented line to the value above; a responder's config silently joined is
    /// worse than a clear message, so it is an error naming the line.
    @Test func continuationLinesAreRefused() {
        let error = error("[db]\npassword = a\n  b\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("continuation lines are not supported") == true)
        #expect(error?.description.hasPrefix("c.ini:3: ") == true)
    }

    // MARK: interpolation, as configparser's BasicInterpolation

    @Test func percentInterpolation() throws {
        let file = try read("""
            [DEFAULT]
            base = /etc/ocsp
            [ocsp]
            dir = %(base)s/keys
            cert = %(dir)s/ca.pem
            rate = 100%%
            both = %(Base)s and %%(base)s
            """)
        #expect(file["ocsp"]?["dir"]?.value == "/etc/ocsp/keys")
        // References nest; a key of the same section wins, DEFAULT fills in.
        #expect(file["ocsp"]?["cert"]?.value == "/etc/ocsp/keys/ca.pem")
        #expect(file["ocsp"]?["rate"]?.value == "100%")
        // Names in references are case-insensitive like keys; `%%(x)s` is a literal.
        #expect(file["ocsp"]?["both"]?.value == "/etc/ocsp and %(base)s")
    }

    @Test func theSameSectionWinsOverDefault() throws {
        let file = try read("[DEFAULT]\nname = default\n[a]\nname = own\nv = %(name)s\n[b]\nv = %(name)s\n")
        #expect(file["a"]?["v"]?.value == "own")
        #expect(file["b"]?["v"]?.value == "default")
    }

    @Test(arguments: [
        ("[s]\np = 50%\n", "'%' must be followed by '%' or '(key)s'"),
        ("[s]\np = %s\n", "'%' must be followed by '%' or '(key)s'"),
        ("[s]\np = %(open\n", "'%' must be followed by '%' or '(key)s'"),
        ("[s]\np = %(missing)s\n", "'%(missing)s' names no key of [s]"),
        ("[s]\na = %(b)s\nb = %(a)s\n", "nest more than 10 deep"),
    ])
    func badInterpolationNamesTheKeyAndLine(text: String, words: String) {
        let error = error(text)
        #expect(error?.message.contains(words) == true, "\(String(describing: error))")
        #expect(error?.line == 2)
        #expect(error?.key == (text.contains("a = %(b)s") ? "a" : "p"))
    }

    // MARK: duplicates and malformed lines

    @Test func aDuplicateSectionIsAnErrorAtItsSecondHeader() {
        let error = error("[db]\nhost = a\n[ocsp]\n[db]\n")
        #expect(error?.line == 4)
        #expect(error?.message == "section [db] appears twice")
    }

    /// Duplicates are found after keys are lowercased, as configparser's strict mode finds them.
    @Test func aDuplicateKeyIsAnErrorNamingItAndTheSection() {
        let error = error("[db]\nhost = a\nport = 1\nHOST = b\n")
        #expect(error?.line == 4)
        #expect(error?.key == "host")
        #expect(error?.description == "c.ini:4: key 'host': key appears twice in [db]")
    }

    @Test func theSameKeyInTwoSectionsIsFine() throws {
        let file = try read("[a]\nk = 1\n[b]\nk = 2\n")
        #expect(file["a"]?["k"]?.value == "1" && file["b"]?["k"]?.value == "2")
    }

    @Test(arguments: [
        ("host = a\n", 1, "key outside any [section]"),
        ("[db\n", 1, "section header must end with ']'"),
        ("[db]\njust words\n", 2, "expected 'key = value'"),
        ("[db]\n= value\n", 2, "empty key before '='"),
        ("[db]\n: value\n", 2, "empty key before ':'"),
    ])
    func malformedLinesNameTheLine(text: String, line: Int, message: String) {
        let error = error(text)
        #expect(error?.line == line)
        #expect(error?.message == message)
        #expect(error?.path == "c.ini")
    }

    /// Under sudo the caller may name any file as `--config`: what it is told quotes none of the file.
    @Test func theUntrustedCallerIsToldTheLineOnly() {
        let error = error("[db]\nsecret-from-a-key-file\n")
        #expect(error?.description.contains("secret-from-a-key-file") == false)
        #expect(error?.shownToUntrustedCaller == "c.ini:2: not a config this responder can use (run it as the service user to see why)")
        let duplicate = self.error("[db]\nhidden = 1\nhidden = 2\n")
        #expect(duplicate?.description.contains("hidden") == true)
        #expect(duplicate?.shownToUntrustedCaller.contains("hidden") == false)
    }
}
