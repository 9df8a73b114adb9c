"""Signed requests between a node and the hub: no bare password ever crosses the wire.

Each request carries the sender's code, the time, a random nonce and the SHA-256 of the body,
and a signature over them made with the sender's private key (RSA PKCS#1 v1.5 with SHA-256, or
ECDSA with SHA-256). The receiver knows the sender's certificate from its registry and checks
the signature, the body's digest, that the time is within the allowed skew, and (its own job,
with a store that outlives a restart) that the nonce was not seen before. The same scheme signs
the hub's pushes to a node. Mutual TLS at a reverse proxy may be added in front; it does not
replace this check.

Pure module: no Django, so that the hub and the node share it and tests need no settings.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

HEADER_NODE = "X-Tinhso-Node"
HEADER_DATE = "X-Tinhso-Date"
HEADER_NONCE = "X-Tinhso-Nonce"
HEADER_DIGEST = "X-Tinhso-Content-SHA256"
HEADER_SIGNATURE = "X-Tinhso-Signature"
SIGNED_HEADERS = (HEADER_NODE, HEADER_DATE, HEADER_NONCE, HEADER_DIGEST, HEADER_SIGNATURE)

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SignatureRefused(Exception):
    """A request whose signature does not hold; `code` is stable, the text is for logs."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Verified:
    node: str
    nonce: str
    moment: dt.datetime


def load_private_key(pem: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("The node key must be RSA or ECDSA")
    return key


def load_certificate(pem: bytes | str) -> x509.Certificate:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    return x509.load_pem_x509_certificate(data)


def canonical(
    method: str, path: str, *, node: str, date: str, nonce: str, body_sha256: str
) -> bytes:
    """What is signed: one field a line, the path with its query string as sent."""
    return "\n".join((method.upper(), path, node, date, nonce, body_sha256)).encode("utf-8")


def sign_request(
    method: str,
    path: str,
    body: bytes,
    *,
    node: str,
    key: PrivateKey,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """The headers to add to a request of `node` (path with query, e.g. ``/hub/v1/inbox?x=1``)."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    date = moment.strftime(_DATE_FORMAT)
    nonce = secrets.token_hex(16)
    digest = hashlib.sha256(body).hexdigest()
    message = canonical(method, path, node=node, date=date, nonce=nonce, body_sha256=digest)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    return {
        HEADER_NODE: node,
        HEADER_DATE: date,
        HEADER_NONCE: nonce,
        HEADER_DIGEST: digest,
        HEADER_SIGNATURE: base64.b64encode(signature).decode("ascii"),
    }


def claimed_node(headers: Mapping[str, str]) -> str:
    """The node a request says it comes from (to look up its certificate), or ``""``."""
    return str(headers.get(HEADER_NODE, "")).strip()


def verify_request(
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    certificate: x509.Certificate,
    now: dt.datetime | None = None,
    skew_seconds: int = 300,
) -> Verified:
    """Check a request against the certificate of the node it claims to come from.

    Raises `SignatureRefused` with code ``missing``, ``bad_date``, ``stale``, ``bad_digest`` or
    ``bad_signature``. The caller still checks that the nonce is new.
    """
    values = {name: str(headers.get(name, "")).strip() for name in SIGNED_HEADERS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SignatureRefused("missing", ", ".join(missing))
    try:
        moment = dt.datetime.strptime(values[HEADER_DATE], _DATE_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise SignatureRefused("bad_date", values[HEADER_DATE][:40]) from None
    current = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    if abs((current - moment).total_seconds()) > skew_seconds:
        raise SignatureRefused("stale", values[HEADER_DATE])
    if len(values[HEADER_NONCE]) > 64:
        raise SignatureRefused("missing", HEADER_NONCE)
    digest = hashlib.sha256(body).hexdigest()
    if not secrets.compare_digest(digest, values[HEADER_DIGEST].lower()):
        raise SignatureRefused("bad_digest")
    try:
        signature = base64.b64decode(values[HEADER_SIGNATURE], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRefused("bad_signature", "not base64") from None
    message = canonical(
        method,
        path,
        node=values[HEADER_NODE],
        date=values[HEADER_DATE],
        nonce=values[HEADER_NONCE],
        body_sha256=digest,
    )
    public = certificate.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureRefused("bad_signature", "unsupported key type")
    except InvalidSignature:
        raise SignatureRefused("bad_signature") from None
    return Verified(node=values[HEADER_NODE], nonce=values[HEADER_NONCE], moment=moment)


def make_node_credentials(
    node: str, *, days: int = 825, now: dt.datetime | None = None
) -> tuple[bytes, bytes]:
    """A new node key and a self-signed certificate for it (PEM key, PEM certificate).

    The hub trusts a node's certificate because the operator registered it, not because of who
    issued it (as X-Road registers a security server's authentication certificate).
    """
    moment = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"tinhso node {node}")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(minutes=5))
        .not_valid_after(moment + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)
