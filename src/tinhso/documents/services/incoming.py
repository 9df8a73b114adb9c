"""Incoming documents (văn bản đến): registration, presenting, assignment and processing.

Nghị định 30/2020:
- Điều 21: receive; check; refuse (return) what is misdirected or invalid; notify the sender;
- Điều 22: register in the incoming register, one number series per year for paper and
  electronic documents, with the fields of Phụ lục VI;
- Điều 23: present to the leader, who assigns a main processor, co-processors and readers
  with a direction and a due date; urgent documents at once;
- Điều 24: processing and follow-up of due dates.

Every step writes a history row (`Activity`) with the edXML status it maps to (01 đã đến,
02 từ chối, 03 đã tiếp nhận, 04 phân công, 05 đang xử lý, 06 hoàn thành) so the exchange can
send status packages back; for a document received from inside the installation the sender's
recipient row follows the same codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Role, User
from tinhso.audit.services import audit_record
from tinhso.documents.access import is_agency_leader, is_clerk, leads_department
from tinhso.documents.errors import DocumentConflict, LikelyDuplicate
from tinhso.documents.kinds import SECRECY_MARKINGS, TYPES_BY_CODE, EdxmlStatus, Urgency
from tinhso.documents.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    FileRole,
    Recipient,
    Register,
    Source,
)
from tinhso.documents.numbering import (
    NotationError,
    clean_notation,
    clean_number,
    vietnam_date,
    vietnam_year,
)
from tinhso.documents.services.common import (
    NEXT_NUMBER_SQL,
    activity,
    activity_row,
    agency_officials,
    attach_files,
    invalid,
    lock_document,
    next_number,
    now_or,
    register_for,
    reindex,
    search_text,
)
from tinhso.organizations.codes import InvalidIdentificationCode, normalize_identification_code
from tinhso.rowwrite import Insert, execute_prepared, insert_rows
from tinhso.text import fold

#: Earliest date a document may carry (the state's founding); anything before is a typo.
EARLIEST_DATE = dt.date(1945, 9, 2)
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class IncomingInput:
    issuer_name: str
    number: str
    notation: str
    issued_on: dt.date | None
    doc_type: str
    subject: str
    urgency: str = Urgency.NORMAL
    issuer_code: str = ""
    page_count: int | None = None
    signer_name: str = ""
    signer_position: str = ""
    due_on: dt.date | None = None
    deadline_at: dt.datetime | None = None
    files: Sequence[int] = field(default_factory=tuple)
    attachments: Sequence[int] = field(default_factory=tuple)
    source: str = Source.PAPER
    #: The confidentiality marking as printed on the document ("" when none): mật, tối mật
    #: and tuyệt mật are refused.
    secrecy: str = ""
    register_id: int | None = None
    agency_id: int | None = None
    note: str = ""


def _clerk_agency(actor: Actor, requested: int | None) -> int:
    """The id of the agency the clerk registers for (from the actor's posts: no query)."""
    agencies = sorted(actor.agency_ids_with_role(Role.VAN_THU))
    if not agencies:
        raise PermissionDenied(_("Chỉ văn thư của cơ quan được vào sổ văn bản đến."))
    if requested is None:
        agency_id = agencies[0]
    elif requested in agencies:
        agency_id = requested
    else:
        raise PermissionDenied(_("Bạn không phải văn thư của cơ quan này."))
    return agency_id


def _refuse_secret(marking: str) -> None:
    """State secrets never travel on this system (Luật Bảo vệ bí mật nhà nước 2018; the
    provinces' e-office rules exclude them, vn-eoffice.md §1)."""
    folded = fold(marking)
    if not folded:
        return
    words = folded.replace("-", " ").split()
    if any(m in folded for m in SECRECY_MARKINGS if " " in m) or "mat" in words:
        raise invalid(
            "secrecy",
            _(
                "Văn bản có độ mật (mật, tối mật, tuyệt mật) không được xử lý trên hệ thống này: "
                "bí mật nhà nước được quản lý, chuyển giao theo quy định riêng về bảo vệ bí mật "
                "nhà nước. Đề nghị chuyển văn bản theo đường giấy."
            ),
        )


def clean_incoming(data: IncomingInput, today: dt.date) -> dict[str, object]:
    """Check every field, collecting all messages at once (Vietnamese, per field)."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        _refuse_secret(data.secrecy)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                err(name, message)
    issuer_name = " ".join(data.issuer_name.split())
    if not issuer_name:
        err("issuer_name", _("Chưa nhập cơ quan ban hành."))
    elif len(issuer_name) > 255:
        err("issuer_name", _("Tên cơ quan ban hành dài quá 255 ký tự."))
    issuer_code = data.issuer_code.strip()
    if issuer_code:
        try:
            issuer_code = normalize_identification_code(issuer_code)
        except InvalidIdentificationCode as exc:
            err("issuer_code", str(exc))
    number = notation = ""
    try:
        number = clean_number(data.number)
    except NotationError as exc:
        err("number", str(exc))
    try:
        notation = clean_notation(data.notation)
    except NotationError as exc:
        err("notation", str(exc))
    if data.issued_on is None:
        err("issued_on", _("Chưa nhập ngày văn bản."))
    elif data.issued_on > today:
        err("issued_on", _("Ngày văn bản không thể sau ngày hôm nay."))
    elif data.issued_on < EARLIEST_DATE:
        err("issued_on", _("Ngày văn bản không hợp lệ."))
    if data.doc_type not in TYPES_BY_CODE:
        err("type", _("Loại văn bản không có trong danh mục của Nghị định 30/2020."))
    subject = " ".join(data.subject.split())
    if not subject:
        err("subject", _("Chưa nhập trích yếu nội dung."))
    elif len(subject) > 500:
        err("subject", _("Trích yếu dài quá 500 ký tự."))
    if data.urgency not in Urgency.values:
        err("urgency", _("Độ khẩn không hợp lệ."))
    if data.urgency == Urgency.EXPRESS_TIMED and data.deadline_at is None:
        err("deadline_at", _("Văn bản hỏa tốc hẹn giờ cần có thời hạn (giờ, ngày)."))
    if data.page_count is not None and not 1 <= data.page_count <= MAX_PAGES:
        err("page_count", _("Số trang phải từ 1 đến 10.000."))
    if data.due_on is not None and data.due_on < today:
        err("due_on", _("Hạn xử lý không thể trước ngày hôm nay."))
    if len(data.signer_name) > 150:
        err("signer_name", _("Tên người ký dài quá 150 ký tự."))
    if len(data.signer_position) > 150:
        err("signer_position", _("Chức vụ người ký dài quá 150 ký tự."))
    if data.source not in (Source.PAPER, Source.ELECTRONIC):
        err("source", _("Nguồn văn bản không hợp lệ."))
    if data.source == Source.ELECTRONIC and not data.files:
        err("files", _("Văn bản điện tử phải có tệp văn bản."))
    if errors:
        raise ValidationError(errors)
    return {
        "issuer_name": issuer_name,
        "issuer_code": issuer_code,
        "number": number,
        "notation": notation,
        "subject": subject,
    }


# Registration is the clerks' busiest call: the duplicate check is one prepared statement.
_DUPLICATES = (
    'SELECT "id", "issuer_code", "issuer_name", "notation" FROM "documents_document" '
    'WHERE "agency_id" = %s AND "direction" = %s AND "number" = %s AND "status" <> %s AND '
)
_DUPLICATES_ON_DATE = _DUPLICATES + '"issued_on" = %s LIMIT 50'
_DUPLICATES_UNDATED = _DUPLICATES + '"issued_on" IS NULL LIMIT 50'


def likely_duplicates(
    agency_id: int,
    *,
    issuer_name: str,
    issuer_code: str,
    number: str,
    notation: str,
    issued_on: dt.date | None,
) -> list[int]:
    """Incoming documents of the agency with the same issuer, number/notation and date.

    The database narrows by number and date (indexed); issuer and notation are compared folded
    in Python, so case, Unicode normalisation and tone placement never hide a duplicate (SQLite's
    case-insensitive match knows only ASCII)."""
    rows = execute_prepared(
        _DUPLICATES_ON_DATE if issued_on is not None else _DUPLICATES_UNDATED,
        [
            agency_id,
            Direction.INCOMING.value,
            number,
            DocumentStatus.REFUSED.value,
            *([issued_on] if issued_on is not None else []),
        ],
    )
    name, mark = fold(issuer_name), fold(notation)
    return [
        pk
        for pk, code, other_name, other_notation in rows
        if fold(other_notation) == mark
        and ((issuer_code and code == issuer_code) or (name and fold(other_name) == name))
    ][:5]


#: Registration's numbered writes on PostgreSQL (`_write_numbered`): the register's next number
#: in the year (the counter row locked until commit), the document with it, its history row.
_NUMBERED_WITH = f"WITH n AS ({NEXT_NUMBER_SQL})"


#: A new document's id, reserved before its row exists (its files are attached first; the foreign
#: keys are checked at commit).
_RESERVE_ID_SQL = "SELECT nextval(pg_get_serial_sequence('documents_document', 'id'))"


def _write_numbered(d: Document, register: Register, actor: User, at: dt.datetime) -> None:
    """Take the register's next number and write the document and its history row (03 đã tiếp
    nhận) in one statement (PostgreSQL). `d` may have its id already (reserved, its files
    attached before the number is taken)."""
    d.year = vietnam_year(at)
    d.register_number = 0  # replaced by the counter's number in the statement
    reserved = d.pk is not None
    document = Insert([d])
    document_sql, document_params = document.sql_with(
        {"register_number": ('SELECT "last" FROM n', [])}
    )
    history = activity_row(d, "register", actor, edxml_status=EdxmlStatus.REGISTERED, at=at)
    row = Insert([history])
    history_sql, history_params = row.sql_with(
        {} if reserved else {"document_id": ('SELECT "id" FROM d', [])}
    )
    # With its id reserved the document's INSERT returns nothing (PostgreSQL runs a data-modifying
    # WITH query whether or not it is read).
    final = (
        'SELECT n."last", a."id" FROM n, a'
        if reserved
        else ('SELECT n."last", a."id", d."id" FROM n, d, a')
    )
    # The statements are the code's (rowwrite's INSERTs of the two models); values are parameters.
    (found,) = execute_prepared(
        f"{_NUMBERED_WITH}, d AS ({document_sql}), a AS ({history_sql}) {final}",
        [register.pk, d.year, *document_params, *history_params],
    )
    number, history_id = found[0], found[1]
    d.register_number = int(number)
    document.written([] if reserved else [(found[2],)])
    history.document_id = d.pk
    row.written([(history_id,)])


def incoming_register(
    *,
    actor: User,
    data: IncomingInput,
    confirm_duplicate: bool = False,
    now: dt.datetime | None = None,
) -> Document:
    """Register a document received on paper or as a file (Điều 22): the next incoming number
    of the register's year, the files, a history row (03 đã tiếp nhận) and the audit row."""
    at = now_or(now)
    who = actor_for(actor)
    agency_id = _clerk_agency(who, data.agency_id)
    cleaned = clean_incoming(data, vietnam_date(at))
    if not confirm_duplicate:
        duplicates = likely_duplicates(
            agency_id,
            issuer_name=str(cleaned["issuer_name"]),
            issuer_code=str(cleaned["issuer_code"]),
            number=str(cleaned["number"]),
            notation=str(cleaned["notation"]),
            issued_on=data.issued_on,
        )
        if duplicates:
            raise LikelyDuplicate(
                _(
                    "Văn bản này có thể đã được vào sổ (cùng cơ quan ban hành, số, ký hiệu và "
                    "ngày). Kiểm tra lại; nếu đúng là văn bản khác, xác nhận để vào sổ."
                ),
                duplicates,
            )
    with transaction.atomic():
        register = register_for(agency_id, Direction.INCOMING, data.doc_type, data.register_id)
        d = Document(
            agency_id=agency_id,
            direction=Direction.INCOMING,
            status=DocumentStatus.REGISTERED,
            source=data.source,
            doc_type=data.doc_type,
            number=str(cleaned["number"]),
            notation=str(cleaned["notation"]),
            issued_on=data.issued_on,
            subject=str(cleaned["subject"]),
            urgency=data.urgency,
            deadline_at=data.deadline_at,
            page_count=data.page_count,
            issuer_name=str(cleaned["issuer_name"]),
            issuer_code=str(cleaned["issuer_code"]),
            signer_name=data.signer_name.strip(),
            signer_position=data.signer_position.strip(),
            due_on=data.due_on,
            note=data.note.strip(),
            register=register,
            registered_at=at,
            created_by=actor,
            created_at=at,
        )
        d.search_text = search_text(d)
        if connection.vendor == "postgresql":
            if data.files or data.attachments:
                # The files checked and attached first, to the document's reserved id.
                ((d.pk,),) = execute_prepared(_RESERVE_ID_SQL, [])
                attach_files(d, who, actor, list(data.files), FileRole.MAIN)
                attach_files(
                    d, who, actor, list(data.attachments), FileRole.ATTACHMENT, field="attachments"
                )
            # The number, the document and its history row in one statement: the counter row
            # stays locked until commit, and only the audit row's statement runs under it.
            _write_numbered(d, register, actor, at)
        else:
            # The number last before the files, the history and the audit row.
            d.year, d.register_number = next_number(register, at)
            insert_rows([d])
            attach_files(d, who, actor, list(data.files), FileRole.MAIN)
            attach_files(
                d, who, actor, list(data.attachments), FileRole.ATTACHMENT, field="attachments"
            )
            activity(d, "register", actor, edxml_status=EdxmlStatus.REGISTERED, at=at)
        audit_record(
            actor=actor,
            action="documents.incoming.register",
            obj=d,
            agency=agency_id,
            changes={"incoming_number": [None, d.register_number], "register": [None, register.pk]},
        )
        reindex(d)
    return d


def _origin_follow(d: Document, code: str, at: dt.datetime) -> None:
    """A document received from inside the installation: the sender's recipient row follows."""
    if d.origin_id is None:
        return
    Recipient.objects.filter(document_id=d.origin_id, delivered_id=d.pk).update(
        state=code, state_at=at
    )


def incoming_accept(
    *,
    actor: User,
    document_id: int,
    register_id: int | None = None,
    due_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Register a document that arrived electronically in the clerk's queue (status
    `received`): the same number series as paper documents (Điều 22.1)."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id)
        if not is_clerk(who, d.agency_id) or d.direction != Direction.INCOMING:
            raise PermissionDenied(_("Chỉ văn thư của cơ quan nhận được vào sổ văn bản đến."))
        if d.status != DocumentStatus.RECEIVED:
            raise DocumentConflict(_("Văn bản này đã được vào sổ hoặc đã trả lại."))
        if due_on is not None and due_on < vietnam_date(at):
            raise invalid("due_on", _("Hạn xử lý không thể trước ngày hôm nay."))
        register = register_for(d.agency_id, Direction.INCOMING, d.doc_type, register_id)
        d.register = register
        d.registered_at = at
        d.status = DocumentStatus.REGISTERED
        if due_on is not None:
            d.due_on = due_on
        d.year, d.register_number = next_number(register, at)
        d.save()
        activity(d, "register", actor, edxml_status=EdxmlStatus.REGISTERED, at=at)
        _origin_follow(d, EdxmlStatus.REGISTERED, at)
        audit_record(
            actor=actor,
            action="documents.incoming.register",
            obj=d,
            agency=d.agency,
            changes={"incoming_number": [None, d.register_number]},
        )
        reindex(d)
    return d


def incoming_refuse(
    *, actor: User, document_id: int, reason: str, now: dt.datetime | None = None
) -> Document:
    """Return a misdirected or invalid electronic document to its sender (Điều 21.2b; 02)."""
    at = now_or(now)
    who = actor_for(actor)
    reason = reason.strip()
    if not reason:
        raise invalid("reason", _("Cần ghi lý do trả lại văn bản."))
    with transaction.atomic():
        d = lock_document(document_id)
        if not is_clerk(who, d.agency_id) or d.direction != Direction.INCOMING:
            raise PermissionDenied(_("Chỉ văn thư của cơ quan nhận được trả lại văn bản."))
        if d.status != DocumentStatus.RECEIVED:
            raise DocumentConflict(_("Chỉ trả lại được văn bản điện tử chưa vào sổ."))
        d.status = DocumentStatus.REFUSED
        d.note = reason
        d.save(update_fields=["status", "note", "updated_at"])
        activity(d, "refuse", actor, note=reason, edxml_status=EdxmlStatus.REFUSED, at=at)
        _origin_follow(d, EdxmlStatus.REFUSED, at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.incoming.refuse", obj=d, agency=d.agency)
    return d


def incoming_present(
    *, actor: User, document_id: int, leader_id: int, note: str = "", now: dt.datetime | None = None
) -> Assignment:
    """The clerk presents a registered document to a leader of the agency (Điều 23.1)."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id)
        if not is_clerk(who, d.agency_id) or d.direction != Direction.INCOMING:
            raise PermissionDenied(_("Chỉ văn thư của cơ quan trình văn bản đến."))
        if d.status not in (DocumentStatus.REGISTERED, DocumentStatus.PRESENTED):
            raise DocumentConflict(_("Văn bản đã được phân công xử lý."))
        leader = agency_officials(d.agency_id, [leader_id]).get(leader_id)
        if leader is None or not any(
            m.role == Role.LANH_DAO
            for m in leader.user.memberships.filter(agency_id=d.agency_id, is_active=True)
        ):
            raise invalid("leader", _("Người được trình phải là lãnh đạo của cơ quan."))
        Assignment.objects.filter(
            document=d, is_presentation=True, status=AssignmentStatus.WAITING
        ).update(status=AssignmentStatus.WITHDRAWN)
        a = Assignment.objects.create(
            document=d,
            assignee_id=leader_id,
            department=leader.department,
            role=AssignmentRole.MAIN,
            is_presentation=True,
            direction=note.strip(),
            assigned_by=actor,
            assigned_at=at,
            due_on=d.due_on,
        )
        d.status = DocumentStatus.PRESENTED
        d.save(update_fields=["status", "updated_at"])
        activity(
            d,
            "present",
            actor,
            note=note.strip(),
            data={"leader": leader_id},
            edxml_status=EdxmlStatus.ASSIGNED,
            at=at,
        )
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.incoming.present", obj=d, agency=d.agency)
    return a


@dataclass(frozen=True, slots=True)
class AssignInput:
    main: int
    supports: Sequence[int] = ()
    readers: Sequence[int] = ()
    direction: str = ""
    due_on: dt.date | None = None


def _may_route(who: Actor, d: Document) -> bool:
    """Leaders of the agency route; a department head routes what was given to his department;
    the leader it was presented to routes it."""
    if is_agency_leader(who, d.agency_id):
        return True
    if leads_department(who, d.department_id):
        return True
    return Assignment.objects.filter(
        document=d,
        assignee_id=who.user_id,
        is_presentation=True,
        status__in=(AssignmentStatus.WAITING, AssignmentStatus.SEEN),
    ).exists()


def incoming_assign(
    *, actor: User, document_id: int, data: AssignInput, now: dt.datetime | None = None
) -> list[Assignment]:
    """The leader assigns the main processor, co-processors and readers, with a direction and
    a due date (Điều 23.2–23.4); 04 phân công."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        d = lock_document(document_id)
        if d.direction != Direction.INCOMING or not _may_route(who, d):
            raise PermissionDenied(_("Chỉ lãnh đạo được phân công xử lý văn bản này."))
        if d.status not in (
            DocumentStatus.REGISTERED,
            DocumentStatus.PRESENTED,
            DocumentStatus.ASSIGNED,
        ):
            raise DocumentConflict(_("Văn bản ở trạng thái này không phân công được nữa."))
        ids = [data.main, *data.supports, *data.readers]
        if len(set(ids)) != len(ids):
            raise invalid("supports", _("Một người chỉ nhận một vai trò trong một lần phân công."))
        if data.due_on is not None and data.due_on < vietnam_date(at):
            raise invalid("due_on", _("Hạn xử lý không thể trước ngày hôm nay."))
        members = agency_officials(d.agency_id, ids)
        missing = [pk for pk in ids if pk not in members]
        if missing:
            raise invalid(
                "main",
                _("Người được phân công phải là cán bộ của cơ quan (mã %(ids)s).")
                % {"ids": ", ".join(map(str, missing))},
            )
        due_on = data.due_on or d.due_on
        # A re-assignment replaces the open assignments of the previous one.
        Assignment.objects.filter(
            document=d,
            status__in=(
                AssignmentStatus.WAITING,
                AssignmentStatus.SEEN,
                AssignmentStatus.IN_PROGRESS,
            ),
        ).exclude(is_presentation=True).update(status=AssignmentStatus.WITHDRAWN)
        Assignment.objects.filter(document=d, is_presentation=True).exclude(
            status=AssignmentStatus.WITHDRAWN
        ).update(status=AssignmentStatus.DONE, completed_at=at)
        rows = [
            Assignment(
                document=d,
                assignee_id=pk,
                department=members[pk].department,
                role=role,
                direction=data.direction.strip(),
                due_on=due_on,
                assigned_by=actor,
                assigned_at=at,
            )
            for pk, role in [
                (data.main, AssignmentRole.MAIN),
                *((pk, AssignmentRole.SUPPORT) for pk in data.supports),
                *((pk, AssignmentRole.READER) for pk in data.readers),
            ]
        ]
        created = Assignment.objects.bulk_create(rows)
        d.status = DocumentStatus.ASSIGNED
        d.department = members[data.main].department
        d.due_on = due_on
        d.save(update_fields=["status", "department", "due_on", "updated_at"])
        activity(
            d,
            "assign",
            actor,
            note=data.direction.strip(),
            edxml_status=EdxmlStatus.ASSIGNED,
            data={
                "main": data.main,
                "supports": list(data.supports),
                "readers": list(data.readers),
                "due_on": due_on.isoformat() if due_on else None,
            },
            at=at,
        )
        _origin_follow(d, EdxmlStatus.ASSIGNED, at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(
            actor=actor,
            action="documents.incoming.assign",
            obj=d,
            agency=d.agency,
            changes={"main": [None, data.main]},
        )
    from tinhso.documents import notify

    transaction.on_commit(lambda: notify.assigned([a.pk for a in created]))
    return created


def _own_assignment(who: Actor, assignment_id: int) -> Assignment:
    """The actor's assignment, locked after its document (every service locks the document
    first, then its assignments: one order, no deadlock)."""
    document_id = (
        Assignment.objects.filter(pk=assignment_id).values_list("document_id", flat=True).first()
    )
    if document_id is None:
        raise DocumentConflict(_("Không tìm thấy phân công."), code="not_found")
    document = lock_document(document_id)
    a = Assignment.objects.select_for_update().get(pk=assignment_id)
    a.document = document
    if a.assignee_id != who.user_id:
        raise PermissionDenied(_("Đây không phải văn bản được giao cho bạn."))
    return a


def assignment_pass_on(
    *,
    actor: User,
    assignment_id: int,
    to_id: int,
    direction: str = "",
    due_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Assignment:
    """The main processor passes the document on inside the department (Điều 23.3)."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        a = _own_assignment(who, assignment_id)
        if a.role != AssignmentRole.MAIN or a.is_presentation:
            raise DocumentConflict(_("Chỉ người xử lý chính được chuyển tiếp văn bản."))
        if a.status in (
            AssignmentStatus.DONE,
            AssignmentStatus.PASSED_ON,
            AssignmentStatus.WITHDRAWN,
        ):
            raise DocumentConflict(_("Phân công này đã kết thúc."))
        target = agency_officials(a.document.agency_id, [to_id]).get(to_id)
        if (
            target is None
            or target.department_id is None
            or target.department_id != a.department_id
        ):
            raise invalid("to", _("Chỉ chuyển tiếp được cho cán bộ trong cùng phòng, ban."))
        if to_id == who.user_id:
            raise invalid("to", _("Không thể chuyển tiếp cho chính mình."))
        if due_on is not None and a.due_on is not None and due_on > a.due_on:
            raise invalid("due_on", _("Hạn xử lý không được sau hạn lãnh đạo đã giao."))
        a.status = AssignmentStatus.PASSED_ON
        a.completed_at = at
        a.save(update_fields=["status", "completed_at"])
        child = Assignment.objects.create(
            document=a.document,
            assignee_id=to_id,
            department=target.department,
            role=AssignmentRole.MAIN,
            direction=direction.strip() or a.direction,
            due_on=due_on or a.due_on,
            parent=a,
            assigned_by=actor,
            assigned_at=at,
        )
        activity(a.document, "pass_on", actor, note=direction.strip(), data={"to": to_id}, at=at)
        audit_record(
            actor=actor,
            action="documents.incoming.pass_on",
            obj=a.document,
            agency=a.document.agency,
        )
    from tinhso.documents import notify

    transaction.on_commit(lambda: notify.assigned([child.pk]))
    return child


def assignment_mark_seen(
    *, actor: User, assignment_id: int, now: dt.datetime | None = None
) -> None:
    """Opening a document given to you marks your assignment seen (not audited: a read)."""
    Assignment.objects.filter(
        pk=assignment_id, assignee_id=actor.pk, status=AssignmentStatus.WAITING
    ).update(status=AssignmentStatus.SEEN, seen_at=now_or(now))


def assignment_start(
    *, actor: User, assignment_id: int, now: dt.datetime | None = None
) -> Assignment:
    """The processor starts work: 05 đang xử lý."""
    at = now_or(now)
    who = actor_for(actor)
    with transaction.atomic():
        a = _own_assignment(who, assignment_id)
        if a.status not in (AssignmentStatus.WAITING, AssignmentStatus.SEEN):
            raise DocumentConflict(_("Phân công này đã bắt đầu hoặc đã kết thúc."))
        if a.is_presentation:
            raise DocumentConflict(_("Văn bản được trình: hãy phân công xử lý."))
        a.status = AssignmentStatus.IN_PROGRESS
        a.seen_at = a.seen_at or at
        a.save(update_fields=["status", "seen_at"])
        d = a.document
        if a.role == AssignmentRole.MAIN and d.status == DocumentStatus.ASSIGNED:
            d.status = DocumentStatus.IN_PROGRESS
            d.save(update_fields=["status", "updated_at"])
            activity(d, "start", actor, edxml_status=EdxmlStatus.PROCESSING, at=at)
            _origin_follow(d, EdxmlStatus.PROCESSING, at)
        else:
            activity(d, "start", actor, at=at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.incoming.start", obj=d, agency=d.agency_id)
    return a


def assignment_complete(
    *,
    actor: User,
    assignment_id: int,
    result_note: str = "",
    reply_document_id: int | None = None,
    now: dt.datetime | None = None,
) -> Assignment:
    """The processor records the result (a note, a reply document); the main processor's
    completion completes the document: 06 hoàn thành (Điều 24)."""
    at = now_or(now)
    who = actor_for(actor)
    note = result_note.strip()
    with transaction.atomic():
        a = _own_assignment(who, assignment_id)
        if a.status in (
            AssignmentStatus.DONE,
            AssignmentStatus.PASSED_ON,
            AssignmentStatus.WITHDRAWN,
        ):
            raise DocumentConflict(_("Phân công này đã kết thúc."))
        if a.is_presentation:
            raise DocumentConflict(_("Văn bản được trình: hãy phân công xử lý."))
        if a.role == AssignmentRole.MAIN and not note and reply_document_id is None:
            raise invalid("result_note", _("Ghi kết quả xử lý hoặc chọn văn bản trả lời."))
        if reply_document_id is not None:
            from tinhso.documents.access import visible_documents

            reply = (
                visible_documents(who)
                .filter(pk=reply_document_id, agency_id=a.document.agency_id)
                .first()
            )
            if reply is None:
                raise invalid("reply_document", _("Không tìm thấy văn bản trả lời."))
        a.status = AssignmentStatus.DONE
        a.completed_at = at
        a.result_note = note
        a.reply_document_id = reply_document_id
        a.save(update_fields=["status", "completed_at", "result_note", "reply_document"])
        d = a.document
        if a.role == AssignmentRole.MAIN:
            d.status = DocumentStatus.COMPLETED
            d.completed_at = at
            d.save(update_fields=["status", "completed_at", "updated_at"])
            activity(
                d,
                "complete",
                actor,
                note=note,
                edxml_status=EdxmlStatus.COMPLETED,
                at=at,
                data={"reply_document": reply_document_id},
            )
            _origin_follow(d, EdxmlStatus.COMPLETED, at)
        else:
            activity(d, "complete_part", actor, note=note, at=at)
        reindex(d)  # status, department: the search's filter columns
        audit_record(actor=actor, action="documents.incoming.complete", obj=d, agency=d.agency_id)
    return a
