#!/usr/bin/env bash
# Fuzz the request parser and the whole answer path with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]     # default: 60 s for each of FuzzRequestParser FuzzRespond
#
# Seeds come from the harness (requests for its CA with every hash, nonce lengths around RFC 9654's
# limits, several CertIDs, a stored response), from openssl (requests for the test PKI), and from
# Tests/FuzzCorpus/TARGET/, which keeps every input that ever crashed or hung a target: the test suite
# replays those (FuzzRegressionTests). The working corpus grows in .build-fuzz/corpus/TARGET.
# A crash or a hang (> 10 s) stops the run, saves the input under .build-fuzz/findings/ and exits non-zero;
# copy it into Tests/FuzzCorpus/TARGET/ and fix the code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=60
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds=${2:?}; shift 2 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 64 ;;
        *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || targets=(FuzzRequestParser FuzzRespond)

scratch=.build-fuzz
mkdir -p "$scratch/findings"
# The plain build writes the harness's seeds; openssl adds requests for a real PKI.
swift build --product FuzzRespond >&2
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
"$(swift build --show-bin-path)/FuzzRespond" --write-seeds "$seeds"
bash scripts/make-pki.sh "$seeds/pki" >/dev/null
for args in "-sha1 -cert good.pem -no_nonce" "-sha256 -cert good.pem -nonce" "-cert good.pem -cert revoked.pem -cert topbit.pem -nonce"; do
    # shellcheck disable=SC2086
    (cd "$seeds/pki/rsa" && openssl ocsp -issuer ca.pem $args -reqout "$seeds/openssl-$RANDOM.der")
done
rm -rf "$seeds/pki"

status=0
for target in "${targets[@]}"; do
    echo "fuzz.sh: building $target with -sanitize=fuzzer,address" >&2
    swift build --scratch-path "$scratch" --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >&2
    binary="$(swift build --scratch-path "$scratch" --show-bin-path)/$target"
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    cp "$seeds"/*.der "$corpus/" 2>/dev/null || true
    [[ -d "Tests/FuzzCorpus/$target" ]] && cp "Tests/FuzzCorpus/$target"/* "$corpus/" 2>/dev/null || true
    echo "fuzz.sh: running $target for $seconds s" >&2
    if ! "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -artifact_prefix="$scratch/findings/$target-" -print_final_stats=1 2>"$scratch/$target.log"; then
        status=1
        echo "fuzz.sh: $target found something; see $scratch/findings/ and $scratch/$target.log" >&2
    fi
    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|cov: ' "$scratch/$target.log" |
        tail -n 5 | sed "s/^/fuzz.sh: $target: /" >&2
done
exit "$status"
