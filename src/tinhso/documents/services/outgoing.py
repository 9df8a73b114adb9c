"""Outgoing documents (văn bản đi): drafting, review and approval, issuing with a number,
dispatch, recall and replacement.

Nghị định 30/2020:
- Điều 10–13: drafting in the System, review by the head of the drafting unit, approval and
  signature by the competent person;
- Điều 15: numbers run from 01 on 1 January, unique per agency per year (allocated here under
  a row lock on the register's counter: no gap, no duplicate under parallel issuing);
- Điều 16: the outgoing register;
- Điều 18: issue and dispatch; recall, replacement and correction of an issued document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Membership, Role, User
from tinhso.audit.services import audit_record
from tinhso.documents.access import (
    is_agency_leader,
    is_clerk,
    may_decide,
    may_edit_draft,
    visible_documents,
)
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.kinds import TYPES_BY_CODE, EdxmlStatus, Urgency
from tinhso.documents.models import (
    ApprovalChain,
    ApprovalStep,
    Comment,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    DraftVersion,
    ExchangeOutbox,
    FileRole,
    Recipient,
    RecipientState,
    Source,
)
from tinhso.documents.numbering import (
    NotationError,
    build_notation,
    format_number,
    vietnam_date,
)
from tinhso.documents.services.common import (
    activity,
    attach_files,
    invalid,
    lock_document,
    next_number,
    now_or,
    register_for,
    reindex,
    search_text,
)
from tinhso.files.access import usable_files
from tinhso.files.detection import DOCX, PDF
from tinhso.organizations.codes import InvalidIdentificationCode, normalize_identification_code
from tinhso.organizations.models import Agency

#: The chain when the agency configured none (the issue's default): the head of the drafting
#: department, then the official who signs.
DEFAULT_CHAIN = ("department_head", "signer")
CHAIN_KINDS = frozenset({"department_head", "agency_leader", "signer"})

#: edXML Bussiness types (vn-eoffice.md §2.3).
BUSINESS_NEW, BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3

EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)


@dataclass(frozen=True, slots=True)
class ExternalRecipient:
    name: str
    code: str = ""


@dataclass(frozen=True, slots=True)
class DraftInput:
    doc_type: str
    subject: str
    signer: int | None
    recipients: Sequence[int] = field(default_factory=tuple)
    external_recipients: Sequence[ExternalRecipient] = field(default_factory=tuple)
    urgency: str = Urgency.NORMAL
    files: Sequence[int] = field(default_factory=tuple)
    attachments: Sequence[int] = field(default_factory=tuple)
    #: The drafting unit printed in a công văn's notation (`UBND-VX`); the department's short
    #: name when blank.
    unit: str = ""
    agency_id: int | None = None
    due_on: dt.date | None = None
    page_count: int | None = None
    copies: int | None = None
    replaces: int | None = None
    #: With `replaces`: "replace" (content errors) or "correct" (a correcting công văn for
    #: errors of form), Nghị định 30, Điều 18.3.
    amendment: str = "replace"
    reply_to: int | None = None
    note: str = ""


def _drafting_post(who: Actor, requested: int | None) -> Membership:
    posts = (
        Membership.objects.filter(user_id=who.user_id or 0, is_active=True)
        .select_related("agency", "department")
        .order_by("agency_id", F("department_id").desc(nulls_last=True), "id")
    )
    if requested is not None:
        posts = posts.filter(agency_id=requested)
    post = posts.first()
    if post is None:
        raise PermissionDenied(_("Bạn không có vị trí công tác ở cơ quan này để soạn văn bản."))
    return post


def _signer_ok(agency_id: int, signer_id: int | None) -> bool:
    if signer_id is None:
        return False
    return Membership.objects.filter(
        user_id=signer_id, agency_id=agency_id, role=Role.LANH_DAO, is_active=True
    ).exists()


@dataclass(frozen=True, slots=True)
class _CleanDraft:
    subject: str
    found: dict[int, str]
    externals: list[ExternalRecipient]
    unit: str


def _clean_draft(data: DraftInput, agency: Agency, department_short_name: str) -> _CleanDraft:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.doc_type not in TYPES_BY_CODE:
        err("type", _("Loại văn bản không có trong danh mục của Nghị định 30/2020."))
    subject = " ".join(data.subject.split())
    if not subject:
        err("subject", _("Chưa nhập trích yếu nội dung."))
    elif len(subject) > 500:
        err("subject", _("Trích yếu dài quá 500 ký tự."))
    if data.urgency not in Urgency.values:
        err("urgency", _("Độ khẩn không hợp lệ."))
    if not _signer_ok(agency.pk, data.signer):
        err("signer", _("Người ký phải là lãnh đạo của cơ quan."))
    internal = list(dict.fromkeys(data.recipients))
    found = dict(Agency.objects.filter(pk__in=internal).values_list("pk", "name"))
    if len(found) != len(internal):
        err("recipients", _("Có nơi nhận không tồn tại trong danh mục cơ quan."))
    if agency.pk in found:
        err("recipients", _("Không gửi văn bản cho chính cơ quan mình."))
    externals: list[ExternalRecipient] = []
    for r in data.external_recipients:
        name = " ".join(r.name.split())
        code = r.code.strip()
        if not name:
            err("external_recipients", _("Nơi nhận ngoài hệ thống phải có tên cơ quan."))
            continue
        if not code:
            err(
                "external_recipients",
                _(
                    "%(name)s: nơi nhận ngoài hệ thống cần có mã định danh để gửi qua trục liên thông."
                )
                % {"name": name},
            )
            continue
        if code:
            try:
                code = normalize_identification_code(code)
            except InvalidIdentificationCode as exc:
                err("external_recipients", f"{name}: {exc}")
                continue
        externals.append(ExternalRecipient(name=name[:255], code=code))
    unit = data.unit.strip()
    if len(unit) > 20:
        err("unit", _("Tên viết tắt của đơn vị soạn thảo dài quá 20 ký tự."))
    if data.doc_type in TYPES_BY_CODE:
        try:
            # What issuing will print: a công văn falls back to the department's short name.
            build_notation(data.doc_type, agency.short_name, unit or department_short_name)
        except NotationError as exc:
            err("unit", str(exc))
    if data.page_count is not None and not 1 <= data.page_count <= 10_000:
        err("page_count", _("Số trang phải từ 1 đến 10.000."))
    if data.copies is not None and not 1 <= data.copies <= 10_000:
        err("copies", _("Số lượng bản phải từ 1 đến 10.000."))
    if errors:
        raise ValidationError(errors)
    return _CleanDraft(subject=subject, found=found, externals=externals, unit=unit)


def _check_draft_file(files: Sequence[object]) -> None:
    for f in files:
        if getattr(f, "content_type", None) not in (DOCX, PDF):
            raise invalid("files", _("Dự thảo phải là tệp DOCX hoặc PDF."))


def outgoing_draft(*, actor: User, data: DraftInput, now: dt.datetime | None = None) -> Document:
    """A specialist drafts an outgoing document: fields, recipients, signer, the draft file
    (version 1) and attachments."""
    at = now_or(now)
    who = actor_for(actor)
    if not who.is_official:
        raise PermissionDenied(_("Chỉ cán bộ của cơ quan được soạn văn bản."))
    post = _drafting_post(who, data.agency_id)
    agency = post.agency
    cleaned = _clean_draft(
        data, agency, post.department.short_name if post.department is not None else ""
    )
    draft_files = usable_files(who, list(data.files)) if data.files else []
    _check_draft_file(draft_files)
    if draft_files and draft_files[0].content_type == DOCX:
        from tinhso.documents.conversion import check_docx_stored

        check_docx_stored(draft_files[0], field="files")
    replaced = None
    if data.replaces is not None:
        replaced = (
            visible_documents(who)
            .filter(
                pk=data.replaces,
                agency=agency,
                direction=Direction.OUTGOING,
                status=DocumentStatus.ISSUED,
            )
            .first()
        )
        if replaced is None:
            raise invalid("replaces", _("Chỉ thay thế được văn bản đã phát hành của cơ quan."))
        if data.amendment not in ("replace", "correct"):
            raise invalid("amendment", _("Chọn thay thế hoặc đính chính."))
    if (
        data.reply_to is not None
        and not visible_documents(who).filter(pk=data.reply_to, agency=agency).exists()
    ):
        raise invalid("reply_to", _("Không tìm thấy văn bản được trả lời trong cơ quan."))
    with transaction.atomic():
        d = Document(
            agency=agency,
            direction=Direction.OUTGOING,
            status=DocumentStatus.DRAFT,
            source=Source.ELECTRONIC,
            department=post.department,
            doc_type=data.doc_type,
            subject=cleaned.subject,
            urgency=data.urgency,
            issuer_name=agency.name,
            issuer_code=agency.code,
            issuer_agency=agency,
            signer_id=data.signer,
            due_on=data.due_on,
            page_count=data.page_count,
            copies=data.copies,
            replaces=replaced,
            amendment=data.amendment if replaced is not None else "",
            reply_to_id=data.reply_to,
            unit=cleaned.unit,
            note=data.note.strip(),
            created_by=actor,
            created_at=at,
        )
        signer = User.objects.only("full_name").get(pk=data.signer or 0)
        d.signer_name = signer.full_name
        d.search_text = search_text(d)
        d.save(force_insert=True)
        found = cleaned.found
        Recipient.objects.bulk_create(
            [
                *(
                    Recipient(document=d, agency_id=pk, name=name, is_internal=True)
                    for pk, name in found.items()
                ),
                *(
                    Recipient(document=d, name=r.name, code=r.code, is_internal=False)
                    for r in cleaned.externals
                ),
            ]
        )
        if draft_files:
            _add_version(d, actor, draft_files[0].pk, "", at)
        attach_files(
            d, who, actor, list(data.attachments), FileRole.ATTACHMENT, field="attachments"
        )
        activity(d, "draft", actor, at=at)
        audit_record(actor=actor, action="documents.outgoing.draft", obj=d, agency=agency)
        reindex(d)
    return d


def _add_version(
    d: Document, actor: User, file_id: int, note: str, at: dt.datetime
) -> DraftVersion:
    number = (d.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    v = DraftVersion.objects.create(
        document=d, number=number, file_id=file_id, note=note, created_by=actor, created_at=at
    )
    DocumentFile.objects.create(
        document=d, file_id=file_id, role=FileRole.DRAFT, version=v, added_by=actor
    )
    return v


def outgoing_add_version(
    *,
    actor: User,
    document_id: int,
    file_id: int,
    note: str = "",
    convert: bool = False,
    now: dt.datetime | None = None,
) -> DraftVersion:
    """A new version of the draft (the drafter and department, or a reviewer whose turn it
    is); a DOCX is converted to PDF first when asked and LibreOffice is installed."""
    at = now_or(now)
    who = actor_for(actor)
    d = visible_documents(who).filter(pk=document_id, direction=Direction.OUTGOING).first()
    if d is None:
        raise DocumentConflict(_("Không tìm thấy văn bản."), code="not_found")
    (stored,) = usable_files(who, [file_id], field="file")
    _check_draft_file([stored])
    pdf = None
    if convert and stored.content_type == DOCX:
        from tinhso.documents.conversion import docx_to_pdf

        pdf = docx_to_pdf(stored, actor=actor)  # before the transaction: it takes seconds
    elif stored.content_type == DOCX:
        from tinhso.documents.conversion import check_docx_stored

        check_docx_stored(stored, field="file")
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        turn = _current_step(d)
        if d.status not in (*EDITABLE, DocumentStatus.IN_REVIEW):
            raise DocumentConflict(_("Dự thảo đang ở bước không sửa được."))
        if not (
            (d.status in EDITABLE and may_edit_draft(who, d))
            or (
                d.status == DocumentStatus.IN_REVIEW
                and turn is not None
                and may_decide(who, d, turn)
            )
        ):
            raise PermissionDenied(
                _("Chỉ người soạn thảo, hoặc người đang đến lượt duyệt, được thêm phiên bản.")
            )
        v = _add_version(d, actor, stored.pk, note.strip(), at)
        if pdf is not None:
            v.pdf = pdf
            v.save(update_fields=["pdf"])
            DocumentFile.objects.create(
                document=d, file=pdf, role=FileRole.DRAFT, version=v, added_by=actor
            )
        activity(d, "version", actor, note=note.strip(), data={"version": v.number}, at=at)
        audit_record(
            actor=actor,
            action="documents.outgoing.version",
            obj=d,
            agency=d.agency_id,
            changes={"version": [None, v.number]},
        )
        reindex(d)
    return v


def outgoing_comment(
    *,
    actor: User,
    document_id: int,
    text: str,
    version_id: int | None = None,
    now: dt.datetime | None = None,
) -> Comment:
    at = now_or(now)
    who = actor_for(actor)
    text = text.strip()
    if not text:
        raise invalid("text", _("Chưa nhập nội dung góp ý."))
    if len(text) > 5000:
        raise invalid("text", _("Góp ý dài quá 5.000 ký tự."))
    d = visible_documents(who).filter(pk=document_id, direction=Direction.OUTGOING).first()
    if d is None:
        raise DocumentConflict(_("Không tìm thấy văn bản."), code="not_found")
    if d.status == DocumentStatus.ISSUED:
        raise DocumentConflict(_("Văn bản đã phát hành, không góp ý vào dự thảo nữa."))
    if version_id is not None and not d.versions.filter(pk=version_id).exists():
        raise invalid("version", _("Phiên bản không thuộc dự thảo này."))
    with transaction.atomic():
        c = Comment.objects.create(
            document=d, version_id=version_id, author=actor, text=text, created_at=at
        )
        audit_record(actor=actor, action="documents.outgoing.comment", obj=d, agency=d.agency_id)
    return c


def chain_for(d: Document) -> list[str]:
    """The configured chain of the document's type, else the agency's default, else ours."""
    rows = {
        c.doc_type: c.steps
        for c in ApprovalChain.objects.filter(agency_id=d.agency_id, doc_type__in=[d.doc_type, ""])
    }
    steps = rows.get(d.doc_type) or rows.get("") or list(DEFAULT_CHAIN)
    return [str(s) for s in steps]


def _department_heads(department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list(
        Membership.objects.filter(
            department_id=department_id, role=Role.LANH_DAO, is_active=True
        ).values_list("user_id", flat=True)
    )


def _plan(d: Document, drafter_id: int) -> list[ApprovalStep]:
    """Resolve the chain into steps: who (one official, or any head of a department / leader
    of the agency); consecutive steps of one person merge; the drafter never approves own."""
    steps: list[ApprovalStep] = []
    last_person: int | None = drafter_id
    for kind in chain_for(d):
        approver: int | None = None
        department_id: int | None = None
        if kind == "signer":
            approver = d.signer_id
        elif kind == "department_head":
            heads = _department_heads(d.department_id)
            if not heads or drafter_id in heads:
                continue  # no head, or the head drafts himself
            if len(heads) == 1:
                approver = heads[0]
            else:
                department_id = d.department_id
        elif kind == "agency_leader":
            department_id = None
        elif kind.startswith("user:") and kind[5:].isdigit():
            approver = int(kind[5:])
        else:
            continue
        if approver is not None and approver in (last_person, drafter_id):
            continue
        steps.append(
            ApprovalStep(document=d, kind=kind, approver_id=approver, department_id=department_id)
        )
        last_person = approver
    return steps


def outgoing_submit(*, actor: User, document_id: int, now: dt.datetime | None = None) -> Document:
    """Send the draft for review along the chain (a new round after a return)."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        if not may_edit_draft(who, d):
            raise PermissionDenied(_("Chỉ người soạn hoặc phòng soạn thảo được trình dự thảo."))
        if d.status not in EDITABLE:
            raise DocumentConflict(_("Dự thảo đã được trình hoặc đã phát hành."))
        if not d.versions.exists():
            raise invalid(
                "files", _("Chưa có tệp dự thảo: tải lên bản DOCX hoặc PDF trước khi trình.")
            )
        if not _signer_ok(d.agency_id, d.signer_id):
            raise invalid("signer", _("Người ký phải là lãnh đạo của cơ quan."))
        round_ = (d.approvals.order_by("-round").values_list("round", flat=True).first() or 0) + 1
        steps = _plan(d, d.created_by_id)
        for order, step in enumerate(steps, start=1):
            step.round = round_
            step.order = order
        ApprovalStep.objects.bulk_create(steps)
        d.status = DocumentStatus.IN_REVIEW if steps else DocumentStatus.APPROVED
        d.save(update_fields=["status", "updated_at"])
        activity(d, "submit", actor, data={"round": round_, "steps": len(steps)}, at=at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.outgoing.submit", obj=d, agency=d.agency_id)
    return d


def _current_step(d: Document) -> ApprovalStep | None:
    return (
        d.approvals.filter(decision=ApprovalStep.Decision.WAITING)
        .order_by("-round", "order")
        .first()
    )


def _decision_step(who: Actor, d: Document) -> ApprovalStep:
    if d.status != DocumentStatus.IN_REVIEW:
        raise DocumentConflict(_("Văn bản không ở bước trình duyệt."))
    step = _current_step(d)
    if step is None or not may_decide(who, d, step):
        raise PermissionDenied(_("Chưa đến lượt bạn duyệt văn bản này."))
    return step


def outgoing_approve(
    *, actor: User, document_id: int, comment: str = "", now: dt.datetime | None = None
) -> Document:
    """The reviewer whose turn it is approves; after the last step the document waits for
    the clerk to issue it."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        step = _decision_step(who, d)
        step.decision = ApprovalStep.Decision.APPROVED
        step.decided_by = actor
        step.decided_at = at
        step.comment = comment.strip()
        step.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        if _current_step(d) is None:
            d.status = DocumentStatus.APPROVED
            d.save(update_fields=["status", "updated_at"])
        activity(d, "approve", actor, note=comment.strip(), data={"step": step.order}, at=at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(
            actor=actor,
            action="documents.outgoing.approve",
            obj=d,
            agency=d.agency_id,
            changes={"step": [None, step.order]},
        )
    return d


def outgoing_return(
    *, actor: User, document_id: int, comment: str, now: dt.datetime | None = None
) -> Document:
    """The reviewer whose turn it is returns the draft with comments; the round ends."""
    at = now_or(now)
    who = actor_for(actor)
    comment = comment.strip()
    if not comment:
        raise invalid("comment", _("Cần ghi ý kiến khi trả lại dự thảo."))
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        step = _decision_step(who, d)
        step.decision = ApprovalStep.Decision.RETURNED
        step.decided_by = actor
        step.decided_at = at
        step.comment = comment
        step.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
        d.approvals.filter(round=step.round, decision=ApprovalStep.Decision.WAITING).update(
            decision=ApprovalStep.Decision.SKIPPED
        )
        Comment.objects.create(document=d, author=actor, text=comment, created_at=at)
        d.status = DocumentStatus.RETURNED
        d.save(update_fields=["status", "updated_at"])
        activity(d, "return", actor, note=comment, at=at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.outgoing.return", obj=d, agency=d.agency_id)
    return d


def _final_pdf(d: Document, who: Actor, file_id: int | None) -> int:
    if file_id is not None:
        (stored,) = usable_files(who, [file_id], field="file")
        if stored.content_type != PDF:
            raise invalid("file", _("Văn bản phát hành phải là tệp PDF."))
        return stored.pk
    v = d.versions.select_related("file").order_by("-number").first()
    if v is not None and v.pdf_id is not None:
        return v.pdf_id
    if v is not None and v.file.content_type == PDF:
        return v.file_id
    raise invalid(
        "file",
        _(
            "Bản cuối cùng chưa có PDF: tải lên bản PDF (hoặc chuyển DOCX sang PDF) trước khi phát hành."
        ),
    )


def outgoing_issue(
    *, actor: User, document_id: int, file_id: int | None = None, now: dt.datetime | None = None
) -> Document:
    """The clerk issues the approved document: the next number of the outgoing register in
    the Vietnamese year, its notation, the issued PDF, then dispatch (Điều 15, 16, 18)."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        if not is_clerk(who, d.agency_id):
            raise PermissionDenied(_("Chỉ văn thư của cơ quan được phát hành văn bản."))
        if d.status != DocumentStatus.APPROVED:
            raise DocumentConflict(_("Chỉ phát hành được văn bản đã được duyệt."))
        pdf_id = _final_pdf(d, who, file_id)
        agency = d.agency
        unit = d.unit or (d.department.short_name if d.department_id and d.department else "")
        try:
            notation = build_notation(d.doc_type, agency.short_name, unit)
        except NotationError as exc:
            raise invalid("unit", str(exc)) from exc
        register = register_for(agency.pk, Direction.OUTGOING, d.doc_type)
        # The number last, right before the audit row: the counter stays locked until commit.
        d.year, d.register_number = next_number(register, at)
        d.number = format_number(d.register_number, register.number_width)
        d.notation = notation
        d.register = register
        d.issued_on = vietnam_date(at)
        d.registered_at = at
        d.status = DocumentStatus.ISSUED
        d.search_text = search_text(d)
        # The edXML DocumentId (QCVN 102:2016): what status packages name this document by.
        d.edxml_document_id = f"{agency.code},{d.issued_on:%Y/%m/%d},{d.number}/{d.notation}"
        d.save()
        pdf_id = _seal_for_outside(d, actor, pdf_id, at)
        DocumentFile.objects.create(
            document=d, file_id=pdf_id, role=FileRole.ISSUED, added_by=actor
        )
        activity(d, "issue", actor, data={"number": d.number, "notation": d.notation}, at=at)
        business = {"replace": BUSINESS_REPLACE, "correct": BUSINESS_UPDATE}.get(
            d.amendment, BUSINESS_NEW
        )
        delivered = _dispatch(d, actor, at, business)
        if d.replaces_id is not None:
            _mark_replaced(d, actor, at)
        audit_record(
            actor=actor,
            action="documents.outgoing.issue",
            obj=d,
            agency=agency,
            changes={
                "number": [None, d.number],
                "notation": [None, d.notation],
                "delivered": [None, delivered],
            },
        )
        reindex(d)
    return d


def _seal_for_outside(d: Document, actor: User, pdf_id: int, at: dt.datetime) -> int:
    """The file to issue: for outside recipients an unsigned PDF is sealed with the agency key
    the server holds (`pdf_seal_unattended`, the number and notation as the reason), and the
    sealed copy is issued; the unsigned one stays on the document as a draft file.

    Without such a key (or when the token does not answer) the document is issued unsigned —
    issuing inside the installation must not stop — and its packages to outside recipients fail
    with the reason (`exchange.packages`): an unsigned document is never sent (Nghị định
    30/2020, Điều 21; vn-eoffice.md §5). The seal is made while the register's counter is
    locked (the reference is known only then): issuing for outside recipients waits for it.
    """
    outside = d.recipients.filter(is_internal=False).exclude(state=RecipientState.RECALLED)
    if not outside.exists():
        return pdf_id
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.exchange.envelope import pdf_is_signed
    from tinhso.files.models import StoredFile
    from tinhso.files.services import file_store
    from tinhso.signatures.services import pdf_seal_unattended, read_file_bytes

    stored = StoredFile.objects.get(pk=pdf_id)
    data = read_file_bytes(stored)
    if pdf_is_signed(data):
        return pdf_id
    sealed = pdf_seal_unattended(agency_id=d.agency_id, data=data, reference=d.reference, now=at)
    if sealed == data:
        return pdf_id
    result = file_store(
        actor=actor, upload=SimpleUploadedFile(stored.name, sealed, content_type=PDF)
    )
    DocumentFile.objects.bulk_create(
        [DocumentFile(document=d, file_id=pdf_id, role=FileRole.DRAFT, added_by=actor)],
        ignore_conflicts=True,
    )
    activity(d, "seal", actor, data={"unsigned": pdf_id, "sealed": result.pk}, at=at)
    return result.pk


def _dispatch(d: Document, actor: User, at: dt.datetime, business: int) -> int:
    """Internal recipients get an incoming copy in their clerk's queue at once (01 đã đến);
    outside recipients get an exchange outbox row for the exchange worker."""
    issued = list(
        d.files.filter(role__in=(FileRole.ISSUED, FileRole.ATTACHMENT)).values_list(
            "file_id", "role"
        )
    )
    count = 0
    for r in d.recipients.select_for_update().order_by("id"):
        if r.state == RecipientState.RECALLED:
            continue
        if r.is_internal and r.agency_id is not None:
            copy = Document(
                agency_id=r.agency_id,
                direction=Direction.INCOMING,
                status=DocumentStatus.RECEIVED,
                source=Source.INTERNAL,
                doc_type=d.doc_type,
                number=d.number,
                notation=d.notation,
                issued_on=d.issued_on,
                subject=d.subject,
                urgency=d.urgency,
                deadline_at=d.deadline_at,
                page_count=d.page_count,
                issuer_name=d.issuer_name,
                issuer_code=d.issuer_code,
                issuer_agency_id=d.agency_id,
                signer_name=d.signer_name,
                signer_position=d.signer_position,
                due_on=d.due_on,
                origin=d,
                created_by=actor,
                created_at=at,
            )
            if d.replaces_id is not None:
                copy.replaces = Document.objects.filter(
                    origin_id=d.replaces_id, agency_id=r.agency_id
                ).first()
            copy.search_text = search_text(copy)
            copy.save(force_insert=True)
            DocumentFile.objects.bulk_create(
                [
                    DocumentFile(
                        document=copy,
                        file_id=fid,
                        role=FileRole.MAIN if role == FileRole.ISSUED else role,
                        added_by=actor,
                    )
                    for fid, role in issued
                ]
            )
            activity(
                copy,
                "arrive",
                actor,
                edxml_status=EdxmlStatus.ARRIVED,
                at=at,
                data={"origin": d.pk},
            )
            r.delivered = copy
            r.state = RecipientState.ARRIVED
            r.state_at = at
            r.save(update_fields=["delivered", "state", "state_at"])
            reindex(copy)
        else:
            ExchangeOutbox.objects.create(
                document=d,
                agency_id=d.agency_id,
                recipient=r,
                business_type=business,
                to_code=r.code,
                created_at=at,
            )
            r.state = RecipientState.PENDING
            r.state_at = at
            r.save(update_fields=["state", "state_at"])
        count += 1
    return count


def _mark_replaced(d: Document, actor: User, at: dt.datetime) -> None:
    """The replaced (or corrected) document and every copy of it in the installation say so;
    its outside recipients get an edXML package with Bussiness 3 (replace) or 2 (update)."""
    old = Document.objects.select_for_update().get(pk=d.replaces_id or 0)
    action = "corrected" if d.amendment == "correct" else "replaced"
    business = BUSINESS_UPDATE if d.amendment == "correct" else BUSINESS_REPLACE
    data = {"by": d.pk, "reference": d.reference}
    activity(old, action, actor, data=data, at=at)
    for copy in Document.objects.filter(origin=old):
        activity(copy, action, actor, data=data, at=at)
    told = set(d.recipients.filter(is_internal=False).values_list("code", flat=True))
    old_outside = old.recipients.filter(is_internal=False).exclude(state=RecipientState.RECALLED)
    for r in old_outside.exclude(code__in=told):
        ExchangeOutbox.objects.create(
            document=d,
            agency_id=d.agency_id,
            recipient=r,
            business_type=business,
            to_code=r.code,
            created_at=at,
        )


def outgoing_recall(
    *, actor: User, document_id: int, reason: str, now: dt.datetime | None = None
) -> Document:
    """Recall an issued document (Điều 18.4): it is marked recalled; recipients in the
    installation see their copy cancelled and are told; outside recipients get a revoke
    package (13) through the exchange outbox."""
    at = now_or(now)
    who = actor_for(actor)
    reason = reason.strip()
    if not reason:
        raise invalid("reason", _("Cần ghi lý do thu hồi văn bản."))
    with transaction.atomic():
        d = lock_document(document_id, Direction.OUTGOING)
        if not (is_clerk(who, d.agency_id) or is_agency_leader(who, d.agency_id)):
            raise PermissionDenied(_("Chỉ văn thư hoặc lãnh đạo cơ quan được thu hồi văn bản."))
        if d.status != DocumentStatus.ISSUED:
            raise DocumentConflict(_("Chỉ thu hồi được văn bản đã phát hành."))
        d.status = DocumentStatus.RECALLED
        d.recalled_at = at
        d.recall_reason = reason
        d.save(update_fields=["status", "recalled_at", "recall_reason", "updated_at"])
        activity(d, "recall", actor, note=reason, edxml_status=EdxmlStatus.RECALL, at=at)
        for r in d.recipients.select_for_update().order_by("id"):
            if r.is_internal and r.delivered_id is not None:
                copy = Document.objects.select_for_update().get(pk=r.delivered_id)
                copy.status = DocumentStatus.RECALLED
                copy.recalled_at = at
                copy.recall_reason = reason
                copy.save(update_fields=["status", "recalled_at", "recall_reason", "updated_at"])
                activity(
                    copy,
                    "recalled",
                    actor,
                    note=reason,
                    edxml_status=EdxmlStatus.RECALL_AGREED,
                    at=at,
                )
                reindex(copy)
            elif not r.is_internal:
                ExchangeOutbox.objects.create(
                    document=d,
                    agency_id=d.agency_id,
                    recipient=r,
                    kind=ExchangeOutbox.Kind.STATUS,
                    business_type=BUSINESS_REVOKE,
                    status_code=EdxmlStatus.RECALL,
                    to_code=r.code,
                    description=reason,
                    created_at=at,
                )
            r.state = RecipientState.RECALLED
            r.state_at = at
            r.save(update_fields=["state", "state_at"])
        audit_record(
            actor=actor,
            action="documents.outgoing.recall",
            obj=d,
            agency=d.agency_id,
            changes={"reason": [None, reason]},
        )
        reindex(d)
    return d
