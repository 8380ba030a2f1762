#!/usr/bin/env bash
# Write a test PKI into OUTDIR with the openssl CLI (OpenSSL 3.0).
#
#   scripts/make-pki.sh [--force] OUTDIR
#
# Layout (certificates PEM, keys unencrypted PKCS#8 PEM, mode 0600):
#   root.key root.pem                 RSA-2048 root CA, serial 0x01, 10 years
#   KIND/ for KIND in rsa p256 p384 ed25519:
#     ca.key ca.pem chain.pem         intermediate CA of that key type, chain = ca + root
#     leaf.key                        EC P-256, shared by all leaves of KIND
#     good.pem (0x1001) revoked.pem (0x1002) topbit.pem (0x9A4E31C2D5B6A7F8)
#     small.pem (0x0F) absent.pem (0x7777)
#     responder.key responder.pem     delegated OCSP signer (OCSPSigning EKU, ocsp-nocheck)
#     badresponder.pem                same key, serverAuth EKU only
#   rsa/ca-enc.key                    rsa/ca.key encrypted with passphrase secret-pass
#   foreign/ca.key ca.pem leaf.key leaf.pem   unrelated self-signed RSA CA, leaf 0x1001
set -euo pipefail

usage() { echo "usage: $0 [--force] OUTDIR" >&2; exit 1; }

force=0
outdir=""
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -*) usage ;;
        *) [[ -z "$outdir" ]] || usage; outdir=$arg ;;
    esac
done
[[ -n "$outdir" ]] || usage

if [[ -e "$outdir/root.pem" && $force -eq 0 ]]; then
    echo "$0: $outdir already holds a PKI (root.pem); use --force to overwrite" >&2
    exit 1
fi
mkdir -p "$outdir"
cd "$outdir"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Run a command quietly (openssl chatters on stderr, e.g. "Certificate request
# self-signature ok"); show its output only if it fails.
run() {
    if ! "$@" >"$work/out" 2>&1; then
        echo "$0: failed: $*" >&2
        cat "$work/out" >&2
        exit 1
    fi
}

# genkey FILE ALGORITHM [PKEYOPT...]: unencrypted PKCS#8, mode 0600 from the
# start (umask), and chmod too in case --force overwrites an existing file.
genkey() {
    local file=$1 alg=$2 opt
    shift 2
    local args=(genpkey -algorithm "$alg" -out "$file")
    for opt in "$@"; do args+=(-pkeyopt "$opt"); done
    (umask 077 && run openssl "${args[@]}")
    chmod 600 "$file"
}

genkey_kind() {
    case "$2" in
        rsa) genkey "$1" RSA rsa_keygen_bits:2048 ;;
        p256) genkey "$1" EC ec_paramgen_curve:P-256 ;;
        p384) genkey "$1" EC ec_paramgen_curve:P-384 ;;
        ed25519) genkey "$1" ED25519 ;;
        *) echo "$0: unknown key kind $2" >&2; exit 1 ;;
    esac
}

# A random 16-byte serial whose DER is exactly 16 bytes: first nibble 1..7
# (positive without a 00 pad byte, and no leading zero byte to strip).
random_serial() {
    printf '0x%x%s' $((RANDOM % 7 + 1)) "$(openssl rand -hex 16 | cut -c2-)"
}

# Extension sections, chosen with -extensions. No digest is passed anywhere:
# OpenSSL 3 defaults to SHA-256, and Ed25519 signing must not be given one.
cat >"$work/ext.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]

[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8080, caIssuers;URI:http://127.0.0.1:8080/ca.der

[responder_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
# id-pkix-ocsp-nocheck
1.3.6.1.5.5.7.48.1.5 = ASN1:NULL

[badresponder_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# selfsign KEY OUT CN SERIAL EXTSECTION
selfsign() {
    run openssl req -x509 -new -key "$1" -out "$2" -subj "/CN=$3" -set_serial "$4" \
        -days 3650 -config "$work/ext.cnf" -extensions "$5"
}

# issue SUBJECTKEY OUT CN SERIAL EXTSECTION CACERT CAKEY
issue() {
    run openssl req -new -key "$1" -subj "/CN=$3" -config "$work/ext.cnf" -out "$work/req.csr"
    run openssl x509 -req -in "$work/req.csr" -CA "$6" -CAkey "$7" -set_serial "$4" \
        -days 3650 -extfile "$work/ext.cnf" -extensions "$5" -out "$2"
}

genkey root.key RSA rsa_keygen_bits:2048
selfsign root.key root.pem "Test Root CA" 0x01 root_ext

kinds=(rsa p256 p384 ed25519)
for kind in "${kinds[@]}"; do
    mkdir -p "$kind"
    genkey_kind "$kind/ca.key" "$kind"
    issue "$kind/ca.key" "$kind/ca.pem" "Test $kind CA" "$(random_serial)" ca_ext root.pem root.key
    cat "$kind/ca.pem" root.pem >"$kind/chain.pem"

    genkey "$kind/leaf.key" EC ec_paramgen_curve:P-256
    for leaf in good:0x1001 revoked:0x1002 topbit:0x9A4E31C2D5B6A7F8 small:0x0F absent:0x7777; do
        name=${leaf%%:*}
        issue "$kind/leaf.key" "$kind/$name.pem" "leaf-$name" "${leaf#*:}" leaf_ext \
            "$kind/ca.pem" "$kind/ca.key"
    done

    genkey_kind "$kind/responder.key" "$kind"
    issue "$kind/responder.key" "$kind/responder.pem" "Test $kind OCSP Responder" \
        "$(random_serial)" responder_ext "$kind/ca.pem" "$kind/ca.key"
    issue "$kind/responder.key" "$kind/badresponder.pem" "Test $kind OCSP Responder" \
        "$(random_serial)" badresponder_ext "$kind/ca.pem" "$kind/ca.key"
done

# The RSA CA key again, encrypted (PKCS#8, AES-256-CBC).
(umask 077 && run openssl pkey -in rsa/ca.key -aes256 -passout pass:secret-pass -out rsa/ca-enc.key)
chmod 600 rsa/ca-enc.key

mkdir -p foreign
genkey foreign/ca.key RSA rsa_keygen_bits:2048
selfsign foreign/ca.key foreign/ca.pem "Foreign Test CA" "$(random_serial)" root_ext
genkey foreign/leaf.key EC ec_paramgen_curve:P-256
issue foreign/leaf.key foreign/leaf.pem "leaf-foreign" 0x1001 leaf_ext foreign/ca.pem foreign/ca.key

# Self-check: every leaf and responder chains to the root.
for kind in "${kinds[@]}"; do
    for cert in good revoked topbit small absent responder badresponder; do
        if ! out=$(openssl verify -CAfile root.pem -untrusted "$kind/ca.pem" "$kind/$cert.pem" 2>&1); then
            echo "$0: self-check failed for $kind/$cert.pem:" >&2
            echo "$out" >&2
            exit 1
        fi
    done
done
if ! out=$(openssl verify -CAfile foreign/ca.pem foreign/leaf.pem 2>&1); then
    echo "$0: self-check failed for foreign/leaf.pem:" >&2
    echo "$out" >&2
    exit 1
fi

echo "PKI written to $outdir"
