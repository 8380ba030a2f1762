#if canImport(Glibc)
import Glibc
#endif

extension FuzzHarness {
    /// A fuzz target's main. Built by scripts/fuzz.sh with -sanitize=fuzzer,address -D FUZZING, it hands
    /// libFuzzer's driver `entry` (SwiftPM links executables through their own main, so libFuzzer's is not
    /// used). In a plain `swift build`, it is a replay tool: each file named on the command line goes
    /// through `entry`, to reproduce a finding under a debugger; `--write-seeds DIR` writes `seeds`.
    package static func main(_ entry: @escaping ([UInt8]) -> Void, seeds: () -> [Seed] = FuzzHarness.seeds) -> Never {
        #if FUZZING
        fuzzEntry = entry
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        replay(arguments: Array(CommandLine.arguments.dropFirst()), seeds: seeds, entry)
        exit(0)
        #endif
    }
}

#if FUZZING
/// Set once by `main` before the driver starts; libFuzzer calls back on that same thread.
nonisolated(unsafe) private var fuzzEntry: ([UInt8]) -> Void = { _ in }

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Also exported under libFuzzer's own name, which its driver's objects refer to.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzEntry(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#endif
