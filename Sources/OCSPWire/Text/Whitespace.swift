extension StringProtocol {
    /// Without the spaces and tabs around it: the optional whitespace around an HTTP header field value
    /// (RFC 9110 §5.5), or a field of a /proc file.
    package var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
