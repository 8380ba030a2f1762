#!/usr/bin/env bash
# Load: 200 concurrent one-shot `respond` processes on a mix of cached and uncached CertIDs, then
# (where this build has it) `serve` under wrk for 60 s. Every failure counted, a sample of responses
# verified by openssl and Python cryptography, memory and open files reported.
#
#   scripts/load.sh [--processes N] [--seconds S]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
processes=200 seconds=60
while (($#)); do
    case "$1" in
        --processes) processes=${2:?}; shift 2 ;;
        --seconds) seconds=${2:?}; shift 2 ;;
        *) echo "load.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
export DEBIAN_FRONTEND=noninteractive
for tool in wrk:wrk /usr/bin/time:time; do
    command -v "${tool%%:*}" >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q "${tool##*:}" >/dev/null; }
done
swift build -c release --static-swift-stdlib >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"
work=$(mktemp -d /tmp/ocspload.XXXXXX)
echo "load.sh: working in $work" >&2
bash scripts/make-pki.sh "$work/pki" >/dev/null
pki=$work/pki
cat >"$work/config.ini" <<INI
[db]
backend = sqlite
path = $work/status.db
[ocsp]
cert = $pki/rsa/ca.pem
pkey = $pki/rsa/ca.key
cache = $work/cache
INI
chmod 600 "$work/config.ini"
"$bin" db init --config "$work/config.ini" >/dev/null
python3 - "$work/status.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executemany("INSERT INTO list_certs (cert_num, cert, status, revocation_time, revocation_reason) VALUES (?,?,?,?,?)",
              [("0x%x" % (0x60000 + i), b"x", "Revoked" if i % 5 == 0 else "Valid",
                "2026-01-01 00:00:00" if i % 5 == 0 else None, "superseded" if i % 5 == 0 else None) for i in range(1000)])
c.commit()
PY
# Half the CertIDs cached (resign, then every second file removed), half answered from the table.
"$bin" resign --config "$work/config.ini" --json >/dev/null
ls "$work/cache" | awk 'NR % 2 == 0' | sed "s|^|$work/cache/|" | xargs rm -f
mkdir -p "$work/req"
for ((i = 0; i < processes; i++)); do
    openssl ocsp -issuer "$pki/rsa/ca.pem" -serial "0x$(printf '%x' $((0x60000 + (i * 7) % 1000)))" \
        $( ((i % 4 == 0)) && echo -nonce || echo -no_nonce) -reqout "$work/req/$i.der" 2>/dev/null
    cp "$work/req/$i.der" "$work/req/$i.request"   # respond overwrites the .der with its response
done

echo "load.sh: $processes concurrent respond processes" >&2
start=$(date +%s.%N)
for ((i = 0; i < processes; i++)); do
    ( /usr/bin/time -f '%M' -o "$work/req/$i.rss" "$bin" respond --config "$work/config.ini" "$work/req/$i.der"; echo $? >"$work/req/$i.status" ) &
done
wait
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
failed=$(cat "$work"/req/*.status | grep -vc '^0$' || true)
max_rss=$(sort -n "$work"/req/*.rss | tail -n 1)
bad=0
for i in $(seq 0 $(( processes / 20 )) $((processes - 1))); do
    openssl ocsp -respin "$work/req/$i.der" -CAfile "$pki/rsa/chain.pem" -verify_other "$pki/rsa/chain.pem" -no_nonce 2>&1 |
        grep -q "Response verify OK" || bad=$((bad + 1))
done
sample=$(seq 0 $(( processes / 20 )) $((processes - 1)) | sed "s|.*|$work/req/&.der|")
# shellcheck disable=SC2086
python3 scripts/peer-verify.py $sample --issuer "$pki/rsa/ca.pem" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); r=r if isinstance(r,list) else [r]; sys.exit(0 if all(x["signature_valid"] for x in r) else 1)' ||
    bad=$((bad + 1))
printf '| %s concurrent `respond` (half cached, a quarter with nonce) | %.2f s wall | %s non-zero exits | max RSS %s KiB a process | sample of %s verified by openssl and Python: %s failures |\n' \
    "$processes" "$elapsed" "$failed" "$max_rss" "$(echo "$sample" | wc -l)" "$bad" | tee "$work/load.md"

if "$bin" serve --help >/dev/null 2>&1; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" serve --config "$work/config.ini" --listen "127.0.0.1:$port" 2>"$work/serve.log" &
    serve_pid=$!
    trap 'kill $serve_pid 2>/dev/null || true' EXIT
    for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
    path=$(python3 -c 'import base64,sys,urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1],"rb").read()).decode(), safe=""))' "$work/req/1.request")
    state() { echo "$(awk '/VmRSS/ {print $2}' /proc/$serve_pid/status) KiB RSS, $(ls /proc/$serve_pid/fd | wc -l) fds"; }
    before=$(state)
    wrk -t2 -c32 -d"${seconds}s" "http://127.0.0.1:$port/$path" >"$work/wrk.txt" 2>&1
    after=$(state)
    non2xx=$(grep -E 'Non-2xx' "$work/wrk.txt" | awk '{print $NF}' || true)
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    curl -s "http://127.0.0.1:$port/$path" -o "$work/served.der"
    # The very response wrk was served: signed, verified, about the serial asked.
    openssl ocsp -respin "$work/served.der" -reqin "$work/req/1.request" -CAfile "$pki/rsa/chain.pem" \
        -verify_other "$pki/rsa/chain.pem" -resp_text 2>&1 | grep -q "Response verify OK" || bad=$((bad + 1))
    python3 scripts/peer-verify.py "$work/served.der" --issuer "$pki/rsa/ca.pem" |
        python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["signature_valid"] else 1)' || bad=$((bad + 1))
    printf '| `serve` under wrk (2 threads, 32 connections, %s s, keep-alive) | %s requests/s | %s non-2xx | before: %s; after: %s | served response verified: %s failures |\n' \
        "$seconds" "$rps" "${non2xx:-0}" "$before" "$after" "$bad" | tee -a "$work/load.md"
fi
((failed == 0 && bad == 0))
