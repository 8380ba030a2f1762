#!/usr/bin/env bash
# Builds ocsp-responder and ocsp-responder-commands as fully static executables: the Swift runtime,
# glibc, OpenSSL, Connector/C, SQLite and zlib linked in, no dynamic loader at start-up. Opt-in: the
# shipped build (`swift build -c release --static-swift-stdlib`, scripts/setup.sh) stays dynamically
# linked against Debian's OpenSSL and Connector/C, whose security updates then apply without a rebuild.
# README.md ("The fully static build", under Benchmarks) says what else differs.
#
#   scripts/build-static.sh                        # both programs; the last line is ocsp-responder's path
#   scripts/build-static.sh --product ocsp-responder   # only the program `respond` runs in (its path last)
#
# Its own build folder (.build-static, or $OCSP_STATIC_SCRATCH), so the ordinary build is untouched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

products=(ocsp-responder ocsp-responder-commands)
if (($#)); then
    [[ $# == 2 && $1 == --product && ($2 == ocsp-responder || $2 == ocsp-responder-commands) ]] ||
        { echo "usage: scripts/build-static.sh [--product ocsp-responder|ocsp-responder-commands]" >&2; exit 64; }
    products=("$2")
fi
scratch=${OCSP_STATIC_SCRATCH:-.build-static}

# The static archives come with the -dev packages the ordinary build needs, and zlib's (Connector/C
# compresses with it).
missing=()
for pair in ssl:libssl-dev crypto:libssl-dev mariadb:libmariadb-dev sqlite3:libsqlite3-dev z:zlib1g-dev; do
    archive=lib${pair%%:*}.a
    [[ "$(cc -print-file-name="$archive")" == /* ]] || missing+=("${pair#*:} ($archive)")
done
if ((${#missing[@]})); then
    echo "build-static: missing static libraries: ${missing[*]}" >&2
    exit 69
fi

# The module maps link -lsqlite3 -lmariadb -lcrypto; a static link also needs what those archives use,
# after them: libssl and libcrypto for Connector/C's TLS, zlib for its compression.
flags=(-c release --scratch-path "$scratch" --static-swift-stdlib -Xswiftc -static-executable
    -Xlinker -lssl -Xlinker -lcrypto -Xlinker -lz)
for product in "${products[@]}"; do
    swift build "${flags[@]}" --product "$product" >&2
done
bin=$(swift build "${flags[@]}" --show-bin-path)
for product in "${products[@]}"; do
    # No program interpreter and no dynamic section: nothing is loaded at start-up.
    if readelf -lW "$bin/$product" | grep -q -e INTERP -e DYNAMIC; then
        echo "build-static: $bin/$product is not statically linked" >&2
        exit 70
    fi
done
# The program `respond` runs in, or the one product asked for.
echo "$bin/${products[0]}"
