#!/usr/bin/env bash
# The project's benchmarks, each against a peer in the same run (the machine is shared and noisy:
# compare ratios, not absolute times).
#
#   scripts/bench.sh            # prints one table; raw hyperfine JSON stays in the work folder
#
# 1. One-shot `respond` (cache miss: MariaDB over the unix socket, RSA-2048 signature) against
#    `openssl ocsp -index` one-shot, both on the same 10,000 certificates.
# 2. One-shot `respond` answered from the response cache (no query, no signature) against the same.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
export DEBIAN_FRONTEND=noninteractive

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }; }
need hyperfine hyperfine
need mariadbd mariadb-server

rows=${OCSP_BENCH_ROWS:-10000}
runs=${OCSP_BENCH_RUNS:-300}

echo "building the release binary (static Swift runtime)..." >&2
swift build -c release --static-swift-stdlib >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"

work=$(mktemp -d /tmp/ocspbench.XXXXXX)
# shellcheck source=lib/mariadb.sh
source scripts/lib/mariadb.sh
cleanup() { mariadb_stop "$work/db" >/dev/null 2>&1 || true; }
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

python3 - "$work/respond.json" "$rows" <<'PY'
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
echo "raw results: $work/respond.json" >&2
