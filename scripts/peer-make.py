#!/usr/bin/env python3
"""Make test material with Python's cryptography, a peer nobody on this project wrote.

  peer-make.py cert --days-from D --days-to D --out-cert C --out-key K
      a self-signed EC P-256 CA certificate valid from now+D1 to now+D2 days (negative: past),
      its key written mode 0600: an expired or soon-expiring signing certificate.
  peer-make.py response --issuer ISSUER.pem --key KEY.pem --cert CERT.pem --from H --to H --out FILE
      a Basic OCSP response 'good' for CERT, signed by ISSUER's KEY (byKey), with thisUpdate now+H1
      and nextUpdate now+H2 hours: a stale or future pre-signed response.
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
    args = parser.parse_args()
    make_cert(args) if args.what == "cert" else make_response(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
