/// The one place the version is set; both programs print `line` for `--version` and `version`.
///
/// `gitDescription` comes from the `GitDescription` build-tool plugin (`git describe --tags --always
/// --dirty` of the checkout being built, nil when it is built from a tarball or without git), so a
/// binary built from a clone says which commit it is, and one from a release archive still has its number.
public enum OCSPVersion {
    /// X.Y.Z; the minor number follows the issue the release closed (0.18.0: issue 18).
    public static let number = "0.18.0"

    public static let gitDescription: String? = generatedGitDescription

    /// `ocsp-responder 0.18.0` or `ocsp-responder 0.18.0 (60fedf8-dirty)`.
    public static var line: String {
        guard let gitDescription, !gitDescription.isEmpty else { return "ocsp-responder \(number)" }
        return "ocsp-responder \(number) (\(gitDescription))"
    }
}
