"""A self-signed certificate for the sandbox's https endpoint, and the server's TLS settings.

The lake's bucket policies deny every request made without TLS (``DenyInsecureTransport``), so a
sandbox that is to check a data client end to end must answer over https. Its certificate is its
own CA: clients trust it with ``verify=cert_path`` (boto3), ``--ca-bundle`` / ``AWS_CA_BUNDLE``
(AWS CLI) or ``ssl.create_default_context(cafile=...)``. Strict verifiers (OpenSSL 3 with
Python 3.13's ``VERIFY_X509_STRICT``) want a CA certificate with keyCertSign, a key identifier and
the server's names in the SAN, not in the CN; all are set.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

COMMON_NAME = "lake sandbox (self-signed, loopback only)"
# Valid from an hour ago (clock skew between processes) for two days: a sandbox lives for minutes.
NOT_BEFORE_SKEW = datetime.timedelta(hours=1)
VALIDITY = datetime.timedelta(days=2)
MINIMUM_TLS = ssl.TLSVersion.TLSv1_2


@dataclass(frozen=True)
class Certificate:
    cert_path: Path  # PEM certificate; also the CA bundle clients trust
    key_path: Path  # PEM private key, unencrypted (a throwaway key for 127.0.0.1)


def _names() -> x509.SubjectAlternativeName:
    # The sandbox refuses any host but loopback (server.require_loopback); ::1 is not served.
    return x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])


def _build(key: ec.EllipticCurvePrivateKey, now: datetime.datetime) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    public_key = key.public_key()
    usage = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=False, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)  # self-signed: its own issuer, hence its own CA bundle
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - NOT_BEFORE_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_names(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def certificate_paths(directory: Path) -> Certificate:
    """Where ``self_signed_certificate`` writes in ``directory``: a parent process that asked a
    child server for a certificate there finds it without asking."""
    return Certificate(directory / "sandbox-cert.pem", directory / "sandbox-key.pem")


def _write(path: Path, content: bytes) -> None:
    """Whole or not at all (write, then rename): a reader polling for the file never sees half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.touch(mode=0o600)  # private before anything is in it: one of them is a private key
    partial.write_bytes(content)
    partial.replace(path)


def self_signed_certificate(directory: Path) -> Certificate:
    """A fresh key and certificate for 127.0.0.1 and localhost, written into ``directory``; the
    key first, so that the certificate's presence means both are there."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _build(key, datetime.datetime.now(datetime.timezone.utc))
    directory.mkdir(parents=True, exist_ok=True)
    written = certificate_paths(directory)
    _write(written.key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    _write(written.cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return written


def server_context(certificate: Certificate) -> ssl.SSLContext:
    """The https server's settings: TLS 1.2 or later, the oldest version the lake's policies allow."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_TLS
    context.load_cert_chain(certificate.cert_path, certificate.key_path)
    return context


def client_context(certificate_path: Path | str) -> ssl.SSLContext:
    """A client context that trusts the sandbox's certificate and nothing else."""
    return ssl.create_default_context(cafile=str(certificate_path))
