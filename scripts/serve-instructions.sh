#!/usr/bin/env bash
# Instructions `serve` executes per answer (valgrind --tool=callgrind, whole process), for comparing
# builds: counts, unlike requests a second, do not depend on what else the machine is doing.
#
#   scripts/serve-instructions.sh [BIN ...]    # default: a release build of this tree (--static-swift-stdlib)
#
# Each BIN is an `ocsp-responder` with `ocsp-responder-commands` beside it (which runs `serve`). The store
# is an SQLite file with the cache; one event loop, two workers; `ab -k -c 4` POSTs one request without a
# nonce, answered from memory after the first (the cheapest answer, where a per-request cost weighs the
# most). Per answer = (instructions for N2 requests - for N1) / (N2 - N1), so start-up and shutdown cancel
# out. What remains varies by a few hundred instructions from run to run: the memory's entries are
# confirmed by a worker once a second, and valgrind's pace sets how many requests fall in that second.
#   OCSP_SERVE_INSTRUCTIONS_N1, _N2: the two request counts (default 2000 and 8000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }; }
need valgrind valgrind
need ab apache2-utils
need curl curl
if (($# == 0)); then
    swift build -c release --static-swift-stdlib >&2
    set -- "$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"
fi
n1=${OCSP_SERVE_INSTRUCTIONS_N1:-2000}
n2=${OCSP_SERVE_INSTRUCTIONS_N2:-8000}
work=$(mktemp -d /tmp/ocsp-serve-instructions.XXXXXX)
server=
cleanup() {
    [[ -n $server ]] && kill -TERM "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
bash scripts/make-pki.sh "$work/pki" >/dev/null
pki=$work/pki
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/good.pem" -no_nonce -reqout "$work/req.der" >/dev/null

count() {   # BIN REQUESTS: instructions of one `serve` run that answers REQUESTS (and a few to warm up)
    rm -rf "$work/run" && mkdir -p "$work/run/bin"
    printf '[db]\nbackend = sqlite\npath = %s/status.db\n\n[ocsp]\ncert = %s\npkey = %s\nproducetime = 1d\ncache = %s/cache\n\n[log]\nfile = %s/access.log\n' \
        "$work/run" "$pki/rsa/ca.pem" "$pki/rsa/ca.key" "$work/run" "$work/run" >"$work/run/config.ini"
    chmod 600 "$work/run/config.ini"
    "$1" db init --config "$work/run/config.ini" >/dev/null
    "$1" db add --config "$work/run/config.ini" "$pki/rsa/good.pem" >/dev/null
    # Valgrind 3.19 cannot read Swift's DWARF 5: it runs a copy without debug information.
    objcopy --strip-debug "$(dirname "$1")/ocsp-responder-commands" "$work/run/bin/ocsp-responder-commands"
    valgrind --tool=callgrind --callgrind-out-file="$work/run/callgrind.out" "$work/run/bin/ocsp-responder-commands" serve \
        --config "$work/run/config.ini" --listen "127.0.0.1:$port" --workers 2 --event-loops 1 >/dev/null 2>"$work/run/valgrind.txt" &
    server=$!
    local ready=0
    for _ in $(seq 300); do
        curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/live" && { ready=1; break; }
        sleep 0.2
    done
    ((ready)) || { echo "serve-instructions: serve did not start under valgrind ($work/run/valgrind.txt)" >&2; exit 1; }
    # Signed once, then kept in the file cache and in memory.
    for _ in 1 2 3; do
        curl -s -o /dev/null --max-time 30 -H 'Content-Type: application/ocsp-request' --data-binary "@$work/req.der" "http://127.0.0.1:$port/"
    done
    ab -q -k -n "$2" -c 4 -p "$work/req.der" -T application/ocsp-request "http://127.0.0.1:$port/" >"$work/run/ab.txt" 2>&1 || true
    grep -q "^Failed requests: *0$" "$work/run/ab.txt" && grep -q "^Complete requests: *$2$" "$work/run/ab.txt" ||
        { echo "serve-instructions: ab did not complete $2 requests:" >&2; cat "$work/run/ab.txt" >&2; exit 1; }
    kill -TERM "$server"
    wait "$server" || true
    server=
    awk '/^summary:/ {print $2}' "$work/run/callgrind.out"
}

printf '| binary | %s requests | %s requests | per answer |\n|---|---|---|---|\n' "$n1" "$n2"
for bin in "$@"; do
    first=$(count "$bin" "$n1")
    second=$(count "$bin" "$n2")
    printf '| %s | %s | %s | %s |\n' "$bin" "$first" "$second" "$(( (second - first) / (n2 - n1) ))"
done
