import ArgumentParser

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a certificate's status with its OCSP responder.")
    func run() throws { throw ExitCode(3) }
}
