#!/usr/bin/env python3
"""Check an OCSP response with a verifier whose crypto nobody on this project
wrote: Python's `cryptography` (any version from 38, Debian 12's, up).

    scripts/peer-verify.py RESPONSE.der [--issuer ISSUER.pem]

Prints one JSON object (one line) on stdout and exits 0 whenever RESPONSE.der
parses as an OCSPResponse, whatever it says. Exits 2, with a message on
stderr, when it does not parse (or a file cannot be read).

Fields: response_status (enum name, e.g. SUCCESSFUL, MALFORMED_REQUEST); for a
successful response also signature_valid, signer ("issuer" / "delegate"),
delegate_valid (null without an embedded certificate, or when the
embedded certificate is ISSUER itself), responder_key_hash,
responder_name, produced_at, signature_algorithm_oid, certificates_count,
extensions [{oid, critical, value_hex}], nonce_hex, and responses [{serial_hex,
cert_status, revocation_time, revocation_reason, this_update, next_update,
hash_algorithm, issuer_name_hash_hex, issuer_key_hash_hex}].

Extra fields, to explain a false: signature_error, delegate_issued_by_issuer,
delegate_has_ocsp_signing, responder_id_matches_signer, per response
issuer_hashes_match (null without --issuer or for an unknown hash), and errors
(fields that could not be decoded). Times are ISO 8601 UTC ending in Z.

Newer APIs are feature-tested, never assumed: the *_utc time properties
(cryptography >= 43), Certificate.verify_directly_issued_by (>= 40),
OCSPResponse.responses (>= 37).
"""

import argparse
import datetime
import hashlib
import json
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, SignatureAlgorithmOID

UTC = datetime.timezone.utc


def _oids_named(prefix):
    return {
        getattr(SignatureAlgorithmOID, n)
        for n in dir(SignatureAlgorithmOID)
        if n.startswith(prefix)
    }


# Which signature algorithm OIDs go with which key type: a response whose OID
# says RSA but whose signer has an EC key is wrong even if ECDSA would verify.
RSA_PKCS1_OIDS = _oids_named("RSA_WITH_")
ECDSA_OIDS = _oids_named("ECDSA_WITH_")


def iso(dt):
    """ISO 8601 UTC with Z; naive datetimes (older cryptography) are UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if dt.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return dt.strftime(fmt)


def utc_prop(obj, name):
    """obj.NAME_utc where it exists (>= 43, and no deprecation warning), else obj.NAME."""
    if hasattr(obj, name + "_utc"):
        return getattr(obj, name + "_utc")
    return getattr(obj, name)


def verify_signature(public_key, signature, data, hash_alg, sig_oid):
    """None when the signature verifies, else the reason (a string)."""
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if sig_oid not in RSA_PKCS1_OIDS:
                return "signature algorithm %s does not fit an RSA key" % sig_oid.dotted_string
            public_key.verify(signature, data, padding.PKCS1v15(), hash_alg)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if sig_oid not in ECDSA_OIDS:
                return "signature algorithm %s does not fit an EC key" % sig_oid.dotted_string
            public_key.verify(signature, data, ec.ECDSA(hash_alg))
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            if sig_oid != SignatureAlgorithmOID.ED25519:
                return "signature algorithm %s does not fit an Ed25519 key" % sig_oid.dotted_string
            public_key.verify(signature, data)
        elif isinstance(public_key, ed448.Ed448PublicKey):
            if sig_oid != SignatureAlgorithmOID.ED448:
                return "signature algorithm %s does not fit an Ed448 key" % sig_oid.dotted_string
            public_key.verify(signature, data)
        else:
            return "unsupported key type %s" % type(public_key).__name__
    except InvalidSignature:
        return "bad signature"
    except (UnsupportedAlgorithm, ValueError, TypeError) as e:
        return "%s: %s" % (type(e).__name__, e)
    return None


def directly_issued_by(cert, issuer):
    """True when ISSUER's subject is CERT's issuer and ISSUER's key signed CERT."""
    if hasattr(cert, "verify_directly_issued_by"):
        try:
            cert.verify_directly_issued_by(issuer)
            return True
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            return False
    if cert.issuer != issuer.subject:
        return False
    try:
        hash_alg = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return False
    error = verify_signature(
        issuer.public_key(), cert.signature, cert.tbs_certificate_bytes,
        hash_alg, cert.signature_algorithm_oid,
    )
    return error is None


def has_ocsp_signing(cert):
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in eku


def key_hash(cert):
    """SHA-1 of the subjectPublicKey BIT STRING's contents (RFC 6960 KeyHash)."""
    return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def extension_value_der(ext):
    """DER of the extension's value (the contents of extnValue)."""
    value = ext.value
    if hasattr(value, "public_bytes"):
        try:
            return value.public_bytes()
        except (NotImplementedError, ValueError, TypeError):
            pass
    if isinstance(value, x509.UnrecognizedExtension):
        return value.value
    if isinstance(value, x509.OCSPNonce):
        # Nonce ::= OCTET STRING; short-form length suffices for real nonces.
        nonce = value.nonce
        if len(nonce) < 128:
            return b"\x04" + bytes([len(nonce)]) + nonce
    return None


def single_responses(resp):
    """The SingleResponses in order; older versions expose only the first."""
    if hasattr(resp, "responses"):
        return list(resp.responses)
    return [resp]


def describe_single(single, issuer, errors, index):
    out = {
        "serial_hex": format(single.serial_number, "x"),
        "cert_status": single.certificate_status.name,
        "revocation_time": None,
        "revocation_reason": None,
        "this_update": iso(utc_prop(single, "this_update")),
        "next_update": iso(utc_prop(single, "next_update")),
        "hash_algorithm": None,
        "issuer_name_hash_hex": single.issuer_name_hash.hex(),
        "issuer_key_hash_hex": single.issuer_key_hash.hex(),
        "issuer_hashes_match": None,
    }
    if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
        out["revocation_time"] = iso(utc_prop(single, "revocation_time"))
        reason = single.revocation_reason
        out["revocation_reason"] = reason.name if reason is not None else None
    try:
        hash_alg = single.hash_algorithm
        out["hash_algorithm"] = hash_alg.name
    except UnsupportedAlgorithm as e:
        errors.append("responses[%d].hash_algorithm: %s" % (index, e))
        hash_alg = None
    if issuer is not None and hash_alg is not None:
        try:
            name_hash = hashlib.new(hash_alg.name, issuer.subject.public_bytes()).digest()
            spki = issuer.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            issuer_key_hash = hashlib.new(hash_alg.name, _spki_key_bytes(spki)).digest()
            out["issuer_hashes_match"] = (
                name_hash == single.issuer_name_hash and issuer_key_hash == single.issuer_key_hash)
        except ValueError as e:  # hashlib does not know the name
            errors.append("responses[%d].issuer_hashes_match: %s" % (index, e))
    return out


def _der_length(data, pos):
    """(length, position after the length octets) of the DER length at POS."""
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(data[pos + 1:pos + 1 + n], "big"), pos + 1 + n


def _spki_key_bytes(spki):
    """subjectPublicKey's contents, without the unused-bits octet."""
    # SEQUENCE { AlgorithmIdentifier SEQUENCE, BIT STRING }
    _, pos = _der_length(spki, 1)               # into the outer SEQUENCE
    alg_len, alg_body = _der_length(spki, pos + 1)
    pos = alg_body + alg_len                    # past the AlgorithmIdentifier
    if spki[pos] != 0x03:
        raise ValueError("SPKI without a BIT STRING")
    bits_len, bits_body = _der_length(spki, pos + 1)
    return spki[bits_body + 1:bits_body + bits_len]


def describe(resp, issuer):
    out = {"response_status": resp.response_status.name}
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return out
    errors = []

    certs = list(resp.certificates)
    delegate = certs[0] if certs else None
    # An embedded copy of the issuer itself (openssl ocsp embeds its signer
    # by default) makes the issuer the signer, not a delegate.
    if delegate is not None and issuer is not None and delegate == issuer:
        delegate = None
    signer_cert = delegate if delegate is not None else issuer
    out["signer"] = "delegate" if delegate is not None else "issuer"

    # Signature over tbsResponseData with the signer's key.
    sig_oid = resp.signature_algorithm_oid
    signature_error = None
    if signer_cert is None:
        signature_error = "no embedded certificate and no --issuer"
    else:
        try:
            hash_alg = resp.signature_hash_algorithm
        except UnsupportedAlgorithm as e:
            hash_alg = None
            signature_error = "unsupported signature algorithm: %s" % e
        if signature_error is None:
            signature_error = verify_signature(
                signer_cert.public_key(), resp.signature, resp.tbs_response_bytes,
                hash_alg, sig_oid)
    out["signature_valid"] = None if signer_cert is None else signature_error is None
    out["signature_error"] = signature_error

    # A delegated signer must be issued by the CA itself and carry OCSPSigning.
    if delegate is None:
        out["delegate_valid"] = None
        out["delegate_issued_by_issuer"] = None
        out["delegate_has_ocsp_signing"] = None
    else:
        issued = directly_issued_by(delegate, issuer) if issuer is not None else None
        eku = has_ocsp_signing(delegate)
        out["delegate_valid"] = None if issued is None else (issued and eku)
        out["delegate_issued_by_issuer"] = issued
        out["delegate_has_ocsp_signing"] = eku

    key_hash_value = resp.responder_key_hash
    name = resp.responder_name
    out["responder_key_hash"] = key_hash_value.hex() if key_hash_value is not None else None
    out["responder_name"] = name.rfc4514_string() if name is not None else None
    if signer_cert is None:
        out["responder_id_matches_signer"] = None
    elif key_hash_value is not None:
        out["responder_id_matches_signer"] = key_hash_value == key_hash(signer_cert)
    else:
        out["responder_id_matches_signer"] = name == signer_cert.subject

    out["produced_at"] = iso(utc_prop(resp, "produced_at"))
    out["signature_algorithm_oid"] = sig_oid.dotted_string
    out["certificates_count"] = len(certs)

    extensions = []
    nonce = None
    try:
        for ext in resp.extensions:
            der = extension_value_der(ext)
            extensions.append({
                "oid": ext.oid.dotted_string,
                "critical": ext.critical,
                "value_hex": der.hex() if der is not None else None,
            })
            if isinstance(ext.value, x509.OCSPNonce):
                nonce = ext.value.nonce
    except (ValueError, UnsupportedAlgorithm) as e:
        errors.append("extensions: %s" % e)
    out["extensions"] = extensions
    out["nonce_hex"] = nonce.hex() if nonce is not None else None

    responses = []
    try:
        for i, single in enumerate(single_responses(resp)):
            responses.append(describe_single(single, issuer, errors, i))
    except (ValueError, UnsupportedAlgorithm) as e:
        errors.append("responses: %s" % e)
    out["responses"] = responses
    out["errors"] = errors
    return out


def load_certificate(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("response", nargs="+",
                        help="DER OCSPResponse; with several, a JSON list in the same order")
    parser.add_argument("--issuer", help="issuing CA certificate (PEM or DER)")
    args = parser.parse_args()

    issuer = None
    if args.issuer:
        try:
            issuer = load_certificate(args.issuer)
        except (OSError, ValueError) as e:
            print("peer-verify: cannot load issuer %s: %s" % (args.issuer, e), file=sys.stderr)
            return 2

    results = []
    for path in args.response:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("peer-verify: %s" % e, file=sys.stderr)
            return 2
        try:
            resp = ocsp.load_der_ocsp_response(data)
        except Exception as e:  # ValueError, or anything a malformed input raises
            print("peer-verify: %s: not an OCSPResponse: %s" % (path, e), file=sys.stderr)
            return 2
        results.append(describe(resp, issuer))

    print(json.dumps(results[0] if len(args.response) == 1 else results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
