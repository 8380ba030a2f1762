#!/usr/bin/env bash
# Instructions one `respond` process executes (valgrind --tool=callgrind, whole process), for comparing
# builds: counts, unlike times, do not depend on what else the machine is doing.
#
#   scripts/instructions.sh [BIN ...]    # default: a release build of this tree (--static-swift-stdlib)
#
# Each BIN is an `ocsp-responder` (with `ocsp-responder-commands` beside it, if it has one); the store is
# an SQLite file made with the first BIN. Rows: a cache hit, a revalidated hit (`revalidate = 0`: one
# query, no signature), a miss (query and RSA-2048 signature, no cache), a malformed request.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v valgrind >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q valgrind >/dev/null; }
if (($# == 0)); then
    swift build -c release --static-swift-stdlib >&2
    set -- "$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"
fi
work=$(mktemp -d /tmp/ocsp-instructions.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash scripts/make-pki.sh "$work/pki" >/dev/null
pki=$work/pki
config() {   # NAME EXTRA-LINES
    printf '[db]\nbackend = sqlite\npath = %s/status.db\n\n[ocsp]\ncert = %s\npkey = %s\nproducetime = 1d\n%s\n' \
        "$work" "$pki/rsa/ca.pem" "$pki/rsa/ca.key" "$2" >"$work/$1.ini"
    chmod 600 "$work/$1.ini"
}
config miss ""
config hit "cache = $work/cache"
config revalidate "cache = $work/cache
revalidate = 0"
"$1" db init --config "$work/miss.ini" >/dev/null
"$1" db add --config "$work/miss.ini" "$pki/rsa/good.pem" >/dev/null
openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/good.pem" -no_nonce -reqout "$work/req.der" >/dev/null
printf 'not DER' >"$work/bad.der"

count() {   # BIN CONFIG REQUEST: instructions of one `respond` run
    # Valgrind 3.19 cannot read Swift's DWARF 5: it runs a copy without debug information.
    local copy=$work/bin/$(basename "$1")
    callgrind_out=$work/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$callgrind_out" "$copy" respond --config "$work/$2.ini" \
        "$3" --out "$work/out.der" >/dev/null 2>"$work/valgrind.txt" || true
    awk '/^summary:/ {print $2}' "$callgrind_out"
}
printf '| binary | cache hit | revalidated hit | miss (sign) | malformed |\n|---|---|---|---|---|\n'
for bin in "$@"; do
    rm -rf "$work/bin" && mkdir -p "$work/bin"
    objcopy --strip-debug "$bin" "$work/bin/ocsp-responder"
    [[ -x "$(dirname "$bin")/ocsp-responder-commands" ]] && objcopy --strip-debug "$(dirname "$bin")/ocsp-responder-commands" "$work/bin/ocsp-responder-commands"
    "$bin" respond --config "$work/hit.ini" "$work/req.der" --out "$work/out.der"   # fills the cache
    printf '| %s | %s | %s | %s | %s |\n' "$bin" \
        "$(count "$bin" hit "$work/req.der")" "$(count "$bin" revalidate "$work/req.der")" \
        "$(count "$bin" miss "$work/req.der")" "$(count "$bin" miss "$work/bad.der")"
    rm -rf "$work/cache"
done
