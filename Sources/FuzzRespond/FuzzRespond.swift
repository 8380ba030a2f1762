import OCSPFuzzing
#if canImport(Glibc)
import Glibc
#endif

// Built two ways. By scripts/fuzz.sh with -sanitize=fuzzer,address -D FUZZING: main hands libFuzzer's
// driver the entry point below (SwiftPM links executables through their own main, so libFuzzer's is
// not used). By a plain `swift build`: a replay tool that runs each file named on the command line
// through the same code, to reproduce a finding under a debugger, and writes the seed corpus.
@main
struct FuzzRespond {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        FuzzHarness.replay(arguments: Array(CommandLine.arguments.dropFirst()), FuzzHarness.respond)
        #endif
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

// Also exported under libFuzzer's name, which its driver's objects refer to.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.respond(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#endif
