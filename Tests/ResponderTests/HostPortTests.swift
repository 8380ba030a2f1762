import OCSPClient
import OCSPServer
import OCSPWire
import Testing

/// The one `host:port` parser, and the three places that read one: `serve --listen`, `check --host`
/// and `check`'s http:// URLs.
@Suite("host:port")
struct HostPortTests {
    @Test("Host names, IPv4 and bracketed IPv6, with and without a port")
    func forms() {
        #expect(HostPort(parsing: "ocsp.example") == HostPort(host: "ocsp.example", port: nil))
        #expect(HostPort(parsing: "ocsp.example:8080") == HostPort(host: "ocsp.example", port: 8080))
        #expect(HostPort(parsing: "192.0.2.7") == HostPort(host: "192.0.2.7", port: nil))
        #expect(HostPort(parsing: "192.0.2.7:443") == HostPort(host: "192.0.2.7", port: 443))
        #expect(HostPort(parsing: "[2001:db8::1]") == HostPort(host: "2001:db8::1", port: nil))
        #expect(HostPort(parsing: "[2001:db8::1]:443") == HostPort(host: "2001:db8::1", port: 443))
        #expect(HostPort(parsing: "[::1]:1") == HostPort(host: "::1", port: 1))
        #expect(HostPort(parsing: "localhost:65535")?.port == 65535)
        #expect(HostPort(parsing: "h:080")?.port == 80)
    }

    @Test("Missing, empty, signed, non-decimal and out-of-range ports are refused")
    func badPorts() {
        for text in ["host:", "[::1]:", "host:http", "host:+80", "host:-1", "host:8 0", "host:0x50", "host:65536",
                     "host:99999999999999999999", "host:0", "[::1]:0", "[::1]80", "[::1]x:80"] {
            #expect(HostPort(parsing: text) == nil, "\(text)")
        }
        // 0 is a port only where the range says so (a listener asking the kernel for one).
        #expect(HostPort(parsing: "host:0", ports: 0...65535)?.port == 0)
    }

    @Test("Empty hosts, unbracketed IPv6 and broken brackets are refused")
    func badHosts() {
        for text in ["", ":443", "[]", "[]:443", "::1", "2001:db8::1:443", "a:b:443", "[::1", "::1]", "[[::1]]:443",
                     "ho st:80", "a/b:80"] {
            #expect(HostPort(parsing: text) == nil, "\(text)")
        }
        #expect(HostPort(parsing: ":8080", allowsEmptyHost: true) == HostPort(host: "", port: 8080))
    }

    @Test("Written back with brackets around IPv6 and without a missing port")
    func text() {
        #expect(HostPort(host: "2001:db8::1", port: 443).text == "[2001:db8::1]:443")
        #expect(HostPort(host: "2001:db8::1", port: nil).text == "[2001:db8::1]")
        #expect(HostPort(host: "ocsp.example", port: nil).text == "ocsp.example")
        #expect(HostPort(host: "192.0.2.7", port: 80).text == "192.0.2.7:80")
        for text in ["ocsp.example", "ocsp.example:8080", "[2001:db8::1]:443", "[::1]"] {
            #expect(HostPort(parsing: text)?.text == text)
        }
    }

    @Test("serve --listen: a port is required, 0 allowed, an empty host is every address")
    func listen() {
        #expect(ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(ListenAddress(parsing: ":8080") == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(ListenAddress(parsing: "[::]:0") == ListenAddress(host: "::", port: 0))
        #expect(ListenAddress(parsing: "[::1]:8080")?.description == "[::1]:8080")
        for text in ["127.0.0.1", "[::1]", "::1:8080", "host:65536", "host:"] {
            #expect(ListenAddress(parsing: text) == nil, "\(text)")
        }
    }

    @Test("check's URLs: port 80 unless given, IPv6 in brackets, the Host header without :80")
    func urls() throws {
        let plain = try #require(HTTPFetch.URL(parsing: "http://ocsp.example"))
        #expect(plain.host == "ocsp.example" && plain.port == 80 && plain.target == "/")
        #expect(plain.description == "http://ocsp.example/")
        let v6 = try #require(HTTPFetch.URL(parsing: "HTTP://[2001:db8::1]:8080/ocsp?x=1"))
        #expect(v6.host == "2001:db8::1" && v6.port == 8080 && v6.target == "/ocsp?x=1")
        #expect(v6.description == "http://[2001:db8::1]:8080/ocsp?x=1")
        #expect(HTTPFetch.URL(parsing: "http://ocsp.example?q")?.target == "/?q")
        #expect(HTTPFetch.URL(parsing: "http://ocsp.example:80/")?.description == "http://ocsp.example/")
        for text in ["https://ocsp.example/", "http:///path", "http://:80/", "http://host:/", "http://host:0/",
                     "http://host:65536/", "http://2001:db8::1/", "http://[::1]x/"] {
            #expect(HTTPFetch.URL(parsing: text) == nil, "\(text)")
        }
    }
}
