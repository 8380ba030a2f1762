import OCSPFuzzing

/// The libFuzzer target over `FuzzHarness.parseRequest` (scripts/fuzz.sh), or, in a plain build, its replay tool.
@main
struct FuzzRequestParser {
    static func main() {
        FuzzHarness.main(FuzzHarness.parseRequest)
    }
}
