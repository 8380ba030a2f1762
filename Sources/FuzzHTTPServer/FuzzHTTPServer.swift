import OCSPFuzzing
import OCSPServerFuzzing

/// The libFuzzer target over `HTTPFuzzHarness.serve` (scripts/fuzz.sh), or, in a plain build, its replay tool.
@main
struct FuzzHTTPServer {
    static func main() {
        FuzzHarness.main(HTTPFuzzHarness.serve, seeds: HTTPFuzzHarness.seeds)
    }
}
