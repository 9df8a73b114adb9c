"""The edXML package of an outbox row: a document package built from the issued document, or a
status package (QCVN 102:2016; vn-eoffice.md §2.2–§2.4; decision 0005 §4).

Reads only: the worker builds outside any transaction, then signs and sends.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from tinhso.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    ExchangeOutbox,
    FileRole,
    Recipient,
)
from tinhso.exchange import edxml, kept, mapping
from tinhso.exchange.envelope import pdf_is_signed
from tinhso.organizations.models import Agency

#: Bussiness types whose package names the earlier document (vn-eoffice.md §2.3).
BUSINESS_UPDATE, BUSINESS_REPLACE = 2, 3


class BuildRefused(Exception):
    """The package cannot be built; `message` (Vietnamese) tells the clerk why. Permanent:
    sending it again unchanged would fail the same way."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def organ_of(agency: Agency) -> edxml.Organ:
    parent = agency.parent.name if agency.parent_id and agency.parent else ""
    return edxml.Organ(
        organ_id=agency.code,
        name=agency.name,
        organization_in_charge=parent,
        address=agency.address,
        email=agency.email,
        telephone=agency.phone,
    )


def staff_of(data: dict[str, Any]) -> edxml.Staff:
    staff = data.get("staff") or {}
    if not isinstance(staff, dict):
        return edxml.Staff()
    return edxml.Staff(
        department=str(staff.get("department", ""))[:100],
        staff=str(staff.get("staff", ""))[:100],
        mobile=str(staff.get("mobile", ""))[:20],
        email=str(staff.get("email", ""))[:100],
    )


def document_id_of(d: Document) -> str:
    """The edXML DocumentId of an issued (or received) document."""
    if d.edxml_document_id:
        return d.edxml_document_id
    if d.issued_on is None:
        return ""
    code = d.agency.code if d.direction == Direction.OUTGOING else d.issuer_code
    return edxml.document_id(code, d.issued_on, d.number, d.notation)


def _read(stored_name: str) -> bytes:
    with default_storage.open(stored_name, "rb") as handle:
        data: bytes = handle.read()
    return data


#: Whether a PDF is signed, by its content's SHA-256: the same issued PDF goes to every
#: recipient, and parsing it again for each cost more than building the package.
_SIGNED: OrderedDict[str, bool] = OrderedDict()
_SIGNED_LOCK = threading.Lock()
_SIGNED_MAX: Final = 4096


def _signed(sha256: str, data: bytes) -> bool:
    """`pdf_is_signed(data)`, remembered per content (the stored file's SHA-256)."""
    if not sha256:
        return pdf_is_signed(data)
    with _SIGNED_LOCK:
        known = _SIGNED.get(sha256)
        if known is not None:
            _SIGNED.move_to_end(sha256)
            return known
    answer = pdf_is_signed(data)
    with _SIGNED_LOCK:
        _SIGNED[sha256] = answer
        while len(_SIGNED) > _SIGNED_MAX:
            _SIGNED.popitem(last=False)
    return answer


def attachments_of(d: Document) -> tuple[edxml.Attachment, ...]:
    """The issued PDF first, then the attachments (phụ lục), as the recipient receives them."""
    rows = list(
        DocumentFile.objects.filter(document=d, role__in=(FileRole.ISSUED, FileRole.ATTACHMENT))
        .select_related("file")
        .only(
            "id",
            "role",
            "file__name",
            "file__content_type",
            "file__storage_name",
            "file__sha256",
        )
        .order_by("id")
    )
    issued = [r for r in rows if r.role == FileRole.ISSUED]
    if not issued:
        raise BuildRefused(_("Văn bản chưa có bản phát hành (PDF): không có gì để gửi."))
    main = issued[-1]  # a sealed PDF replaces the unsigned one as the latest issued file
    data = _read(main.file.storage_name)
    if not _signed(main.file.sha256, data):
        raise BuildRefused(
            _(
                "Bản phát hành chưa có chữ ký số: văn bản điện tử gửi ra ngoài hệ thống phải được "
                "ký số (Nghị định 30/2020, Điều 21). Đăng ký khóa ký số của cơ quan để máy chủ "
                "đóng dấu số khi phát hành, hoặc phát hành bản PDF đã ký."
            )
        )
    found = [
        edxml.Attachment(
            name=main.file.name,
            content_type=main.file.content_type,
            data=data,
            description=str(_("Văn bản chính")),
            content_id="1",
        )
    ]
    for index, r in enumerate((r for r in rows if r.role == FileRole.ATTACHMENT), start=2):
        found.append(
            edxml.Attachment(
                name=r.file.name,
                content_type=r.file.content_type,
                data=_read(r.file.storage_name),
                description=str(_("Phụ lục, tài liệu kèm theo")),
                content_id=str(index),
            )
        )
    return tuple(found)


#: The columns of a document a package names (`document_package`, `status_package`).
PACKAGE_FIELDS: Final = (
    "id",
    "agency_id",
    "direction",
    "status",
    "doc_type",
    "number",
    "notation",
    "issued_on",
    "subject",
    "note",
    "signer_name",
    "signer_position",
    "due_on",
    "urgency",
    "page_count",
    "copies",
    "edxml_document_id",
    "issuer_code",
    "issuer_name",
    "recall_reason",
    "replaces_id",
    "reply_to_id",
)


def package_document(document_id: int | None) -> Document | None:
    """The document with the columns a package names, its agency from the kept agencies."""
    d = Document.objects.only(*PACKAGE_FIELDS).filter(pk=document_id or 0).first()
    if d is not None:
        agency = kept.agency_by_id(d.agency_id)
        if agency is not None:
            Document.agency.field.set_cached_value(d, agency)
    return d


def document_package(row: ExchangeOutbox, d: Document | None = None) -> edxml.DocumentPackage:
    if d is None:
        d = package_document(row.document_id)
    if d is None or d.issued_on is None or not d.number:
        raise BuildRefused(_("Văn bản chưa được cấp số, phát hành: không gửi được."))
    recipient = row.recipient
    to_name = recipient.name if recipient is not None else row.to_code
    others = [
        name
        for name, code in Recipient.objects.filter(document=d)
        .order_by("id")
        .values_list("name", "code")
        if code != row.to_code
    ]
    type_code, type_detail, type_name = mapping.document_type(d.doc_type)
    business = edxml.Business(business_type=row.business_type)
    if (
        row.business_type in (BUSINESS_UPDATE, BUSINESS_REPLACE)
        and d.replaces_id is not None
        and d.replaces is not None
    ):
        old_id = document_id_of(d.replaces)
        business = edxml.Business(
            business_type=row.business_type,
            document_id=old_id,
            reason=d.note[:500],
            replacements=(edxml.Replacement(document_id=old_id, organ_ids=(row.to_code,)),),
        )
    answers: tuple[edxml.ResponseFor, ...] = ()
    if d.reply_to_id is not None and d.reply_to is not None and d.reply_to.edxml_document_id:
        r = d.reply_to
        answers = (
            edxml.ResponseFor(
                organ_id=r.issuer_code,
                code=r.reference,
                promulgation_date=r.issued_on,
                document_id=r.edxml_document_id,
            ),
        )
    unit = d.agency.admin_unit if d.agency.admin_unit_id is not None else None
    place = unit.name if unit is not None else ""
    return edxml.DocumentPackage(
        sender=organ_of(d.agency),
        recipients=(edxml.Organ(organ_id=row.to_code, name=to_name),),
        code_number=d.number,
        code_notation=d.notation,
        promulgation_place=place[:50],
        promulgation_date=d.issued_on,
        type_code=type_code,
        type_detail=type_detail,
        type_name=type_name,
        subject=d.subject,
        signer_position=d.signer_position,
        signer_name=d.signer_name,
        due_date=d.due_on,
        to_places=tuple(others),
        priority=mapping.priority(d.urgency),
        page_amount=d.page_count,
        promulgation_amount=d.copies,
        steering_type=mapping.steering_type(d.doc_type),
        response_for=answers,
        traces=(edxml.Trace(organ_id=d.agency.code, timestamp=row.created_at),),
        business=business,
        attachments=attachments_of(d),
        document_id=document_id_of(d),
    )


def status_package(row: ExchangeOutbox) -> edxml.StatusPackage:
    staff = staff_of(row.data)
    if row.document_id is None:
        # A package refused on receipt never became a document: what it answers was kept.
        answered = row.data.get("response_for") or {}
        agency = kept.agency_by_id(row.agency_id) if row.agency_id is not None else None
        if agency is None:
            raise BuildRefused(_("Không xác định được cơ quan gửi trạng thái."))
        date_text = answered.get("promulgation_date")
        return edxml.StatusPackage(
            sender=organ_of(agency),
            response_for=edxml.ResponseFor(
                organ_id=str(answered.get("organ_id", row.to_code)),
                code=str(answered.get("code", "")),
                promulgation_date=dt.date.fromisoformat(date_text) if date_text else None,
                document_id=str(answered.get("document_id", "")),
            ),
            status_code=row.status_code,
            description=row.description,
            timestamp=row.created_at,
            staff=staff,
            recipients=(edxml.Organ(organ_id=row.to_code, name=str(row.data.get("to_name", ""))),),
        )
    d = package_document(row.document_id)
    if d is None:
        raise BuildRefused(_("Không tìm thấy văn bản của gói tin trạng thái."))
    if d.direction == Direction.OUTGOING:
        # Our own document (a revoke, 13): the recipient is told which one.
        to_name = row.recipient.name if row.recipient is not None else row.to_code
        answered_for = edxml.ResponseFor(
            organ_id=d.agency.code,
            code=d.reference,
            promulgation_date=d.issued_on,
            document_id=document_id_of(d),
        )
    else:
        to_name = d.issuer_name
        answered_for = edxml.ResponseFor(
            organ_id=d.issuer_code,
            code=d.reference,
            promulgation_date=d.issued_on,
            document_id=document_id_of(d),
        )
    return edxml.StatusPackage(
        sender=organ_of(d.agency),
        response_for=answered_for,
        status_code=row.status_code,
        description=row.description or (d.recall_reason if row.status_code == "13" else ""),
        timestamp=row.created_at,
        staff=staff,
        recipients=(edxml.Organ(organ_id=row.to_code, name=to_name),),
    )


def package_of(row: ExchangeOutbox) -> tuple[str, edxml.Package]:
    """(message type, package) of an outbox row: the same bytes each time it is built."""
    if row.kind == ExchangeOutbox.Kind.STATUS:
        return "status", status_package(row)
    return "edoc", document_package(row)


def _build(pkg: edxml.Package) -> bytes:
    try:
        return edxml.build(pkg)
    except edxml.EdxmlInvalid as exc:
        raise BuildRefused(
            _("Gói tin không đúng quy chuẩn QCVN 102:2016: %(problems)s") % {"problems": str(exc)}
        ) from None


def build_package(row: ExchangeOutbox) -> tuple[str, bytes]:
    """(message type, unsigned edXML). Raises `BuildRefused`."""
    message_type, pkg = package_of(row)
    return message_type, _build(pkg)


@dataclass(frozen=True)
class Built:
    """An outbox row's package, ready to sign with `agency_id`'s seal key."""

    message_type: str
    data: bytes
    agency_id: int


def build_for_sending(row: ExchangeOutbox) -> Built:
    """The worker's build: the document read once (its needed columns), a recalled document
    refused before anything is built. Raises `BuildRefused` (the row fails at once)."""
    d = None
    if row.kind == ExchangeOutbox.Kind.EDOC and row.document_id is not None:
        d = package_document(row.document_id)
        if d is not None and d.status == DocumentStatus.RECALLED:
            raise BuildRefused(_("Văn bản đã bị thu hồi trước khi gửi: không gửi nữa."))
    agency_id = row.agency_id
    if agency_id is None and row.document_id is not None:
        agency_id = (
            d.agency_id
            if d is not None
            else Document.objects.filter(pk=row.document_id)
            .values_list("agency_id", flat=True)
            .first()
        )
    if agency_id is None:
        raise BuildRefused(_("Không xác định được cơ quan gửi gói tin."))
    if row.kind == ExchangeOutbox.Kind.STATUS:
        return Built("status", _build(status_package(row)), agency_id)
    return Built("edoc", _build(document_package(row, d)), agency_id)
