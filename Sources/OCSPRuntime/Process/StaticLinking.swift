internal import CLinux

/// What a statically linked build (`scripts/build-static.sh`) must do differently, decided once.
package enum StaticLinking {
    /// True when the kernel loaded no program interpreter (AT_BASE is 0): glibc, OpenSSL and Connector/C
    /// are linked in, and nothing may be dlopened.
    package static let isStatic = clinux_has_program_interpreter() == 0

    /// In a static process, the user, group, host and service look-ups use only what glibc has built in:
    /// `/etc/passwd`, `/etc/group`, `/etc/hosts` and DNS, `/etc/services`. Any other source in
    /// /etc/nsswitch.conf would be dlopened with the system's libc beside the one linked in. A no-op in
    /// a dynamically linked process. Call it first thing in `main`, before any look-up and any thread.
    package static func useBuiltInNameServices() {
        guard isStatic else { return }
        for (database, sources) in [("passwd", "files"), ("group", "files"), ("hosts", "files dns"), ("services", "files")] {
            _ = __nss_configure_lookup(database, sources)
        }
    }
}
