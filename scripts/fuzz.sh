#!/usr/bin/env bash
# Fuzz the request parser, the whole answer path and serve's HTTP connections with libFuzzer and
# AddressSanitizer.
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]     # default: N = 60 s for each of
#                                                 # FuzzRequestParser FuzzRespond FuzzHTTPServer
#
# Seeds come from each target's harness (`TARGET --write-seeds DIR`: for the DER targets, requests for
# its CA with every hash, nonce lengths around RFC 9654's limits, several CertIDs, a stored response; for
# FuzzHTTPServer, those requests POSTed and in GET paths, and the rest of HTTP that serve answers), from
# openssl (requests for the test PKI; FuzzHTTPServer gets them POSTed and as GETs), and from
# Tests/FuzzCorpus/TARGET/, which keeps the seeds and every input that ever crashed or hung a target: the
# test suite replays those (FuzzRegressionTests). The working corpus grows in .build-fuzz/corpus/TARGET.
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
((${#targets[@]})) || targets=(FuzzRequestParser FuzzRespond FuzzHTTPServer)

scratch=.build-fuzz
mkdir -p "$scratch/findings"
# openssl makes requests for a real PKI; each target's plain build (its replay tool) writes its own seeds.
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir "$seeds/openssl"
bash scripts/make-pki.sh "$seeds/pki" >/dev/null
for args in "-sha1 -cert good.pem -no_nonce" "-sha256 -cert good.pem -nonce" "-cert good.pem -cert revoked.pem -cert topbit.pem -nonce"; do
    # shellcheck disable=SC2086
    (cd "$seeds/pki/rsa" && openssl ocsp -issuer ca.pem $args -reqout "$seeds/openssl/$RANDOM.der")
done
rm -rf "$seeds/pki"

# openssl's requests as HTTP clients send them: POSTed, and base64 in a GET path.
http_seeds() {
    local der name
    for der in "$seeds"/openssl/*.der; do
        name=$(basename "$der" .der)
        { printf 'POST /ocsp HTTP/1.1\r\nHost: ocsp.example\r\nContent-Type: application/ocsp-request\r\nContent-Length: %d\r\n\r\n' \
            "$(stat -c %s "$der")"; cat "$der"; } >"$1/openssl-post-$name.http"
        printf 'GET /%s HTTP/1.1\r\nHost: ocsp.example\r\n\r\n' "$(base64 -w0 "$der")" >"$1/openssl-get-$name.http"
    done
}

# Every target built first, then all of them run at once (one process each, on whatever cores there
# are): on 2 cores three 60 s runs take 60 s of the CI's time rather than 180 s.
status=0
pids=()
for target in "${targets[@]}"; do
    echo "fuzz.sh: building $target with -sanitize=fuzzer,address" >&2
    swift build --scratch-path "$scratch" --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >&2
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    swift build --product "$target" >&2
    "$(swift build --show-bin-path)/$target" --write-seeds "$corpus"
    if [[ "$target" == FuzzHTTPServer ]]; then http_seeds "$corpus"; else cp "$seeds"/openssl/*.der "$corpus/"; fi
    [[ -d "Tests/FuzzCorpus/$target" ]] && cp "Tests/FuzzCorpus/$target"/* "$corpus/" 2>/dev/null || true
done
bin_path=$(swift build --scratch-path "$scratch" --show-bin-path)
for target in "${targets[@]}"; do
    echo "fuzz.sh: running $target for $seconds s" >&2
    # A finding's input is written to findings/, and the exit status is non-zero.
    SWIFT_BACKTRACE=enable=no "$bin_path/$target" "$scratch/corpus/$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$scratch/findings/$target-" -print_final_stats=1 \
        2>"$scratch/$target.log" &
    pids+=("$!")
done
for index in "${!targets[@]}"; do
    target=${targets[$index]}
    if ! wait "${pids[$index]}"; then
        status=1
        echo "fuzz.sh: $target found something; see $scratch/findings/ and $scratch/$target.log" >&2
    fi
    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|cov: ' "$scratch/$target.log" |
        tail -n 5 | sed "s/^/fuzz.sh: $target: /" >&2
done
exit "$status"
