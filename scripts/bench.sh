#!/usr/bin/env bash
# The project's benchmarks, each against a peer in the same run (the machine is shared and noisy:
# compare ratios, not absolute times).
#
#   scripts/bench.sh            # prints one table; raw hyperfine JSON stays in the work folder
#
# 1. One-shot `respond` (cache miss: MariaDB over the unix socket, RSA-2048 signature) against
#    `openssl ocsp -index` one-shot, both on the same 10,000 certificates.
# 2. One-shot `respond` answered from the response cache (no query, no signature) against the same;
#    and answered from the cache after revalidating the kept response (`revalidate = 0`: one indexed
#    query, no signature) against that hit and against the miss. Sections 1 and 2 time the shipped
#    (dynamically linked) build and the fully static one (scripts/build-static.sh), each with its bars.
# 3. `resign` on 100,000 rows (RSA-2048 and P-256, --all, all cores) against the signature bound that
#    `openssl speed -multi CORES` measures in the same run; an incremental run with nothing due; peak
#    memory (GNU time's maximum RSS) at 100,000 rows and for a 1,000,000-row walk (--dry-run).
#
# 4. `serve` over HTTP against `openssl ocsp -port … -multi 2` (signs every request) and CFSSL's
#    `cfssl ocspserve` (pre-signed responses from `cfssl ocspsign`, held in memory): ab without
#    keep-alive for all three (a request without nonce, then one with a nonce), wrk with keep-alive for
#    serve and CFSSL (without nonce) and for serve with a nonce; the RSA-2048 signature bound
#    (`openssl speed -multi CORES`) in the same run.
#
#   OCSP_BENCH_RUNS, OCSP_BENCH_ROWS, OCSP_BENCH_RESIGN_ROWS, OCSP_BENCH_WALK_ROWS change the sizes;
#   OCSP_BENCH_AB_REQUESTS, OCSP_BENCH_AB_CONCURRENCY, OCSP_BENCH_WRK_SECONDS those of section 4.
#   OCSP_BENCH_SERVE_ARGS adds options to section 4's `serve` (e.g. `--event-loops 1`);
#   OCSP_BENCH_ONLY=respond|resign|serve runs one part alone (respond: sections 1 and 2);
#   OCSP_BENCH_SKIP_SERVE=1 leaves section 4 out; OCSP_BENCH_STATIC=0 leaves the static build out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
export DEBIAN_FRONTEND=noninteractive

only=${OCSP_BENCH_ONLY:-}
case "$only" in ""|respond|resign|serve) ;; *) echo "bench: OCSP_BENCH_ONLY is respond, resign or serve" >&2; exit 64 ;; esac
# True when the part named runs in this invocation.
part() { [[ -z "$only" || "$only" == "$1" ]] && ! [[ "$1" == serve && -n "${OCSP_BENCH_SKIP_SERVE:-}" ]]; }

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }; }
need hyperfine hyperfine
need mariadbd mariadb-server
if part serve; then
    need ab apache2-utils
    need wrk wrk
    need cfssl golang-cfssl
    need curl curl
fi
[[ -x /usr/bin/time ]] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }

rows=${OCSP_BENCH_ROWS:-10000}
runs=${OCSP_BENCH_RUNS:-300}

echo "building the release binary (static Swift runtime)..." >&2
swift build -c release --static-swift-stdlib >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"
static_bin=
if part respond && [[ "${OCSP_BENCH_STATIC:-1}" != 0 ]]; then
    echo "building the fully static respond program (scripts/build-static.sh)..." >&2
    static_bin=$(bash scripts/build-static.sh --product ocsp-responder | tail -n 1)
fi

work=$(mktemp -d /tmp/ocspbench.XXXXXX)
# shellcheck source=lib/mariadb.sh
source scripts/lib/mariadb.sh
# Servers section 4 starts, each in a process group of its own (setsid; `openssl ocsp -multi` makes its own
# and fails under setsid): its children outlive a SIGTERM to their parent, so the whole group is stopped, by its id.
server_pids=()
cleanup() {
    for pid in "${server_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${server_pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    mariadb_stop "$work/db" >/dev/null 2>&1 || true
    rm -rf "$work"/cache-*
}
trap cleanup EXIT

bash scripts/make-pki.sh "$work/pki" >&2
mkdir -p "$work/db"
mariadb_start "$work/db" >&2

# The same $rows certificates in MariaDB and in an `openssl ca` index; the benchmarked serial
# (good.pem, 0x1001) sits in the middle of both.
python3 - "$rows" "$work" <<'PY'
import sys
rows, work = int(sys.argv[1]), sys.argv[2]
serials = [0x100000 + i for i in range(rows - 1)]
serials.insert(len(serials) // 2, 0x1001)
with open(f"{work}/rows.sql", "w") as sql, open(f"{work}/index.txt", "w") as index:
    for start in range(0, len(serials), 1000):
        chunk = serials[start:start + 1000]
        sql.write("INSERT INTO list_certs (cert_num, cert, status) VALUES " +
                  ",".join(f"('{hex(s)}', 'x', 'Valid')" for s in chunk) + ";\n")
    for s in serials:
        index.write(f"V\t351231235959Z\t\t{s:X}\tunknown\t/CN=leaf-{s:x}\n")
PY
cat etc/schema.sql "$work/rows.sql" | mariadb --no-defaults --socket="$OCSP_TEST_MARIADB_SOCKET" -uroot "$OCSP_TEST_MARIADB_DB"

pki=$work/pki
cat > "$work/config.ini" <<INI
[db]
socket = $OCSP_TEST_MARIADB_SOCKET
db = $OCSP_TEST_MARIADB_DB
username = $OCSP_TEST_MARIADB_USER
password = $OCSP_TEST_MARIADB_PASSWORD

[ocsp]
cert = $pki/rsa/ca.pem
pkey = $pki/rsa/ca.key
producetime = 1d
INI
chmod 600 "$work/config.ini"
{ cat "$work/config.ini"; echo "cache = $work/cache"; } >"$work/config-cache.ini"
# The same cache, checked against the table on every request.
{ cat "$work/config-cache.ini"; echo "revalidate = 0"; } >"$work/config-revalidate.ini"
chmod 600 "$work/config-cache.ini" "$work/config-revalidate.ini"
openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/good.pem" -no_nonce -reqout "$work/req.der"

# Sanity: both answer, both verify, before anything is timed.
"$bin" respond --config "$work/config.ini" "$work/req.der" --out "$work/ours.der"
"$bin" respond --config "$work/config-cache.ini" "$work/req.der" --out "$work/cached.der"   # fills the cache
"$bin" respond --config "$work/config-revalidate.ini" "$work/req.der" --out "$work/revalidated.der"
cmp -s "$work/cached.der" "$work/revalidated.der" || { echo "bench: a revalidated answer is not the kept response" >&2; exit 1; }
verified=(ours cached revalidated theirs)
if [[ -n $static_bin ]]; then
    "$static_bin" respond --config "$work/config.ini" "$work/req.der" --out "$work/static.der"
    "$static_bin" respond --config "$work/config-cache.ini" "$work/req.der" --out "$work/static-cached.der"
    cmp -s "$work/cached.der" "$work/static-cached.der" || { echo "bench: the static build's hit is not the kept response" >&2; exit 1; }
    verified+=(static)
fi
openssl ocsp -index "$work/index.txt" -CA "$pki/rsa/ca.pem" -rsigner "$pki/rsa/ca.pem" -rkey "$pki/rsa/ca.key" \
    -reqin "$work/req.der" -respout "$work/theirs.der" >/dev/null 2>&1
for r in "${verified[@]}"; do
    openssl ocsp -respin "$work/$r.der" -CAfile "$pki/rsa/chain.pem" -verify_other "$pki/rsa/chain.pem" -no_nonce >/dev/null 2>"$work/$r.verify"
    grep -q "Response verify OK" "$work/$r.verify" || { echo "bench: $r response does not verify" >&2; exit 1; }
done

printf '\n| benchmark | ours | peer or bound | ratio | bar |\n|---|---|---|---|---|\n' >"$work/table.md"

# ---- 1 and 2. one-shot respond -------------------------------------------------------------------
if part respond; then
static_commands=()
if [[ -n $static_bin ]]; then
    static_commands=(-n "ocsp-responder respond, static build (MariaDB, RSA-2048)"
        "$static_bin respond --config $work/config.ini $work/req.der --out $work/static.der"
        -n "ocsp-responder respond, static build (cache hit)"
        "$static_bin respond --config $work/config-cache.ini $work/req.der --out $work/static-cached.der")
fi
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/respond.json" \
    -n "ocsp-responder respond (MariaDB, RSA-2048)" \
    "$bin respond --config $work/config.ini $work/req.der --out $work/ours.der" \
    -n "ocsp-responder respond (cache hit)" \
    "$bin respond --config $work/config-cache.ini $work/req.der --out $work/cached.der" \
    -n "openssl ocsp -index (one-shot, RSA-2048)" \
    "openssl ocsp -index $work/index.txt -CA $pki/rsa/ca.pem -rsigner $pki/rsa/ca.pem -rkey $pki/rsa/ca.key -reqin $work/req.der -respout $work/theirs.der" \
    -n "ocsp-responder respond (cache hit, revalidated: revalidate = 0)" \
    "$bin respond --config $work/config-revalidate.ini $work/req.der --out $work/revalidated.der" \
    ${static_commands[@]+"${static_commands[@]}"} >&2

python3 - "$work/respond.json" "$rows" >>"$work/table.md" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
ours, hit, theirs = results[0], results[1], results[2]
ms = lambda r: r["median"] * 1000
# The bars of issue 19: the shipped build (dynamically linked against Debian's OpenSSL and Connector/C)
# and the fully static one (scripts/build-static.sh), each against openssl's one-shot in this run.
rows = [("cache miss", "shipped build", ours, 0.55), ("cache hit", "shipped build", hit, 0.35)]
if len(results) > 5:
    rows += [("cache miss", "static build", results[4], 0.35), ("cache hit", "static build", results[5], 0.20)]
for kind, build, r, bar in rows:
    ratio = ms(r) / ms(theirs)
    met = "met" if ratio <= bar else "NOT met"
    print(f"| one-shot respond, {kind}, {build}, vs openssl ocsp -index, {sys.argv[2]} rows (median) | {ms(r):.2f} ms | {ms(theirs):.2f} ms | {ratio:.2f} | <= {bar:.2f}: {met} |")
# A revalidation is the hit plus one indexed query: it must cost a fraction of what a miss adds to a hit
# (the query and the signature).
revalidated = results[3]
added, miss_added = ms(revalidated) - ms(hit), ms(ours) - ms(hit)
print(f"| one-shot respond, revalidated hit (revalidate = 0) vs cache hit (median) | {ms(revalidated):.2f} ms | {ms(hit):.2f} ms | {ms(revalidated) / ms(hit):.2f} | reported |")
share = added / miss_added if miss_added > 0 else 0
print(f"| one-shot respond, what revalidation adds to a hit vs what a miss adds | {added:.2f} ms | {miss_added:.2f} ms | {share:.2f} | <= 0.5: {'met' if share <= 0.5 else 'NOT met'} |")
PY
fi

# ---- 3. resign -------------------------------------------------------------------------------
cores=$(nproc)
sql() { mariadb --no-defaults --socket="$OCSP_TEST_MARIADB_SOCKET" -uroot "$OCSP_TEST_MARIADB_DB" -e "$1"; }
if part resign; then
resign_rows=${OCSP_BENCH_RESIGN_ROWS:-100000}
walk_rows=${OCSP_BENCH_WALK_ROWS:-1000000}
# MariaDB's SEQUENCE engine makes the rows without shipping them: every tenth one revoked.
fill() {   # TABLE ROWS
    sql "CREATE TABLE $1 LIKE list_certs;
         INSERT INTO $1 (cert_num, cert, status, revocation_time, revocation_reason)
         SELECT CONCAT('0x', LOWER(HEX(seq))), 'x', IF(seq % 10 = 0, 'Revoked', 'Valid'),
                IF(seq % 10 = 0, '2026-01-01 00:00:00', NULL), IF(seq % 10 = 0, 'superseded', NULL)
         FROM seq_1048576_to_$((1048576 + $2 - 1));"
}
resign_config() {   # NAME TABLE KIND
    { sed -n '1,/^\[ocsp\]/p' "$work/config.ini" | sed '/^\[ocsp\]/d'; echo "table = $2"
      printf '[ocsp]\ncert = %s\npkey = %s\nproducetime = 1d\ncache = %s\n' "$pki/$3/ca.pem" "$pki/$3/ca.key" "$work/cache-$1"
    } >"$work/$1.ini"
    chmod 600 "$work/$1.ini"
}
echo "filling $resign_rows rows twice and $walk_rows once..." >&2
fill resign_rsa "$resign_rows"; fill resign_p256 "$resign_rows"; fill resign_walk "$walk_rows"
resign_config rsa resign_rsa rsa; resign_config p256 resign_p256 p256; resign_config walk resign_walk rsa

# The signature bound, on every core, in the same run.
openssl speed -seconds 3 -multi "$cores" rsa2048 ecdsap256 2>/dev/null >"$work/speed.txt"
timed() {   # OUTPUT ARGS...: GNU time's wall seconds, max RSS (KiB), user and system CPU seconds, then resign's JSON
    /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$bin" resign "$@" --json >"$work/resign.json"
    printf '%s %s\n' "$(cat "$work/time.txt")" "$(cat "$work/resign.json")"
}
echo "resign --all, RSA-2048..." >&2
timed --config "$work/rsa.ini" --all --jobs "$cores" >"$work/resign-rsa.txt"
echo "resign, nothing due..." >&2
timed --config "$work/rsa.ini" --jobs "$cores" >"$work/resign-incremental.txt"
echo "resign --all, P-256..." >&2
timed --config "$work/p256.ini" --all --jobs "$cores" >"$work/resign-p256.txt"
echo "resign --dry-run over $walk_rows rows..." >&2
timed --config "$work/walk.ini" --dry-run --jobs "$cores" >"$work/resign-walk.txt"
# Spot check: a sample of what was written verifies.
for f in $(ls "$work/cache-rsa" | head -n 20); do
    openssl ocsp -respin "$work/cache-rsa/$f" -CAfile "$pki/rsa/chain.pem" -verify_other "$pki/rsa/chain.pem" -no_nonce 2>&1 |
        grep -q "Response verify OK" || { echo "bench: $f does not verify" >&2; exit 1; }
done

python3 - "$work" "$cores" "$resign_rows" "$walk_rows" >>"$work/table.md" <<'PY'
import json, re, sys
work, cores, rows, walk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
speed = open(f"{work}/speed.txt").read()
rsa_bound = float(re.search(r"rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)", speed).group(1))
p256_bound = float(re.search(r"ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)", speed).group(1))
def load(name):
    seconds, rss, user, system, text = open(f"{work}/{name}.txt").read().split(" ", 4)
    return float(seconds), int(rss) / 1024, json.loads(text), float(user) + float(system)
for name, label, bound, bar in [("resign-rsa", "RSA-2048", rsa_bound, 0.8), ("resign-p256", "P-256", p256_bound, None)]:
    seconds, rss, result, cpu = load(name)
    rate = result["signed"] / seconds
    verdict = (f">= {bar}: {'met' if rate / bound >= bar else 'NOT met'}" if bar else "reported")
    print(f"| resign --all, {rows} rows, {label}, {cores} jobs (wall, incl. start-up and walk) | {rate:.0f} signed/s | "
          f"openssl speed -multi {cores}: {bound:.0f}/s | {rate / bound:.2f} | {verdict} |")
seconds, rss, result, _ = load("resign-incremental")
print(f"| resign, nothing due, {rows} rows | {seconds:.2f} s ({result['skipped']} kept) | | | < 5 s: {'met' if seconds < 5 else 'NOT met'} |")
for name, label in [("resign-rsa", f"--all, {rows} rows"), ("resign-walk", f"--dry-run, {walk} rows")]:
    seconds, rss, result, _ = load(name)
    print(f"| resign peak memory, {label} | {rss:.1f} MiB max RSS ({seconds:.1f} s) | | | < 100 MiB: {'met' if rss < 100 else 'NOT met'} |")
PY
fi

# ---- 4. serve over HTTP ------------------------------------------------------------------------
if part serve; then
ab_requests=${OCSP_BENCH_AB_REQUESTS:-20000}
ab_concurrency=${OCSP_BENCH_AB_CONCURRENCY:-16}
wrk_seconds=${OCSP_BENCH_WRK_SECONDS:-10}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {   # URL: until it answers an OCSP request, at most 10 s
    # A real request: `openssl ocsp -port -multi` stops listening after a request it cannot parse.
    for _ in $(seq 100); do
        curl -sf -o /dev/null --max-time 1 -H 'Content-Type: application/ocsp-request' --data-binary "@$work/req.der" "$1" && return 0
        sleep 0.1
    done
    echo "bench: nothing answers on $1" >&2; exit 1
}
openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/good.pem" -nonce -reqout "$work/req-nonce.der"

# serve: the MariaDB config with the response cache, its access log in a file as in production.
{ cat "$work/config-cache.ini"; printf '\n[log]\nfile = %s\n' "$work/serve-access.log"; } >"$work/config-serve.ini"
chmod 600 "$work/config-serve.ini"
serve_port=$(free_port)
# shellcheck disable=SC2086 # OCSP_BENCH_SERVE_ARGS is split into its options on purpose
setsid "$bin" serve --config "$work/config-serve.ini" --listen "127.0.0.1:$serve_port" ${OCSP_BENCH_SERVE_ARGS:-} 2>"$work/serve.err" &
serve_pid=$!
server_pids+=("$serve_pid")
# openssl: two processes, each signing every request, over the same certificates' index.
# It has no read timeout of its own (`-timeout` sets one): a connection that ab gives up on can hold one
# of its two processes for good, so each timed run gets a fresh server (start_openssl).
openssl_port=$(free_port)
openssl_pid=
start_openssl() {
    if [[ -n $openssl_pid ]]; then
        kill -TERM -- "-$openssl_pid" 2>/dev/null || true
        sleep 0.5
        kill -KILL -- "-$openssl_pid" 2>/dev/null || true
        wait "$openssl_pid" 2>/dev/null || true
    fi
    openssl ocsp -index "$work/index.txt" -port "$openssl_port" -CA "$pki/rsa/ca.pem" -rsigner "$pki/rsa/ca.pem" \
        -rkey "$pki/rsa/ca.key" -ndays 1 -timeout 5 -multi 2 >>"$work/openssl-server.log" 2>&1 &
    openssl_pid=$!
    server_pids+=("$openssl_pid")
}
start_openssl
# CFSSL: the response for good.pem signed once by `cfssl ocspsign` (it reads only traditional RSA keys),
# then served from memory.
openssl pkey -in "$pki/rsa/ca.key" -traditional -out "$work/ca-traditional.key"
cfssl ocspsign -ca "$pki/rsa/ca.pem" -responder "$pki/rsa/ca.pem" -responder-key "$work/ca-traditional.key" \
    -cert "$pki/rsa/good.pem" -status good -interval 24h -loglevel 5 >"$work/cfssl-sign.out"
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ocspResponse"])' "$work/cfssl-sign.out" >"$work/cfssl-responses.txt"
cfssl_port=$(free_port)
setsid cfssl ocspserve -address 127.0.0.1 -port "$cfssl_port" -responses "$work/cfssl-responses.txt" -loglevel 5 >"$work/cfssl-server.log" 2>&1 &
server_pids+=($!)
declare -A url=([serve]="http://127.0.0.1:$serve_port/" [openssl]="http://127.0.0.1:$openssl_port/" [cfssl]="http://127.0.0.1:$cfssl_port/")
wait_http "${url[serve]}"; wait_http "${url[openssl]}"; wait_http "${url[cfssl]}"

# Before anything is timed: one answer of each server to each request, verified by openssl (signature,
# chain, the request's nonce echoed) and by Python's cryptography (signature, status good, nonce).
python3 -c '
import sys
from cryptography import x509
from cryptography.x509 import ocsp
print(ocsp.load_der_ocsp_request(open(sys.argv[1], "rb").read()).extensions.get_extension_for_class(x509.OCSPNonce).value.nonce.hex())
' "$work/req-nonce.der" >"$work/req-nonce.hex"
for server in serve openssl cfssl; do
    for kind in plain nonce; do
        request=$work/req.der; [[ $kind == nonce ]] && request=$work/req-nonce.der
        answer=$work/http-$server-$kind.der
        curl -s --max-time 10 -o "$answer" -H 'Content-Type: application/ocsp-request' --data-binary "@$request" "${url[$server]}"
        openssl ocsp -respin "$answer" -reqin "$request" -issuer "$pki/rsa/ca.pem" -CAfile "$pki/rsa/chain.pem" \
            -verify_other "$pki/rsa/chain.pem" -resp_text >"$work/http-$server-$kind.txt" 2>&1 || true
        verdict=verified
        if ! grep -q "Response verify OK" "$work/http-$server-$kind.txt" || ! grep -q "Cert Status: good" "$work/http-$server-$kind.txt"; then
            verdict="does not verify"
        elif [[ $kind == nonce ]] && grep -q "WARNING: no nonce in response" "$work/http-$server-$kind.txt"; then
            verdict="no nonce"
        else
            python3 scripts/peer-verify.py "$answer" --issuer "$pki/rsa/ca.pem" >"$work/http-$server-$kind.json"
            python3 - "$work/http-$server-$kind.json" "$kind" "$(cat "$work/req-nonce.hex")" <<'PY' || verdict="rejected by Python's cryptography"
import json, sys
answer, kind, nonce = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
assert answer["response_status"] == "SUCCESSFUL" and answer["signature_valid"], answer
assert [r["cert_status"] for r in answer["responses"]] == ["GOOD"], answer
# The nonce is echoed as RFC 9654 has it: an OCTET STRING around the request's octets.
assert kind != "nonce" or nonce in (answer["nonce_hex"] or ""), answer
PY
        fi
        echo "$server $kind: $verdict" >>"$work/http-verified.txt"
        if [[ $verdict != verified && ! ($server == cfssl && $kind == nonce && $verdict == "no nonce") ]]; then
            echo "bench: $server's answer to the $kind request: $verdict ($work/http-$server-$kind.txt)" >&2; exit 1
        fi
    done
done

# The same load for every server; the load generator runs on the same cores as the servers.
loadab() {   # NAME SERVER REQUEST: ab without keep-alive, POST
    echo "ab -n $ab_requests -c $ab_concurrency, $2, $1..." >&2
    if [[ $2 == openssl ]]; then start_openssl; wait_http "${url[openssl]}"; fi
    # ab's own CPU time (GNU time) and, for serve, the server's (/proc/PID/stat): what a request costs
    # the two cores besides the signature, for the ceiling below.
    local before=0
    [[ $2 == serve ]] && before=$(cpu_ticks "$serve_pid")
    /usr/bin/time -f "%U %S" -o "$work/abcpu-$2-$1.txt" \
        ab -r -n "$ab_requests" -c "$ab_concurrency" -p "$3" -T application/ocsp-request "${url[$2]}" >"$work/ab-$2-$1.txt" 2>&1 || true
    [[ $2 == serve ]] && echo $(( $(cpu_ticks "$serve_pid") - before )) >"$work/servecpu-$1.txt"
    return 0
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # PID: user + system clock ticks so far
for kind in plain nonce; do
    request=$work/req.der; [[ $kind == nonce ]] && request=$work/req-nonce.der
    printf 'local file = assert(io.open("%s", "rb"))\nwrk.method = "POST"\nwrk.body = file:read("*a")\nfile:close()\nwrk.headers["Content-Type"] = "application/ocsp-request"\n' \
        "$request" >"$work/post-$kind.lua"
done
loadwrk() {   # SERVER [nonce]: wrk with keep-alive, POST without nonce (or with the nonce request: wrk-SERVER-nonce.txt)
    local kind=${2:-plain} out=$work/wrk-$1.txt
    [[ $kind == nonce ]] && out=$work/wrk-$1-nonce.txt
    echo "wrk -t1 -c32 -d${wrk_seconds}s, $1, $kind..." >&2
    wrk -t1 -c32 -d"${wrk_seconds}s" -s "$work/post-$kind.lua" "${url[$1]}" >"$out" 2>&1 || true
}
for server in serve openssl cfssl; do loadab plain "$server" "$work/req.der"; done
for server in serve cfssl; do loadwrk "$server"; done
# The signature bound on every core, just before and just after the signed-every-time runs: the higher
# of the two is the bar's (the machine is shared, and a busy moment must not lower the bar).
openssl speed -seconds 3 -multi "$cores" rsa2048 2>/dev/null >"$work/speed-serve-1.txt"
for server in serve openssl; do loadab nonce "$server" "$work/req-nonce.der"; done
loadwrk serve nonce
openssl speed -seconds 3 -multi "$cores" rsa2048 2>/dev/null >"$work/speed-serve-2.txt"

python3 - "$work" "$ab_requests" "$ab_concurrency" "$wrk_seconds" "$cores" >>"$work/table.md" <<'PY'
import os, re, sys
work, requests, concurrency, seconds, cores = sys.argv[1:]
def number(pattern, text, default=None):
    found = re.search(pattern, text)
    return float(found.group(1)) if found else default
def ab(name):
    text = open(f"{work}/ab-{name}.txt").read()
    rate = number(r"Requests per second:\s+([\d.]+)", text, 0.0)
    done = number(r"Complete requests:\s+(\d+)", text, 0)
    # ab aborts on some errors; what it did not complete counts as failed.
    failed = number(r"Failed requests:\s+(\d+)", text, 0) + (int(requests) - done)
    return rate, int(failed), int(number(r"Non-2xx responses:\s+(\d+)", text, 0))
def wrk(name):
    text = open(f"{work}/wrk-{name}.txt").read()
    rate = number(r"Requests/sec:\s+([\d.]+)", text, 0.0)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return rate, sum(map(int, errors.groups())) if errors else 0, int(number(r"Non-2xx or 3xx responses:\s+(\d+)", text, 0))
bound = max(number(r"rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)", open(f"{work}/speed-serve-{n}.txt").read()) for n in (1, 2))
show = lambda r: f"{r[0]:,.0f} req/s ({r[1]} failed, {r[2]} non-2xx)"
verdict = lambda ok: "met" if ok else "NOT met"
abload = f"ab -n {requests} -c {concurrency}, no keep-alive, POST"
wrkload = f"wrk -t1 -c32 -d{seconds}s, keep-alive, POST"
ours_ab, openssl_ab, cfssl_ab = ab("serve-plain"), ab("openssl-plain"), ab("cfssl-plain")
ours_wrk, cfssl_wrk = wrk("serve"), wrk("cfssl")
ours_nonce, openssl_nonce = ab("serve-nonce"), ab("openssl-nonce")
ours_nonce_wrk = wrk("serve-nonce")
rows = [
    (f"serve, no nonce, {abload} vs openssl ocsp -port -multi 2", ours_ab, show(openssl_ab), ours_ab[0] / max(openssl_ab[0], 1), ">= 3", ours_ab[0] >= 3 * openssl_ab[0]),
    (f"serve, no nonce, {abload} vs cfssl ocspserve", ours_ab, show(cfssl_ab), ours_ab[0] / max(cfssl_ab[0], 1), ">= 1.5", ours_ab[0] >= 1.5 * cfssl_ab[0]),
    (f"serve, no nonce, {wrkload} vs openssl ocsp -port (ab above: it closes every connection)", ours_wrk, show(openssl_ab), ours_wrk[0] / max(openssl_ab[0], 1), ">= 3", ours_wrk[0] >= 3 * openssl_ab[0]),
    (f"serve, no nonce, {wrkload} vs cfssl ocspserve", ours_wrk, show(cfssl_wrk), ours_wrk[0] / max(cfssl_wrk[0], 1), ">= 1.5", ours_wrk[0] >= 1.5 * cfssl_wrk[0]),
    (f"serve, nonce, {abload} vs openssl ocsp -port -multi 2", ours_nonce, show(openssl_nonce), ours_nonce[0] / max(openssl_nonce[0], 1), ">= 1.2", ours_nonce[0] >= 1.2 * openssl_nonce[0]),
    (f"serve, nonce, {wrkload} vs RSA-2048 bound (openssl speed -multi {cores})", ours_nonce_wrk, f"{bound:,.0f} signs/s (the higher of two, before and after)", ours_nonce_wrk[0] / bound, ">= 0.85", ours_nonce_wrk[0] >= 0.85 * bound),
    (f"serve, nonce, {abload} vs RSA-2048 bound (openssl speed -multi {cores})", ours_nonce, f"{bound:,.0f} signs/s (the higher of two, before and after)", ours_nonce[0] / bound, ">= 0.8", ours_nonce[0] >= 0.8 * bound),
]
for name, ours, peer, ratio, bar, ok in rows:
    print(f"| {name} | {show(ours)} | {peer} | {ratio:.2f} | {bar + ': ' + verdict(ok) if bar else 'reported'} |")
print(f"| serve, nonce, vs cfssl ocspserve | {show(ours_nonce)} | n/a: answers a nonce request with its pre-signed response, no nonce | | |")
# What a nonce request costs the cores besides its signature, measured in this run: ab's CPU per request
# (it runs on the same cores) and serve's. The ceiling is what a server that spent nothing but the
# signature could answer here with ab beside it: cores / (ab's CPU per request + one signature's CPU).
def serve_cpu_per_request(kind):   # seconds of CPU serve spent per request of the ab run `kind`
    return float(open(f"{work}/servecpu-{kind}.txt").read()) / os.sysconf("SC_CLK_TCK") / int(requests)
ab_cpu = sum(map(float, open(f"{work}/abcpu-serve-nonce.txt").read().split()[-2:])) / int(requests)
serve_cpu = serve_cpu_per_request("nonce")
signature = int(cores) / bound
ceiling = int(cores) / (ab_cpu + signature)
print(f"| serve, nonce: CPU per request (ab, serve; one signature = {signature * 1e6:.0f} µs of a core) | ab {ab_cpu * 1e6:.0f} µs, serve {serve_cpu * 1e6:.0f} µs | | | reported |")
print(f"| ceiling for any server with ab on the same {cores} cores: cores / (ab's CPU + one signature) | {ceiling:,.0f} req/s | {bound:,.0f} signs/s | {ceiling / bound:.2f} | reported: the 0.8 bar is {'within' if ceiling >= 0.8 * bound else 'above'} it |")
# The same with serve's own cost of a connection: its CPU per request without nonce (answered from memory).
connection = serve_cpu_per_request("plain")
with_connection = int(cores) / (ab_cpu + signature + connection)
print(f"| the same, plus serve's CPU per request without nonce ({connection * 1e6:.0f} µs: accept, HTTP, close) | {with_connection:,.0f} req/s | {bound:,.0f} signs/s | {with_connection / bound:.2f} | reported |")
errors = sum(r[1] + r[2] for r in (ours_ab, ours_wrk, ours_nonce, ours_nonce_wrk))
print(f"| serve under load: failed or non-2xx answers (the runs above) | {errors} | | | 0: {verdict(errors == 0)} |")
PY
fi

echo "raw results: $work" >&2
cat "$work/table.md"
