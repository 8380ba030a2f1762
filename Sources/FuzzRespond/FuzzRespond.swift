import OCSPFuzzing

/// The libFuzzer target over `FuzzHarness.respond` (scripts/fuzz.sh), or, in a plain build, its replay tool.
@main
struct FuzzRespond {
    static func main() {
        FuzzHarness.main(FuzzHarness.respond)
    }
}
