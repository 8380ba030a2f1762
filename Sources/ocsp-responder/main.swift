import OCSPRespond
import OCSPRuntime
import OCSPVersion
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The socket app's `respond` call runs here; every other command line is handed, unchanged, to
// `ocsp-responder-commands` beside this binary, which parses it with ArgumentParser.
//
// A caller on the other side of sudo (`Invocation`) gets a cleared environment and `respond` only:
// a sudoers rule wider than `scripts/setup.sh`'s (OCSP_MySql's was `ocsp.py*`) must not let it run
// `sign` with the service's key, `db revoke`, `resign --out`, `serve`, or `inspect` on the service's files.

// Statically linked (scripts/build-static.sh): users, groups and hosts from glibc's built-in sources only.
StaticLinking.useBuiltInNameServices()
let arguments = Array(CommandLine.arguments.dropFirst())
// Before the fast path, which under sudo takes a bare word for a request file: `version` is the command.
// Only the exact one-word forms; anything longer goes on as before. It says nothing a caller may not know.
if arguments.count == 1, arguments[0] == "--version" || arguments[0] == "version" {
    print(OCSPVersion.line)
    exit(0)
}
let invocation = Invocation.current
if invocation.isUntrusted { Invocation.clearEnvironment() }
if let options = RespondFastPath.options(from: arguments, bareNameIsRequestFile: invocation.isUntrusted) {
    exit(RespondRun.run(options))
}
if invocation.isUntrusted, let first = arguments.first, !Invocation.untrustedCommandWords.contains(first) {
    Console.printError(Invocation.refusal)
    exit(ExitStatus.noPermission)
}
let failure = CommandsExecutable.execute(arguments)
Console.printError(failure)
exit(ExitStatus.software)
