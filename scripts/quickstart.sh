#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine (as root, Swift installed), install what is
# missing, build, make a demo PKI and an SQLite store (no database server) holding a good and a revoked
# certificate, answer a request for each with `ocsp-responder respond`, and show openssl's verdict on both.
#
#   scripts/quickstart.sh [FOLDER]      # default FOLDER: ./quickstart (everything is left there)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
folder=$(realpath -m "${1:-$root/quickstart}")
export DEBIAN_FRONTEND=noninteractive
say() { printf '\n==> %s\n' "$*"; }

missing=()
for p in libssl-dev libmariadb-dev libsqlite3-dev openssl pkg-config; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
    ((EUID == 0)) || { echo "quickstart: please install: ${missing[*]}" >&2; exit 1; }
    say "installing ${missing[*]}"
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

say "building the release binary"
swift build -c release --static-swift-stdlib 2>&1 | tail -n 1
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"

rm -rf "$folder"
mkdir -p "$folder"
cp "$bin" "$bin-commands" "$folder/"   # ocsp-responder runs ocsp-responder-commands from beside it
say "making a demo PKI in $folder/pki"
bash scripts/make-pki.sh "$folder/pki"
pki=$folder/pki

cat > "$folder/config.ini" <<INI
[db]
backend = sqlite
path = $folder/status.db

[ocsp]
cert = $pki/rsa/ca.pem
pkey = $pki/rsa/ca.key
producetime = 1d
cache = $folder/cache

[log]
file = $folder/ocsp-responder.log
level = info
INI
chmod 600 "$folder/config.ini"

say "creating the SQLite store $folder/status.db with a good and a revoked certificate"
"$folder/ocsp-responder" db init --config "$folder/config.ini" | sed 's/^/    /'
"$folder/ocsp-responder" db add --config "$folder/config.ini" "$pki/rsa/good.pem" "$pki/rsa/revoked.pem" | sed 's/^/    /'
"$folder/ocsp-responder" db revoke --config "$folder/config.ini" 0x1002 --reason key_compromise | sed 's/^/    /'

status=0
for name in good revoked; do
    say "asking about $name.pem (openssl makes the request, ocsp-responder answers it)"
    openssl ocsp -issuer "$pki/rsa/ca.pem" -cert "$pki/rsa/$name.pem" -nonce -reqout "$folder/$name.req"
    cp "$folder/$name.req" "$folder/$name.der"
    "$folder/ocsp-responder" respond --config "$folder/config.ini" "$folder/$name.der" || status=1
    # -reqin makes openssl check the nonce; -verify_other finds the CA, which signs its own responses.
    openssl ocsp -respin "$folder/$name.der" -reqin "$folder/$name.req" -CAfile "$pki/rsa/chain.pem" \
        -verify_other "$pki/rsa/chain.pem" -resp_text 2>&1 |
        grep -E 'Serial Number|Cert Status|Revocation|This Update|Next Update|verify' | sed 's/^ */    openssl: /' || status=1
done
say "the same question as a pipeline: request | respond | inspect (ours, end to end)"
"$folder/ocsp-responder" request --issuer "$pki/rsa/ca.pem" --cert "$pki/rsa/revoked.pem" |
    "$folder/ocsp-responder" respond --config "$folder/config.ini" - |
    "$folder/ocsp-responder" inspect --issuer "$pki/rsa/ca.pem" - |
    grep -E 'Serial Number|Cert Status|Revocation Reason|Verification' | sed 's/^ */    /' || status=1

say "the log"
sed 's/^/    /' "$folder/ocsp-responder.log"
say "done: everything is in $folder"
exit "$status"
