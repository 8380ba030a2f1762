import OCSPRespond
import OCSPRuntime
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

let arguments = Array(CommandLine.arguments.dropFirst())
let invocation = Invocation.current
if invocation.isUntrusted { Invocation.clearEnvironment() }
if let options = RespondFastPath.options(from: arguments, bareNameIsRequestFile: invocation.isUntrusted) {
    exit(RespondRun.run(options))
}
var handedOver = arguments
if invocation.isUntrusted, let first = arguments.first, !RespondFastPath.untrustedCommandWords.contains(first) {
    // Under sudo only `respond` runs, so a first word that is not a command is the request file.
    handedOver.insert("respond", at: 0)
}
let failure = CommandsExecutable.execute(handedOver)
Console.printError(failure)
exit(ExitStatus.software)
