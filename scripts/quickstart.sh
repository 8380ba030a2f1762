#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine (as root, Swift installed), install what is
# missing, build, make a demo PKI and a throwaway MariaDB with a good and a revoked certificate,
# answer a request for each with `ocsp-responder respond`, and show openssl's verdict on both.
#
#   scripts/quickstart.sh [FOLDER]      # default FOLDER: ./quickstart (everything is left there)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
folder=$(realpath -m "${1:-$root/quickstart}")
export DEBIAN_FRONTEND=noninteractive
say() { printf '\n==> %s\n' "$*"; }

missing=()
for p in libssl-dev libmariadb-dev mariadb-server mariadb-client openssl pkg-config; do
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
cp "$bin" "$folder/ocsp-responder"
say "making a demo PKI in $folder/pki"
bash scripts/make-pki.sh "$folder/pki"
pki=$folder/pki

say "starting a throwaway MariaDB in $folder/db"
# The socket path must stay short (unix sockets allow ~107 bytes), so the server runs from /tmp
# and its files are moved into the folder when it stops.
# shellcheck source=lib/mariadb.sh
source scripts/lib/mariadb.sh
db=$(mktemp -d /tmp/ocspqs.XXXXXX)
stop() { mariadb_stop "$db" >/dev/null 2>&1 || true; rm -rf "$folder/db"; mv "$db" "$folder/db" 2>/dev/null || true; }
trap stop EXIT
mariadb_start "$db"
mariadb --socket="$OCSP_TEST_MARIADB_SOCKET" -u"$OCSP_TEST_MARIADB_USER" -p"$OCSP_TEST_MARIADB_PASSWORD" \
    "$OCSP_TEST_MARIADB_DB" < etc/schema.sql
mariadb --socket="$OCSP_TEST_MARIADB_SOCKET" -u"$OCSP_TEST_MARIADB_USER" -p"$OCSP_TEST_MARIADB_PASSWORD" \
    "$OCSP_TEST_MARIADB_DB" -e "
    INSERT INTO list_certs (cert_num, cert, status) VALUES ('0x1001', 'demo', 'Valid');
    INSERT INTO list_certs (cert_num, revocation_time, revocation_reason, cert, status)
      VALUES ('0x1002', UTC_TIMESTAMP(), 'key_compromise', 'demo', 'Revoked');"

cat > "$folder/config.ini" <<INI
[db]
socket = $OCSP_TEST_MARIADB_SOCKET
db = $OCSP_TEST_MARIADB_DB
username = $OCSP_TEST_MARIADB_USER
password = $OCSP_TEST_MARIADB_PASSWORD

[ocsp]
cert = $pki/rsa/ca.pem
pkey = $pki/rsa/ca.key
producetime = 1d

[log]
file = $folder/ocsp-responder.log
level = info
INI
chmod 600 "$folder/config.ini"

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
say "the log"
sed 's/^/    /' "$folder/ocsp-responder.log"
say "done: everything is in $folder"
exit "$status"
