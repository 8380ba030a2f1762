#ifndef OCSP_RESPONDER_COPENSSL_SHIM_H
#define OCSP_RESPONDER_COPENSSL_SHIM_H

// The type-specific key decoders (d2i_RSAPrivateKey, d2i_ECPrivateKey) and the low-level SHA functions are
// deprecated in OpenSSL 3.0 in favour of provider fetches, which cost far more to set up in a one-shot
// process; DirectKeyDecoder and OpenSSLDigester say why we use them.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Macros do not import into Swift; these wrappers give them a callable form.

static inline void shim_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

static inline int shim_EVP_PKEY_KEYPAIR(void) {
    return EVP_PKEY_KEYPAIR;
}

// `check --host` reads a server's certificate chain; SNI is set through a macro.
static inline long shim_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

#endif
