"""The agency a certificate belongs to: a pure rule (no PKCS#11, no Django), shared by the key
registry (`keys`), PAdES validation and the edXML envelope check (`tinhso.exchange.edxml`)."""

from __future__ import annotations

import re

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509

#: "MDD:H57.02" (Vietnamese CAs prefix identifiers: MST tax code, CMND/CCCD, MDD/MĐĐ …) or the
#: ETSI EN 319 412-1 §5.1.4 form "NTRVN-0101234567".
_CODE_PREFIX = re.compile(r"^(?:[^\W\d_]{2,6}\s*:\s*|[A-Z]{3}[A-Z]{2}-)", re.UNICODE)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def agency_code_of(certificate: asn1_x509.Certificate | crypto_x509.Certificate) -> str | None:
    """The agency identification code in a certificate's subject, or None.

    [I] tinhso's test PKI writes the code (Quyết định 20/2020/QĐ-TTg) into organizationIdentifier
    (2.5.4.97); Vietnamese CAs often write identifiers into UID (0.9.2342.19200300.100.1.1)
    with a prefix such as "MST:". organizationIdentifier wins, then UID; a prefix is stripped.
    """
    if isinstance(certificate, crypto_x509.Certificate):
        subject = certificate.subject
        candidates = [
            _text(attribute.value)
            for oid in (
                crypto_x509.NameOID.ORGANIZATION_IDENTIFIER,
                crypto_x509.NameOID.USER_ID,
            )
            for attribute in subject.get_attributes_for_oid(oid)
        ]
    else:
        native = certificate.subject.native
        candidates = []
        for field in ("organization_identifier", "user_id"):
            value = native.get(field)
            if isinstance(value, list):
                candidates.extend(_text(v) for v in value)
            elif value:
                candidates.append(_text(value))
    for candidate in candidates:
        code = _CODE_PREFIX.sub("", candidate.strip()).strip()
        if code:
            return code
    return None
