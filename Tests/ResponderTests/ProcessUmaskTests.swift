import Foundation
import OCSPRuntime
import Testing
import TestSupport

/// `FileIO.parsedUmask`: the `Umask:` line of `/proc/self/status`, scanned as bytes.
struct ProcessUmaskTests {
    @Test func theUmaskLineIsFoundWhereverItIs() {
        let status = Array("Name:\tocsp-responder\nUmask:\t0027\nState:\tR (running)\n".utf8)
        #expect(FileIO.parsedUmask(status) == 0o027)
        #expect(FileIO.parsedUmask(Array("Umask:\t0077".utf8)) == 0o077)
        #expect(FileIO.parsedUmask(Array("Name:\tx\nState:\tR\n".utf8)) == nil)
        #expect(FileIO.parsedUmask(Array("Umask:\tzz\n".utf8)) == nil)
        // A name that merely contains the key is not the line.
        #expect(FileIO.parsedUmask(Array("Name:\tUmask: 0777\nUmask:\t0022\n".utf8)) == 0o022)
    }

    @Test func theKernelsLineParses() throws {
        // A process of its own with a umask of its own: this test process's umask is left alone.
        let status = try run("/bin/sh", ["-c", "umask 0027; cat /proc/self/status"])
        #expect(FileIO.parsedUmask([UInt8](status.stdout)) == 0o027)
    }
}
