"""The edXML inspection tool in the access matrix (see tinhso.testing.access_matrix).

Clerks (văn thư) and administrators (agency and provincial) of any agency may inspect a
package; other officials and citizens get 403, the anonymous visitor is sent to sign in (401
on the API). The tool stores nothing, so "allowed" means the report was shown: 200 with a
package that parses (sent as a file, as the page's form and `curl -F package=@…` do).

`sample_document()` and `sample_status()` are the packages the inspection tests use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.exchange import edxml
from tinhso.testing.access_matrix import ALLOWED, FORBIDDEN, LOGIN, Endpoint, World, expect

#: Who may inspect: the clerk and the administrators, of any agency.
INSPECTORS = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    van_thu_a=ALLOWED,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=ALLOWED,
    quan_tri_tinh=ALLOWED,
)
OK = frozenset({200})

SENDER = edxml.Organ(organ_id="000.00.02.H57", name="Sở Nội vụ")
RECIPIENTS = (
    edxml.Organ(organ_id="000.00.13.H57", name="Sở Tài chính"),
    edxml.Organ(organ_id="000.20.31.H57", name="Ủy ban nhân dân xã Phú Vang"),
)


def sample_document(**changes: Any) -> edxml.DocumentPackage:
    """A công văn of Sở Nội vụ to two agencies, with one PDF attached."""
    fields: dict[str, Any] = {
        "sender": SENDER,
        "recipients": RECIPIENTS,
        "code_number": "123",
        "code_notation": "SNV-VP",
        "promulgation_place": "Huế",
        "promulgation_date": dt.date(2026, 11, 20),
        "type_code": 1,
        "type_detail": 0,
        "type_name": "Công văn",
        "subject": "Về việc triển khai liên thông văn bản điện tử",
        "signer_name": "Hoàng Thị Thanh Tâm",
        "priority": 1,
        "attachments": (
            edxml.Attachment(
                name="cong-van-123.pdf",
                content_type="application/pdf",
                data=b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n",
            ),
        ),
    }
    fields.update(changes)
    return edxml.DocumentPackage(**fields)


def sample_status(status_code: str = "05") -> edxml.StatusPackage:
    """Xã Phú Vang tells Sở Nội vụ that its công văn is being processed."""
    return edxml.StatusPackage(
        sender=RECIPIENTS[1],
        response_for=edxml.ResponseFor(
            organ_id=SENDER.organ_id,
            code="123/SNV-VP",
            promulgation_date=dt.date(2026, 11, 20),
            document_id="000.00.02.H57,2026/11/20,123/SNV-VP",
        ),
        status_code=status_code,
        description="Đang xử lý văn bản đến",
        timestamp=dt.datetime(2026, 11, 21, 9, 30, tzinfo=edxml.VN_TZ),
        staff=edxml.Staff(department="Văn phòng", staff="Nguyễn Thị Hoa"),
        recipients=(SENDER,),
    )


def _upload(w: World) -> dict[str, Any]:
    data = edxml.build(sample_document())
    return {"package": SimpleUploadedFile("goi-tin.edxml", data, content_type="application/xml")}


ENDPOINTS = [
    Endpoint("exchange:edxml_inspect", "GET", expect=INSPECTORS),
    Endpoint("exchange:edxml_inspect", "POST", payload=_upload, expect=INSPECTORS, success=OK),
    Endpoint(
        "exchange_api:edxml_inspect",
        "POST",
        payload=_upload,
        format="multipart",
        expect=INSPECTORS,
        success=OK,
    ),
]


def sign_package(pki: Any, data: bytes, party: str | None = None) -> bytes:
    """`data` signed by the test PKI's agency seal (SoftHSM2), its chain in KeyInfo."""
    import asyncio

    from tinhso.testing.signing import LocalPki

    party = party or LocalPki.AGENCY
    certificates = [pki.certificate(party).dump(), *(c.dump() for c in pki.chain())]
    with pki.signer(party) as signer:
        return edxml.sign(
            data,
            sign_raw=lambda signed_info: asyncio.run(signer.async_sign_raw(signed_info, "sha256")),
            certificates=certificates,
        )


def trust_test_root(pki: Any) -> None:
    """Put the test PKI's root on the installation's trust list."""
    from tinhso.signatures.certificates import certificates_from, describe
    from tinhso.signatures.models import TrustRoot

    info = describe(certificates_from(pki.trust_root_pem)[0])
    TrustRoot.objects.get_or_create(
        fingerprint=info.fingerprint,
        defaults={
            "pem": info.pem,
            "subject": info.subject,
            "issuer": info.issuer,
            "serial": info.serial,
            "not_before": info.not_before,
            "not_after": info.not_after,
        },
    )
