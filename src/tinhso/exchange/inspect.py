"""Inspecting an edXML package: what it says, whether its signature holds, what is odd in it.

A tool for the clerks and IT staff who connect the e-office to other vendors' systems (issue 6
§1): the package is parsed with the hardened parser (`tinhso.exchange.edxml.parse`: no DTD, no
entity, no network, size limits before parsing), its XML signature is checked against the
installation's trust list as of now (`edxml.verify`), and the result is returned as plain data
for the API (`inspection_json`) and the page. Nothing is stored; the package is not audited
(it is a read), only the call is logged, without the body.

Rules: QCVN 102:2016/BTTTT (edXML, docs/decisions/0005-interconnection.md §1); the signature
is checked as TT 41/2017/TT-BTTTT Điều 7 and Nghị định 68/2024 Điều 30–32 require (integrity,
certificate chained to a trusted root and valid at the moment of checking).

Dates: `promulgation_date` is always an ISO 8601 date (`2020-10-30`), never the raw text.
The parser reads the forms vendors write (`30/10/2020`, dashes) with a `date_format` warning; a
date it cannot read is taken from the DocumentId with a `date_from_document_id` warning; a
document package with neither is refused (400, `missing_field`). The date of `response_for`
(status packages) is an ISO date or `null` when absent or unreadable (`bad_date` warning): a
date that is not one would only mislead, and the warning names the element to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.exchange import edxml
from tinhso.signatures.certificates import certificates_from, common_name
from tinhso.signatures.selectors import trust_roots_pem

#: Who may inspect packages: the agencies' clerks, who receive them, and the administrators,
#: who connect the installation to other vendors.
INSPECTOR_ROLES: Final = frozenset({Role.VAN_THU, Role.QUAN_TRI_CO_QUAN, Role.QUAN_TRI_TINH})

#: The meanings of the status codes (vn-eoffice.md §2.4; QCVN 102:2016).
STATUS_LABELS: Final[dict[str, Any]] = {
    "01": gettext_lazy("Đã đến"),
    "02": gettext_lazy("Từ chối tiếp nhận"),
    "03": gettext_lazy("Đã tiếp nhận"),
    "04": gettext_lazy("Đã đến, đang chờ phân công"),
    "05": gettext_lazy("Đã phân công, đang xử lý"),
    "06": gettext_lazy("Đã xử lý xong"),
    "13": gettext_lazy("Thu hồi (lấy lại) văn bản"),
    "15": gettext_lazy("Đồng ý thu hồi, cập nhật"),
    "16": gettext_lazy("Từ chối thu hồi, cập nhật"),
}
#: OtherInfo/Priority (vn-eoffice.md §2.2).
PRIORITY_LABELS: Final[dict[int, Any]] = {
    0: gettext_lazy("Thường"),
    1: gettext_lazy("Khẩn"),
    2: gettext_lazy("Thượng khẩn"),
    3: gettext_lazy("Hỏa tốc"),
    4: gettext_lazy("Hỏa tốc hẹn giờ"),
}
#: Bussiness/BussinessDocType (vn-eoffice.md §2.3).
BUSINESS_LABELS: Final[dict[int, Any]] = {
    0: gettext_lazy("Văn bản mới"),
    1: gettext_lazy("Thu hồi"),
    2: gettext_lazy("Cập nhật"),
    3: gettext_lazy("Thay thế"),
}
#: What the package's refusal codes (`EdxmlRefused.code`) mean to the caller: too large is
#: 413, everything else a bad request.
TOO_LARGE: Final = "too_large"


# --- Access ---------------------------------------------------------------------------------


def may_inspect(actor: Actor) -> bool:
    """Clerks and administrators of some agency, and provincial administrators."""
    if actor.is_provincial_admin:
        return True
    return actor.is_official and bool(actor.roles & INSPECTOR_ROLES)


def require_inspector(actor: Actor) -> None:
    if not may_inspect(actor):
        raise PermissionDenied(
            _("Chức năng kiểm tra gói tin edXML dành cho văn thư và quản trị của cơ quan.")
        )


# --- The report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganView:
    organ_id: str
    name: str


@dataclass(frozen=True)
class ResponseForView:
    organ_id: str
    code: str
    promulgation_date: dt.date | None
    document_id: str


@dataclass(frozen=True)
class AttachmentView:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ProblemView:
    code: str
    field: str
    message: str


@dataclass(frozen=True)
class SignatureView:
    present: bool
    valid: bool
    reasons: tuple[ProblemView, ...]
    #: The signer's certificate as read from KeyInfo, when it could be read.
    signer: str
    agency_code: str

    @property
    def verdict(self) -> Literal["valid", "invalid", "unsigned"]:
        if not self.present:
            return "unsigned"
        return "valid" if self.valid else "invalid"

    @property
    def label(self) -> str:
        return {
            "valid": _("Hợp lệ"),
            "invalid": _("Không hợp lệ"),
            "unsigned": _("Không có chữ ký"),
        }[self.verdict]

    @property
    def colour(self) -> str:
        return {"valid": "success", "invalid": "danger", "unsigned": "secondary"}[self.verdict]

    @property
    def icon(self) -> str:
        return {
            "valid": "bi-patch-check-fill",
            "invalid": "bi-x-octagon-fill",
            "unsigned": "bi-dash-circle",
        }[self.verdict]


@dataclass(frozen=True)
class Inspection:
    """What an edXML package says, as the inspection API answers it."""

    kind: Literal["document", "status"]
    #: A document package's DocumentId; for a status package, the one of the document the
    #: status answers for (`response_for.document_id`).
    document_id: str
    sender: OrganView
    recipients: tuple[OrganView, ...]
    code_number: str | None
    code_notation: str | None
    promulgation_date: dt.date | None
    subject: str | None
    priority: int | None
    business_doc_type: int | None
    status_code: str | None
    response_for: ResponseForView | None
    attachments: tuple[AttachmentView, ...]
    signature: SignatureView
    warnings: tuple[ProblemView, ...]
    # Shown on the page, and given by the API for convenience.
    type_name: str | None = None
    promulgation_place: str | None = None
    signer_name: str | None = None
    description: str | None = None
    timestamp: dt.datetime | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status_code or "", "")) or _("Mã trạng thái lạ")

    @property
    def priority_label(self) -> str:
        if self.priority is None:
            return ""
        return str(PRIORITY_LABELS.get(self.priority, "")) or _("Mức lạ (%(n)s)") % {
            "n": self.priority
        }

    @property
    def business_label(self) -> str:
        if self.business_doc_type is None:
            return ""
        return str(BUSINESS_LABELS.get(self.business_doc_type, "")) or _("Loại lạ (%(n)s)") % {
            "n": self.business_doc_type
        }


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _problem(problem: edxml.Problem) -> ProblemView:
    # The module marks its messages with gettext_noop: translated here, in the caller's language.
    return ProblemView(code=problem.code, field=problem.field, message=problem.text)


def _organ(organ: edxml.Organ) -> OrganView:
    return OrganView(organ_id=organ.organ_id, name=organ.name)


def _signer(certificate: bytes | None) -> str:
    if not certificate:
        return ""
    try:
        return common_name(x509.load_der_x509_certificate(certificate))
    except ValueError:
        return ""


def trust_roots_der(moment: dt.datetime) -> list[bytes]:
    """The installation's trust list at `moment` (enabled roots in their trust period), DER."""
    roots: list[bytes] = []
    for pem in trust_roots_pem(moment):
        roots.extend(c.public_bytes(serialization.Encoding.DER) for c in certificates_from(pem))
    return roots


def package_limits() -> edxml.Limits:
    """The installation's limits on a received package (settings `TINHSO_EDXML_MAX_*`)."""
    defaults = edxml.Limits()
    return replace(
        defaults,
        max_package_bytes=int(
            getattr(settings, "TINHSO_EDXML_MAX_PACKAGE_BYTES", defaults.max_package_bytes)
        ),
        max_attachment_bytes=int(
            getattr(settings, "TINHSO_EDXML_MAX_ATTACHMENT_BYTES", defaults.max_attachment_bytes)
        ),
    )


def max_package_bytes() -> int:
    return package_limits().max_package_bytes


def edxml_inspect(
    data: bytes, *, now: dt.datetime, trust_roots: Sequence[bytes] | None = None
) -> Inspection:
    """The report on a package; raises `edxml.EdxmlRefused` for one that cannot be read
    (malformed, hostile, too large, not edXML).

    The signature is checked at `now` against `trust_roots` (DER), by default the
    installation's trust list at `now`; SHA-1 only when `TINHSO_EDXML_ACCEPT_SHA1` is set.
    """
    parsed = edxml.parse(data, limits=package_limits())
    roots = list(trust_roots) if trust_roots is not None else trust_roots_der(now)
    check = edxml.verify(
        data,
        trust_roots=roots,
        at=now,
        accept_sha1=bool(getattr(settings, "TINHSO_EDXML_ACCEPT_SHA1", False)),
    )
    signature = SignatureView(
        present=check.present,
        valid=check.present and check.valid,
        reasons=tuple(_problem(p) for p in check.reasons),
        signer=_signer(check.certificate),
        agency_code=check.agency_code or "",
    )
    warnings = tuple(_problem(p) for p in parsed.warnings)
    package = parsed.package
    if isinstance(package, edxml.StatusPackage):
        answered = package.response_for
        return Inspection(
            kind="status",
            document_id=answered.document_id,
            sender=_organ(package.sender),
            recipients=tuple(_organ(o) for o in package.recipients),
            code_number=None,
            code_notation=None,
            promulgation_date=None,
            subject=None,
            priority=None,
            business_doc_type=None,
            status_code=package.status_code,
            response_for=ResponseForView(
                organ_id=answered.organ_id,
                code=answered.code,
                promulgation_date=answered.promulgation_date,
                document_id=answered.document_id,
            ),
            attachments=(),
            signature=signature,
            warnings=warnings,
            description=package.description or None,
            timestamp=package.timestamp,
        )
    return Inspection(
        kind="document",
        document_id=package.document_id,
        sender=_organ(package.sender),
        recipients=tuple(_organ(o) for o in package.recipients),
        code_number=package.code_number,
        code_notation=package.code_notation,
        promulgation_date=_date(package.promulgation_date),
        subject=package.subject,
        priority=package.priority,
        business_doc_type=package.business.business_type,
        status_code=None,
        response_for=None,
        attachments=tuple(
            AttachmentView(name=a.name, content_type=a.content_type, size=len(a.data))
            for a in package.attachments
        ),
        signature=signature,
        warnings=warnings,
        type_name=package.type_name or None,
        promulgation_place=package.promulgation_place or None,
        signer_name=package.signer_name or None,
    )


def _problems(items: Sequence[ProblemView]) -> list[dict[str, str]]:
    return [{"code": p.code, "field": p.field, "message": p.message} for p in items]


def inspection_json(report: Inspection) -> dict[str, Any]:
    """The API's answer (its shape is described by `inspect_views.INSPECTION_SCHEMA`)."""
    answered = report.response_for
    return {
        "kind": report.kind,
        "document_id": report.document_id,
        "from": {"organ_id": report.sender.organ_id, "name": report.sender.name},
        "to": [{"organ_id": o.organ_id, "name": o.name} for o in report.recipients],
        "code_number": report.code_number,
        "code_notation": report.code_notation,
        "promulgation_date": _iso(report.promulgation_date),
        "subject": report.subject,
        "priority": report.priority,
        "business_doc_type": report.business_doc_type,
        "status_code": report.status_code,
        "response_for": None
        if answered is None
        else {
            "organ_id": answered.organ_id,
            "code": answered.code,
            "promulgation_date": _iso(answered.promulgation_date),
            "document_id": answered.document_id,
        },
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size}
            for a in report.attachments
        ],
        "signature": {
            "present": report.signature.present,
            "valid": report.signature.valid,
            "reasons": [{"code": p.code, "message": p.message} for p in report.signature.reasons],
            "signer": report.signature.signer or None,
            "agency_code": report.signature.agency_code or None,
        },
        "warnings": _problems(report.warnings),
        "type_name": report.type_name,
        "promulgation_place": report.promulgation_place,
        "signer_name": report.signer_name,
        "description": report.description,
        "timestamp": _iso(report.timestamp),
    }


def refusal_message(exc: edxml.EdxmlRefused) -> str:
    """The refusal in the caller's language, with what was wrong (an element's name)."""
    return str(exc) or _("Gói tin edXML không đọc được.")
