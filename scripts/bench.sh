#!/usr/bin/env bash
# The project's benchmarks, each against a peer in the same run (the machine is shared and noisy:
# compare ratios, not absolute times).
#
#   scripts/bench.sh            # prints one table; raw hyperfine JSON stays in the work folder
#
# 1. One-shot `respond` (cache miss: MariaDB over the unix socket, RSA-2048 signature) against
#    `openssl ocsp -index` one-shot, both on the same 10,000 certificates.
# 2. One-shot `respond` answered from the response cache (no query, no signature) against the same.
# 3. `resign` on 100,000 rows (RSA-2048 and P-256, --all, all cores) against the signature bound that
#    `openssl speed -multi CORES` measures in the same run; an incremental run with nothing due; peak
#    memory (GNU time's maximum RSS) at 100,000 rows and for a 1,000,000-row walk (--dry-run).
#
#   OCSP_BENCH_RUNS, OCSP_BENCH_ROWS, OCSP_BENCH_RESIGN_ROWS, OCSP_BENCH_WALK_ROWS change the sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
export DEBIAN_FRONTEND=noninteractive

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }; }
need hyperfine hyperfine
need mariadbd mariadb-server
[[ -x /usr/bin/time ]] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }

rows=${OCSP_BENCH_ROWS:-10000}
runs=${OCSP_BENCH_RUNS:-300}

echo "building the release binary (static Swift runtime)..." >&2
swift build -c release --static-swift-stdlib >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"

work=$(mktemp -d /tmp/ocspbench.XXXXXX)
# shellcheck source=lib/mariadb.sh
source scripts/lib/mariadb.sh
cleanup() { mariadb_stop "$work/db" >/dev/null 2>&1 || true; rm -rf "$work"/cache-*; }
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
chmod 600 "$work/config-cache.ini"
openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/good.pem" -no_nonce -reqout "$work/req.der"

# Sanity: both answer, both verify, before anything is timed.
"$bin" respond --config "$work/config.ini" "$work/req.der" --out "$work/ours.der"
"$bin" respond --config "$work/config-cache.ini" "$work/req.der" --out "$work/cached.der"   # fills the cache
openssl ocsp -index "$work/index.txt" -CA "$pki/rsa/ca.pem" -rsigner "$pki/rsa/ca.pem" -rkey "$pki/rsa/ca.key" \
    -reqin "$work/req.der" -respout "$work/theirs.der" >/dev/null 2>&1
for r in ours cached theirs; do
    openssl ocsp -respin "$work/$r.der" -CAfile "$pki/rsa/chain.pem" -verify_other "$pki/rsa/chain.pem" -no_nonce >/dev/null 2>"$work/$r.verify"
    grep -q "Response verify OK" "$work/$r.verify" || { echo "bench: $r response does not verify" >&2; exit 1; }
done

hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/respond.json" \
    -n "ocsp-responder respond (MariaDB, RSA-2048)" \
    "$bin respond --config $work/config.ini $work/req.der --out $work/ours.der" \
    -n "ocsp-responder respond (cache hit)" \
    "$bin respond --config $work/config-cache.ini $work/req.der --out $work/cached.der" \
    -n "openssl ocsp -index (one-shot, RSA-2048)" \
    "openssl ocsp -index $work/index.txt -CA $pki/rsa/ca.pem -rsigner $pki/rsa/ca.pem -rkey $pki/rsa/ca.key -reqin $work/req.der -respout $work/theirs.der" \
    >&2

python3 - "$work/respond.json" "$rows" >"$work/table.md" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
ours, hit, theirs = results[0], results[1], results[2]
ms = lambda r: r["median"] * 1000
print()
print(f"| benchmark ({sys.argv[2]} rows) | ours median | peer median | ratio ours/peer | bar |")
print("|---|---|---|---|---|")
for name, r, bar, limit in [("one-shot respond, cache miss vs openssl ocsp -index", ours, 0.3, 10),
                            ("one-shot respond, cache hit vs openssl ocsp -index", hit, 0.2, 5)]:
    ratio = ms(r) / ms(theirs)
    met = "met" if ratio <= bar and ms(r) < limit else "NOT met"
    print(f"| {name} | {ms(r):.2f} ms | {ms(theirs):.2f} ms | {ratio:.2f} | <= {bar:.2f} and < {limit} ms: {met} |")
PY
echo "raw results: $work" >&2

# ---- 3. resign -------------------------------------------------------------------------------
resign_rows=${OCSP_BENCH_RESIGN_ROWS:-100000}
walk_rows=${OCSP_BENCH_WALK_ROWS:-1000000}
cores=$(nproc)
sql() { mariadb --no-defaults --socket="$OCSP_TEST_MARIADB_SOCKET" -uroot "$OCSP_TEST_MARIADB_DB" -e "$1"; }
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
    # The same per CPU-second (resign's user + system time; openssl speed counts user time per process):
    # steadier than wall time when something else runs on the machine.
    per_cpu = result["signed"] / cpu
    print(f"| … per CPU-second | {per_cpu:.0f} signed/s | openssl speed per core: {bound / cores:.0f}/s | {per_cpu / (bound / cores):.2f} | |")
seconds, rss, result, _ = load("resign-incremental")
print(f"| resign, nothing due, {rows} rows | {seconds:.2f} s ({result['skipped']} kept) | | | < 5 s: {'met' if seconds < 5 else 'NOT met'} |")
for name, label in [("resign-rsa", f"--all, {rows} rows"), ("resign-walk", f"--dry-run, {walk} rows")]:
    seconds, rss, result, _ = load(name)
    print(f"| resign peak memory, {label} | {rss:.1f} MiB max RSS ({seconds:.1f} s) | | | < 100 MiB: {'met' if rss < 100 else 'NOT met'} |")
PY
cat "$work/table.md"
