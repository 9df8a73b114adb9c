"""Reading certificates that people paste or upload (PEM or DER), with Vietnamese errors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----\s+.*?-----END CERTIFICATE-----", re.DOTALL)
#: A certificate is a few kilobytes; a pasted chain of a few of them at most.
MAX_CERTIFICATE_BYTES = 64 * 1024


@dataclass(frozen=True)
class CertificateInfo:
    certificate: x509.Certificate
    pem: str
    fingerprint: str
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool
    self_signed: bool


def certificates_from(data: bytes | str, *, field: str = "pem") -> list[x509.Certificate]:
    """Every certificate in `data` (PEM blocks, or one DER certificate)."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    if not raw.strip():
        raise ValidationError({field: [_("Chưa có chứng thư số.")]})
    if len(raw) > MAX_CERTIFICATE_BYTES:
        raise ValidationError({field: [_("Nội dung quá lớn để là một chứng thư số.")]})
    blocks = _PEM_BLOCK.findall(raw)
    try:
        if blocks:
            return [x509.load_pem_x509_certificate(block) for block in blocks]
        return [x509.load_der_x509_certificate(raw)]
    except ValueError:
        raise ValidationError(
            {
                field: [
                    _(
                        "Không đọc được chứng thư số: cần một chứng thư X.509 dạng PEM "
                        "(bắt đầu bằng -----BEGIN CERTIFICATE-----) hoặc DER."
                    )
                ]
            }
        ) from None


def describe(certificate: x509.Certificate) -> CertificateInfo:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = bool(constraints.value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateInfo(
        certificate=certificate,
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        subject=certificate.subject.rfc4514_string()[:500],
        issuer=certificate.issuer.rfc4514_string()[:500],
        serial=format(certificate.serial_number, "X"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        is_ca=is_ca,
        self_signed=certificate.issuer == certificate.subject,
    )


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def as_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate for pyHanko and pyhanko-certvalidator, which read asn1crypto."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
