#!/usr/bin/env python3
"""Make test material with Python's cryptography, a peer nobody on this project wrote.

  peer-make.py cert --days-from D --days-to D --out-cert C --out-key K
      a self-signed EC P-256 CA certificate valid from now+D1 to now+D2 days (negative: past),
      its key written mode 0600: an expired or soon-expiring signing certificate.
  peer-make.py response --issuer ISSUER.pem --key KEY.pem --cert CERT.pem --from H --to H --out FILE
      a Basic OCSP response 'good' for CERT, signed by ISSUER's KEY (byKey), with thisUpdate now+H1
      and nextUpdate now+H2 hours: a stale or future pre-signed response.
  peer-make.py crl --issuer ISSUER.pem --key KEY.pem --out FILE [--entry SERIAL,TIME[,REASON]]...
                   [--number N] [--delta BASE] [--this-update TIME] [--next-hours H] [--pem]
                   [--critical-unknown] [--idp]
      a CRL signed by ISSUER's KEY: each --entry a hex SERIAL revoked at TIME (ISO 8601, UTC) with an
      RFC 5280 reason name (keyCompromise, certificateHold, removeFromCRL, ...); --delta makes a delta
      CRL of base BASE; --critical-unknown adds a critical extension no reader knows, --idp an
      issuingDistributionPoint.
  peer-make.py signed-request --issuer ISSUER.pem --cert CERT.pem --signer S.pem --signer-key K.pem --out FILE
                   [--no-certs] [--corrupt]
      an OCSP request for CERT (SHA-1 CertID, no nonce) signed with SHA-256 by S's key K, S in certs
      unless --no-certs; --corrupt flips a bit of the signature. cryptography builds requests but does
      not sign them, so the Signature is put together here, in DER, over cryptography's tbsRequest.
"""
import argparse
import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def make_cert(args):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peer-made CA")])
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now() + datetime.timedelta(days=args.days_from))
            .not_valid_after(now() + datetime.timedelta(days=args.days_to))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    with open(args.out_cert, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(args.out_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def load_cert(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def make_response(args):
    issuer = load_cert(args.issuer)
    cert = load_cert(args.cert)
    with open(args.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    builder = (ocsp.OCSPResponseBuilder()
               .add_response(cert=cert, issuer=issuer, algorithm=hashes.SHA1(),
                             cert_status=ocsp.OCSPCertStatus.GOOD,
                             this_update=now() + datetime.timedelta(hours=args.from_hours),
                             next_update=now() + datetime.timedelta(hours=args.to_hours),
                             revocation_time=None, revocation_reason=None)
               .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer))
    response = builder.sign(key, hashes.SHA256())
    with open(args.out, "wb") as f:
        f.write(response.public_bytes(serialization.Encoding.DER))


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


REASONS = {flag.value: flag for flag in x509.ReasonFlags}


def make_crl(args):
    issuer = load_cert(args.issuer)
    with open(args.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    this_update = parse_time(args.this_update) if args.this_update else now()
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.subject)
               .last_update(this_update)
               .next_update(this_update + datetime.timedelta(hours=args.next_hours))
               .add_extension(x509.CRLNumber(args.number), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), critical=False))
    if args.delta is not None:
        builder = builder.add_extension(x509.DeltaCRLIndicator(args.delta), critical=True)
    if args.critical_unknown:
        builder = builder.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00"), critical=True)
    if args.idp:
        builder = builder.add_extension(x509.IssuingDistributionPoint(
            full_name=[x509.UniformResourceIdentifier("http://crl.example/part1.crl")], relative_name=None,
            only_contains_user_certs=True, only_contains_ca_certs=False, only_some_reasons=None,
            indirect_crl=False, only_contains_attribute_certs=False), critical=True)
    for entry in args.entry:
        parts = entry.split(",")
        revoked = (x509.RevokedCertificateBuilder()
                   .serial_number(int(parts[0], 16))
                   .revocation_date(parse_time(parts[1])))
        if len(parts) > 2:
            revoked = revoked.add_extension(x509.CRLReason(REASONS[parts[2]]), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    crl = builder.sign(key, hashes.SHA256())
    with open(args.out, "wb") as f:
        f.write(crl.public_bytes(serialization.Encoding.PEM if args.pem else serialization.Encoding.DER))


def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def der_children(data):
    """The (start, end) of each element inside one constructed DER element's content."""
    def header(i):
        n = data[i + 1]
        if n < 0x80:
            return i + 2, n
        k = n & 0x7F
        return i + 2 + k, int.from_bytes(data[i + 2:i + 2 + k], "big")
    start, length = header(0)
    i, end, out = start, start + length, []
    while i < end:
        body, n = header(i)
        out.append((i, body + n))
        i = body + n
    return out


def make_signed_request(args):
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    request = (ocsp.OCSPRequestBuilder()
               .add_certificate(load_cert(args.cert), load_cert(args.issuer), hashes.SHA1())
               .build().public_bytes(serialization.Encoding.DER))
    start, end = der_children(request)[0]
    tbs = request[start:end]
    signer = load_cert(args.signer)
    with open(args.signer_key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        algorithm = der(0x30, der(0x06, bytes.fromhex("2a864886f70d01010b")) + b"\x05\x00")
    else:
        signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
        algorithm = der(0x30, der(0x06, bytes.fromhex("2a8648ce3d040302")))
    if args.corrupt:
        signature = signature[:-1] + bytes([signature[-1] ^ 1])
    body = algorithm + der(0x03, b"\x00" + signature)
    if not args.no_certs:
        body += der(0xA0, der(0x30, signer.public_bytes(serialization.Encoding.DER)))
    with open(args.out, "wb") as f:
        f.write(der(0x30, tbs + der(0xA0, der(0x30, body))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("cert")
    c.add_argument("--days-from", type=float, required=True)
    c.add_argument("--days-to", type=float, required=True)
    c.add_argument("--out-cert", required=True)
    c.add_argument("--out-key", required=True)
    r = sub.add_parser("response")
    r.add_argument("--issuer", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("--cert", required=True)
    r.add_argument("--from", dest="from_hours", type=float, required=True)
    r.add_argument("--to", dest="to_hours", type=float, required=True)
    r.add_argument("--out", required=True)
    l = sub.add_parser("crl")
    l.add_argument("--issuer", required=True)
    l.add_argument("--key", required=True)
    l.add_argument("--out", required=True)
    l.add_argument("--entry", action="append", default=[])
    l.add_argument("--number", type=int, default=1)
    l.add_argument("--delta", type=int)
    l.add_argument("--this-update")
    l.add_argument("--next-hours", type=float, default=24)
    l.add_argument("--pem", action="store_true")
    l.add_argument("--critical-unknown", action="store_true")
    l.add_argument("--idp", action="store_true")
    q = sub.add_parser("signed-request")
    for name in ("--issuer", "--cert", "--signer", "--signer-key", "--out"):
        q.add_argument(name, required=True)
    q.add_argument("--no-certs", action="store_true")
    q.add_argument("--corrupt", action="store_true")
    args = parser.parse_args()
    {"cert": make_cert, "response": make_response, "crl": make_crl, "signed-request": make_signed_request}[args.what](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
