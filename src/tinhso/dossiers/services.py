"""Every change of a one-stop dossier, each in one transaction with its audit row.

Receipt (`dossier_receive`) checks the dossier against the procedure's components and either
receives it (code, deadline, Mẫu 01), asks for a supplement once (Mẫu 02) or refuses to
proceed with a list of what is missing. Then `dossier_act` applies one `Action` of
`rules.Action`: the status machine of `rules.TRANSITIONS` and the permissions of
`access.may_act` decide, an illegal one raises `TransitionRefused` (HTTP 409).

Every action writes: the dossier row, a row of the history (`Activity`), hand-over rows of
the control slip (Mẫu 05) when the dossier moves between steps, notification outbox rows for
the applicant, and last the audit row (which serialises on the audit chain).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.audit.services import (
    APPENDED,
    REQUIRE_APPENDED,
    append_queries,
    audit_appended,
    audit_chain_start,
    audit_event,
    audit_record,
    audit_write,
    is_no_head,
)
from tinhso.dossiers import deadlines, notify
from tinhso.dossiers.access import is_counter, may_act
from tinhso.dossiers.models import Activity as ActivityRow
from tinhso.dossiers.models import (
    ApplicantKind,
    Channel,
    Dossier,
    DossierAgency,
    DossierComponent,
    FeeStatus,
    Handover,
    IdempotencyKey,
    PaymentMethod,
    Rating,
    ResultFile,
    ReturnMethod,
    Status,
    rule_set_on,
)
from tinhso.dossiers.rules import (
    TRANSITIONS,
    Action,
    TransitionRefused,
    dossier_code,
    dossier_code_prefix,
    next_status,
    normalize_phone,
    outcome_of,
    valid_cccd,
    valid_old_id,
)
from tinhso.notifications.services import notification_insert, notification_written
from tinhso.organizations.models import Agency, Department
from tinhso.procedures.models import (
    Component,
    Fee,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    StepAgency,
    StepKind,
    VersionStatus,
)
from tinhso.revision import RevisionWatch, still_current
from tinhso.rowwrite import Insert, execute_prepared, insert_rows, insert_together
from tinhso.text import fold
from tinhso.workcalendar.arithmetic import TIMEZONE, CalendarError, to_local

# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicantInput:
    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class ComponentInput:
    """A paper handed in: for a component of the procedure (`component`) or an extra one
    (`name`); `file` is an uploaded scan; `paper` says the officer checked the paper itself."""

    component: int | None = None
    file: int | None = None
    name: str = ""
    originals: int | None = None
    copies: int | None = None
    paper: bool = False


@dataclass(frozen=True, slots=True)
class ReceiptInput:
    procedure_code: str
    channel: str
    applicant: ApplicantInput
    components: Sequence[ComponentInput] = ()
    subject: str = ""
    sets: int = 1
    agency: int | None = None
    #: What to do with an incomplete dossier: "reject" (answer with what is missing, save
    #: nothing) or "request_supplement" (receive it in status 5 and issue Mẫu 02).
    on_incomplete: str = "reject"
    fee_status: str = ""
    fee_method: str = ""
    fee_receipt_number: str = ""


@dataclass(frozen=True, slots=True)
class ActionInput:
    """The parameters an action may take; each action reads the ones it needs."""

    reason: str = ""
    note: str = ""
    to_user: int | None = None
    new_due_date: dt.date | None = None
    files: Sequence[int] = ()
    components: Sequence[ComponentInput] = ()
    method: str = ""
    receipt_number: str = ""
    amount: Decimal | None = None
    exempt: bool = False
    rating: str = ""


# --- Helpers ---------------------------------------------------------------------------------

MAX_REASON = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _refuse(message: str, code: str = "illegal_transition") -> TransitionRefused:
    return TransitionRefused(message, code=code)


def _status_name(status: int) -> str:
    return str(Status(status).label)


def _snapshot(d: Dossier) -> dict[str, Any]:
    return {
        "status": d.status,
        "due_at": d.due_at,
        "extended_due_at": d.extended_due_at,
        "current_step": d.current_step_id,
        "current_agency": d.current_agency_id,
        "current_department": d.current_department_id,
        "current_assignee": d.current_assignee_id,
        "fee_status": d.fee_status,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before[k], after[k]] for k in before if before[k] != after[k]}


def _validate_applicant(a: ApplicantInput, errors: dict[str, list[str]]) -> ApplicantInput:
    name = " ".join(a.name.split())
    if a.kind not in ApplicantKind.values:
        errors.setdefault("applicant.kind", []).append(
            _("Loại người nộp phải là công dân, doanh nghiệp hoặc tổ chức.")
        )
    if not name:
        errors.setdefault("applicant.name", []).append(_("Cần nhập họ tên người nộp hồ sơ."))
    elif len(name) > 255:
        errors.setdefault("applicant.name", []).append(_("Họ tên dài quá 255 ký tự."))
    id_number = a.id_number.strip().replace(" ", "")
    if a.kind == ApplicantKind.CITIZEN:
        if not id_number:
            errors.setdefault("applicant.id_number", []).append(
                _("Cần nhập số căn cước (12 chữ số) của công dân.")
            )
        elif not (valid_cccd(id_number) or valid_old_id(id_number)):
            errors.setdefault("applicant.id_number", []).append(
                _(
                    "Số căn cước “%(value)s” không hợp lệ: căn cước có 12 chữ số, ba số đầu là "
                    "mã tỉnh nơi đăng ký khai sinh (001–096); chứng minh nhân dân cũ có 9 chữ số."
                )
                % {"value": id_number}
            )
    elif id_number and len(id_number) > 20:
        errors.setdefault("applicant.id_number", []).append(_("Mã số dài quá 20 ký tự."))
    phone = ""
    if a.phone.strip():
        normalized = normalize_phone(a.phone)
        if normalized is None:
            errors.setdefault("applicant.phone", []).append(
                _(
                    "Số điện thoại “%(value)s” không hợp lệ: di động có 10 chữ số bắt đầu bằng "
                    "03, 05, 07, 08, 09; cố định có 11 chữ số bắt đầu bằng 02."
                )
                % {"value": a.phone.strip()}
            )
        else:
            phone = normalized
    email = a.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("applicant.email", []).append(
                _("Địa chỉ thư điện tử “%(value)s” không hợp lệ.") % {"value": email}
            )
    address = " ".join(a.address.split())
    if len(address) > 500:
        errors.setdefault("applicant.address", []).append(_("Địa chỉ dài quá 500 ký tự."))
    return ApplicantInput(a.kind, name, id_number, phone, email, address)


def receivable(version: ProcedureVersion, agency: Agency) -> bool:
    """Whether a counter of `agency` receives this procedure: the catalogue's rule
    (`procedures.selectors.receivable_levels`: communes receive commune-level procedures, the
    Service Center and the province's bodies provincial and central ones)."""
    from tinhso.procedures.selectors import receivable_levels

    return bool(set(version.levels or []) & set(receivable_levels(agency)))


# --- The catalogue as a receipt reads it, kept per process ----------------------------------
# A counter receives the same few procedures all day: the published version with its steps,
# components and fees, the agencies and departments it names, are read once per process and
# kept while the catalogue's revision (`procedures.CatalogueRevision`, moved by database
# triggers on every write to those tables) stays the same. A process re-reads that one row at
# most once per `TINHSO_CATALOGUE_RECHECK_SECONDS` (by default the working calendar's re-check
# interval: 2 s in production, 0 — no keeping — in tests), so every process sees a
# publication, a renamed agency or department within that interval; the process that saves
# one also drops everything it kept at once. The objects kept are shared by the requests of
# a process and must not be changed.

_T = TypeVar("_T")
#: key -> (catalogue revision when read, monotonic time when read, value)
_catalogue: dict[tuple[Any, ...], tuple[int | None, float, Any]] = {}
_catalogue_lock = threading.Lock()
#: Bumped by every forget: a read that started before it must not be kept after it.
_catalogue_generation = 0
_revision = RevisionWatch('SELECT "revision" FROM "procedures_cataloguerevision" WHERE "id" = 1')
_monotonic = time.monotonic  # replaced in tests to move the clock
#: Beyond this many entries the process forgets them all (a province has ~2,000 procedures).
_CATALOGUE_MAX = 20_000


def catalogue_recheck_seconds() -> float:
    """How long a process trusts the catalogue rows it has read (0: read them every time)."""
    return float(
        getattr(
            settings,
            "TINHSO_CATALOGUE_RECHECK_SECONDS",
            settings.TINHSO_CALENDAR_RECHECK_SECONDS,
        )
    )


def catalogue_cache_clear(**_: Any) -> None:
    """Forget the catalogue rows this process has kept."""
    global _catalogue_generation
    with _catalogue_lock:
        _catalogue_generation += 1
        _catalogue.clear()
    _revision.forget()


for _model in (Procedure, ProcedureVersion, ProcessStep, Component, Fee, Agency, Department):
    post_save.connect(catalogue_cache_clear, sender=_model, dispatch_uid=f"receipt-{_model}")
    post_delete.connect(catalogue_cache_clear, sender=_model, dispatch_uid=f"receipt-{_model}-d")


def _kept(key: tuple[Any, ...], load: Callable[[], _T]) -> _T:
    """`load()`, or what it returned while the catalogue's revision is the same (without a
    revision row, as after a test's flush: for the re-check interval)."""
    interval = catalogue_recheck_seconds()
    if interval <= 0:
        return load()
    now = _monotonic()
    with _catalogue_lock:
        generation = _catalogue_generation
    revision = _revision.current(interval, now)
    entry = _catalogue.get(key)
    if entry is not None and still_current(entry[0], entry[1], revision, now, interval):
        value: _T = entry[2]
        return value
    value = load()
    with _catalogue_lock:
        if generation == _catalogue_generation:
            if len(_catalogue) >= _CATALOGUE_MAX:
                _catalogue.clear()
            _catalogue[key] = (revision, now, value)
    return value


def _load_published_version(code: str) -> ProcedureVersion:
    version = (
        ProcedureVersion.objects.select_related("procedure", "competent_agency")
        .prefetch_related(
            "components",
            "fees",
            Prefetch(
                "steps",
                queryset=ProcessStep.objects.select_related("agency", "department").order_by(
                    "order"
                ),
            ),
        )
        .filter(procedure__code=code, status=VersionStatus.PUBLISHED)
        .first()
    )
    if version is None:
        raise ValidationError(
            {
                "procedure_code": [
                    _("Không có thủ tục đang áp dụng với mã “%(code)s”.") % {"code": code}
                ]
            }
        )
    version._ordered_steps = list(version.steps.all())  # type: ignore[attr-defined]
    return version


def _published_version(code: str) -> ProcedureVersion:
    """The version in force of the procedure `code`, with its steps (in order, with their
    agency and department), components and fees."""
    code = code.strip()
    return _kept(("version", code), lambda: _load_published_version(code))


def _agency(pk: int) -> Agency:
    return _kept(("agency", pk), lambda: Agency.objects.get(pk=pk))


def _department(pk: int) -> Department | None:
    return _kept(("department", pk), lambda: Department.objects.filter(pk=pk).first())


def _counter_agency(actor: Actor, requested: int | None) -> Agency:
    agencies = actor.agency_ids_with_role(Role.MOT_CUA)
    if requested is not None:
        if requested not in agencies:
            raise PermissionDenied(_("Bạn không phải cán bộ một cửa của cơ quan này."))
        agency_id = requested
    elif len(agencies) == 1:
        (agency_id,) = agencies
    elif not agencies:
        raise PermissionDenied(_("Chỉ cán bộ một cửa mới được tiếp nhận hồ sơ."))
    else:
        raise ValidationError(
            {"agency": [_("Bạn làm việc ở nhiều bộ phận một cửa: hãy chọn nơi tiếp nhận.")]}
        )
    return _agency(agency_id)


def _counter_department(actor: Actor, agency_id: int) -> int | None:
    for m in actor.memberships:
        if m.agency_id == agency_id and m.role == Role.MOT_CUA:
            return m.department_id
    return None


#: One statement that creates the day's counter at 1 or adds one to it, returning the number:
#: PostgreSQL and SQLite (3.35 and later) both speak this upsert.
_COUNTER_UPSERT = (
    'INSERT INTO "dossiers_codecounter" ("agency_id", "day", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("agency_id", "day") DO UPDATE SET "last" = "dossiers_codecounter"."last" + 1'
)
_NEXT_NUMBER_SQL = f'{_COUNTER_UPSERT} RETURNING "last"'

#: The receipt on PostgreSQL is one statement, its own transaction (`_write_receipt`): the
#: dossier's id from the table's sequence (`r`), the day's next number (`n`: the counter row
#: locked until the statement commits), then every row of the dossier with the id and the code
#: made of them, and its audit row (the trail's lock after the counter's).
_RESERVE = "r AS (SELECT nextval(pg_get_serial_sequence('dossiers_dossier', 'id')) AS id)"
_NUMBERED = (
    f"n AS ({_COUNTER_UPSERT} "
    'RETURNING lpad("last"::text, greatest(4, length("last"::text)), \'0\') AS num)'
)
_ID = "SELECT id FROM r"
_ID_TEXT = "SELECT id::text FROM r"
_CODE = "SELECT %s || num FROM n"  # dossier_code: the prefix and at least four digits
_SEARCH = "SELECT left(%s || num, 600) FROM n"  # _search_text: the code, lower-cased, last
_MARKED = "SELECT replace(%s, %s, %s || num) FROM n"  # notify.CODE_MARK → the code


@dataclass(slots=True)
class _Built:
    """A receipt ready to be written: the dossier and every row that goes with it."""

    dossier: Dossier
    components: list[DossierComponent]
    missing: list[Component]
    version: ProcedureVersion
    agency: Agency
    day: dt.date
    actor: User
    now: dt.datetime


def _write_receipt(built: _Built, key: str, request_hash: str) -> None:
    """Write the receipt in one statement (PostgreSQL), a transaction of its own unless the
    caller's: nothing of it, or all of it, with its mail, its audit row and its
    `Idempotency-Key`. The counter's lock is held for this statement's run and commit alone.

    Fails with the trail's `NO_HEAD` error, having written nothing, when the audit chain has
    no head row yet (`dossier_receive` then starts it and receives again)."""
    d, agency, day = built.dossier, built.agency, built.day
    prefix = dossier_code_prefix(agency.code, day)
    d.pk = 0  # the statement's (`r`); a value here so that the row's INSERT names its id
    d.code = ""
    searched = _search_text(d)
    groups = [list(group) for group in _children(built) if group]
    mail = notify.receipt_mail(d)
    event = _receipt_event(built)
    queries = [_RESERVE, _NUMBERED]
    params: list[Any] = [agency.pk, day]
    row = Insert([d])
    dossier_sql, dossier_params = row.sql_with(
        {
            "id": (_ID, []),
            "code": (_CODE, [prefix]),
            "search_text": (
                _SEARCH,
                [f"{searched} {prefix.lower()}" if searched else prefix.lower()],
            ),
        }
    )
    queries.append(f"d AS ({dossier_sql})")
    params.extend(dossier_params)
    inserts = [Insert(group) for group in groups]
    for index, insert in enumerate(inserts):
        child_sql, child_params = insert.sql_with({"dossier": (_ID, [])})
        queries.append(f"c{index} AS ({child_sql})")
        params.extend(child_params)
    outputs = [f"ARRAY(SELECT id FROM c{index})" for index in range(len(inserts))]  # noqa: S608
    message: Insert | None = None
    if mail is not None:
        message = Insert([mail])
        message_sql, message_params = message.sql_with(
            {
                "subject": (_MARKED, [mail.subject, notify.CODE_MARK, prefix]),
                "body_text": (_MARKED, [mail.body_text, notify.CODE_MARK, prefix]),
                "object_id": (_ID_TEXT, []),
            }
        )
        queries.append(f"o AS ({message_sql})")
        params.extend(message_params)
        outputs.append("(SELECT id FROM o)")
    if key:
        kept = IdempotencyKey(key=key, user=built.actor, request_hash=request_hash, dossier_id=0)
        key_sql, key_params = Insert([kept]).sql_with({"dossier": (_ID, [])})
        queries.append(f"i AS ({key_sql})")
        params.extend(key_params)
    audit = append_queries(
        event, after="n", texts={"object_id": (_ID, []), "object_repr": (_CODE, [prefix])}
    )
    queries.append(audit.sql)
    params.extend(audit.params)
    # The caller's constants and the trail's: every value is a parameter.
    statement = (
        f"WITH {', '.join(queries)} "  # noqa: S608
        f"SELECT (SELECT id FROM r), num, {APPENDED}, {REQUIRE_APPENDED}, "
        f"{', '.join(outputs) or 'NULL'} FROM n"
    )
    ((pk, number, *values),) = execute_prepared(statement, params)
    appended, returned = values[:5], values[6:]
    d.pk = pk
    d.code = prefix + number
    d.search_text = _search_text(d)
    row.written([])
    for insert in inserts:
        for obj in insert.objs:
            obj.dossier_id = pk  # type: ignore[attr-defined]
        insert.written([(child,) for child in returned.pop(0)])
    if mail is not None and message is not None:
        notify.put_code(mail, d.code)
        mail.object_id = str(pk)
        message.written([(returned.pop(0),)])
        notification_written(mail)
    audit_appended(audit, appended, {"object_id": str(pk), "object_repr": d.code})


def _number(d: Dossier, agency: Agency, day: dt.date) -> None:
    """Give the new dossier its code: the next number of the day at the agency.

    The upsert leaves the counter row locked until commit: concurrent receipts wait for each
    other and get consecutive numbers, with no duplicate, and no gap either, since a receipt
    that rolls back takes its number back. The caller writes the dossier's row right after,
    with its code, and nothing else it can write earlier.
    """
    ((number,),) = execute_prepared(_NEXT_NUMBER_SQL, [agency.pk, day])
    d.code = dossier_code(agency.code, day, number)
    d.search_text = _search_text(d)


def _steps(version: ProcedureVersion) -> list[ProcessStep]:
    """The version's steps in order, read once per version object (a published version's
    steps never change)."""
    cached: list[ProcessStep] | None = getattr(version, "_ordered_steps", None)
    if cached is None:
        cached = list(version.steps.order_by("order"))
        version._ordered_steps = cached  # type: ignore[attr-defined]
    return cached


def _step_place(dossier: Dossier, step: ProcessStep) -> tuple[Agency, Department | None]:
    """The agency and department that hold `step` for this dossier."""
    if step.agency_mode == StepAgency.FIXED and step.agency_id is not None:
        agency = step.agency
        assert agency is not None
    elif step.agency_mode == StepAgency.COMPETENT:
        agency = dossier.resolving_agency
    else:
        agency = dossier.receiving_agency
    if step.department is not None and step.department.agency_id == agency.pk:
        return agency, step.department
    if step.department_short_name:
        short_name = step.department_short_name
        department = _kept(
            ("department", agency.pk, short_name),
            lambda: Department.objects.filter(
                agency=agency, short_name=short_name, is_active=True
            ).first(),
        )
        return agency, department
    return agency, None


def _search_text(d: Dossier) -> str:
    return " ".join(
        part
        for part in (
            fold(d.applicant_name),
            d.applicant_id_number,
            d.applicant_phone,
            d.code.lower(),
        )
        if part
    )[:600]


def _activity(
    d: Dossier, action: str, status_from: int | None, actor: User | None, note: str, at: dt.datetime
) -> None:
    insert_rows([_activity_row(d, action, status_from, actor, note, at)])


def _activity_row(
    d: Dossier, action: str, status_from: int | None, actor: User | None, note: str, at: dt.datetime
) -> ActivityRow:
    return ActivityRow(
        dossier=d,
        action=action,
        status_from=status_from,
        status_to=d.status,
        actor=actor,
        actor_label=(actor.full_name or actor.username) if actor is not None else "",
        note=note[:MAX_REASON],
        occurred_at=at,
    )


@dataclass(slots=True)
class _Pending:
    """The hand-over and place rows of a dossier being received, written after its own row
    in one statement each (a receipt that transfers at once has two of each)."""

    handovers: list[Handover] = field(default_factory=list)
    places: dict[tuple[int, int | None], DossierAgency] = field(default_factory=dict)


#: Set on a new dossier's object while the receipt builds it (see `_pending_rows`).
_PENDING = "_pending_rows"


def _pending(d: Dossier) -> _Pending | None:
    pending: _Pending | None = getattr(d, _PENDING, None)
    return pending


def _pending_rows(d: Dossier) -> tuple[list[Handover], list[DossierAgency]]:
    """The rows collected while the new dossier was built, given its id."""
    pending: _Pending = d.__dict__.pop(_PENDING)
    for handover in pending.handovers:
        handover.dossier_id = d.pk
    places = list(pending.places.values())
    for place in places:
        place.dossier_id = d.pk
    return pending.handovers, places


def _remember_place(d: Dossier, agency: Agency, department: Department | None) -> None:
    rows = [DossierAgency(dossier=d, agency=agency, department=department)]
    if department is not None:
        # The agency's leaders see what passes through any of its departments.
        rows.append(DossierAgency(dossier=d, agency=agency, department=None))
    pending = _pending(d)
    if pending is not None:
        for row in rows:
            pending.places.setdefault((row.agency_id, row.department_id), row)
        return
    DossierAgency.objects.bulk_create(rows, ignore_conflicts=True)


#: Within one service call the last hand-over row is kept on the dossier object, so a receipt
#: (two hand-overs) does not read back what it has just written.
_LAST = "_last_handover"


def _last_handover(d: Dossier) -> Handover | None:
    if hasattr(d, _LAST):
        last: Handover | None = getattr(d, _LAST)
        return last
    last = Handover.objects.filter(dossier=d).order_by("-seq").first()
    setattr(d, _LAST, last)
    return last


def _close_open_handover(d: Dossier, at: dt.datetime) -> None:
    last = _last_handover(d)
    if last is None or last.completed_at is not None:
        return
    last.completed_at = at
    if last.step_due_at is not None:
        last.outcome = outcome_of(at, last.step_due_at, TIMEZONE)
    if last.pk is not None:  # else a receipt's row, written complete with the others
        last.save(update_fields=["completed_at", "outcome"])


def _handover(
    d: Dossier,
    *,
    action: str,
    step: ProcessStep | None,
    at: dt.datetime,
    from_user: User | None,
    from_agency: Agency | None,
    from_department: Department | None,
    to_agency: Agency | None,
    to_department: Department | None,
    to_user: User | None,
    step_due_at: dt.datetime | None,
    note: str = "",
) -> Handover:
    _close_open_handover(d, at)
    last = _last_handover(d)
    row = Handover(
        dossier=d,
        seq=(last.seq if last is not None else 0) + 1,
        action=action,
        step=step,
        from_agency=from_agency,
        from_department=from_department,
        from_user=from_user,
        to_agency=to_agency,
        to_department=to_department,
        to_user=to_user,
        handed_at=at,
        step_due_at=step_due_at,
        note=note[:MAX_REASON],
    )
    pending = _pending(d)
    if pending is not None:
        pending.handovers.append(row)
    else:
        row.save(force_insert=True)
    setattr(d, _LAST, row)
    return row


def _move_to_step(
    d: Dossier,
    step: ProcessStep,
    *,
    action: str,
    at: dt.datetime,
    actor: User | None,
    to_user: User | None = None,
    note: str = "",
) -> None:
    """Hand the dossier over to `step` (a row of Mẫu 05) and make it the current step."""
    agency, department = _step_place(d, step)
    calendar = deadlines.calendar_of(agency.code)
    due = deadlines.step_due(calendar, at, step.duration_hours)
    _handover(
        d,
        action=action,
        step=step,
        at=at,
        from_user=actor,
        from_agency=d.current_agency,
        from_department=d.current_department,
        to_agency=agency,
        to_department=department,
        to_user=to_user,
        step_due_at=due,
        note=note,
    )
    d.current_step = step
    d.current_agency = agency
    d.current_department = department
    d.current_assignee = to_user
    d.step_due_at = due
    _remember_place(d, agency, department)


def _check_assignee(
    step: ProcessStep, agency: Agency, department: Department | None, user_id: int
) -> User:
    from tinhso.accounts.models import Membership

    member = Membership.objects.filter(
        user_id=user_id, agency=agency, role=step.role, is_active=True
    )
    if department is not None:
        member = member.filter(department=department)
    if not member.exists():
        raise ValidationError(
            {
                "to_user": [
                    _("Người được chọn không đảm nhận bước “%(step)s”.") % {"step": step.name}
                ]
            }
        )
    return User.objects.get(pk=user_id)


def _component_rows(
    version: ProcedureVersion,
    items: Sequence[ComponentInput],
    actor: Actor,
    channel: str,
) -> tuple[list[DossierComponent], list[Component]]:
    """The dossier's component rows, and the required components that are missing."""
    from tinhso.files.access import usable_files

    components = {c.pk: c for c in version.components.all()}
    file_ids = [i.file for i in items if i.file is not None]
    files = {f.pk: f for f in usable_files(actor, file_ids)} if file_ids else {}
    rows: list[DossierComponent] = []
    provided: set[int] = set()
    errors: list[str] = []
    for index, item in enumerate(items, start=1):
        component = components.get(item.component) if item.component is not None else None
        if item.component is not None and component is None:
            errors.append(
                _("Dòng %(n)d: thành phần hồ sơ %(id)s không thuộc thủ tục này.")
                % {"n": index, "id": item.component}
            )
            continue
        name = component.name if component is not None else " ".join(item.name.split())
        if not name:
            errors.append(
                _("Dòng %(n)d: cần chọn thành phần hồ sơ hoặc ghi tên giấy tờ.") % {"n": index}
            )
            continue
        stored = files.get(item.file) if item.file is not None else None
        paper_ok = item.paper and channel != Channel.ONLINE
        is_provided = stored is not None or paper_ok
        if component is not None and is_provided:
            provided.add(component.pk)
        rows.append(
            DossierComponent(
                component=component,
                name=name[:2000],
                file=stored,
                originals=item.originals
                if item.originals is not None
                else (component.originals if component else 0),
                copies=item.copies
                if item.copies is not None
                else (component.copies if component else 0),
                provided=is_provided,
            )
        )
    if errors:
        raise ValidationError({"components": errors})
    missing = [c for c in components.values() if c.required and c.pk not in provided]
    return rows, missing


def _missing_message(missing: Sequence[Component]) -> list[str]:
    return [
        _("Thiếu thành phần hồ sơ: %(name)s (mã %(id)d).") % {"name": c.name[:200], "id": c.pk}
        for c in missing
    ]


def _request_hash(data: ReceiptInput) -> str:
    return hashlib.sha256(
        json.dumps(asdict(data), sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


# --- Receipt ---------------------------------------------------------------------------------


def dossier_receive(
    *,
    actor: User,
    data: ReceiptInput,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[Dossier, bool]:
    """Receive a dossier at the counter (or from an integrator acting for the counter).

    Returns `(dossier, created)`; with an `idempotency_key` already used by this user for the
    same request the first dossier is returned with `created=False` (a different request
    under the same key is refused).

    Nghị định 61/2018 Điều 19 / Nghị định 118/2025 Điều 11: complete → received with a code,
    a deadline and Mẫu 01; incomplete → Mẫu 02, one request only; the transfer to the resolving
    agency happens at once, or at the start of the next working day after 15:00.
    """
    key = idempotency_key.strip()
    if len(key) > 255:
        raise ValidationError({"idempotency_key": [_("Khóa Idempotency-Key dài quá 255 ký tự.")]})
    request_hash = _request_hash(data) if key else ""
    if key:
        existing = _idempotent(actor, key, request_hash)
        if existing is not None:
            return existing, False
    at = _now(now)

    def receive() -> Dossier:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # One statement, its own transaction (`_write_receipt`).
            return _receive(actor=actor, data=data, now=at, key=key, request_hash=request_hash)
        with transaction.atomic():
            return _receive(actor=actor, data=data, now=at, key=key, request_hash=request_hash)

    try:
        try:
            dossier = receive()
        except DataError as error:
            if not is_no_head(error):
                raise
            # A new installation's first audited write: start the trail, then receive.
            audit_chain_start()
            dossier = receive()
    except IntegrityError:
        if key:
            existing = _idempotent(actor, key, request_hash)
            if existing is not None:
                return existing, False
        raise
    return dossier, True


def _idempotent(actor: User, key: str, request_hash: str) -> Dossier | None:
    row = IdempotencyKey.objects.select_related("dossier").filter(user=actor, key=key).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise _refuse(
            _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu tiếp nhận khác."),
            code="idempotency_conflict",
        )
    return row.dossier


def _receive(
    *, actor: User, data: ReceiptInput, now: dt.datetime, key: str, request_hash: str
) -> Dossier:
    who = actor_for(actor)
    agency = _counter_agency(who, data.agency)
    errors: dict[str, list[str]] = {}
    if data.channel not in Channel.values:
        errors["channel"] = [_("Kênh nộp phải là trực tiếp, trực tuyến hoặc bưu chính.")]
    applicant = _validate_applicant(data.applicant, errors)
    if not 1 <= data.sets <= 100:
        errors["sets"] = [_("Số bộ hồ sơ phải từ 1 đến 100.")]
    if len(data.subject) > 1000:
        errors["subject"] = [_("Nội dung yêu cầu dài quá 1.000 ký tự.")]
    if data.on_incomplete not in ("reject", "request_supplement"):
        errors["on_incomplete"] = [_("Giá trị phải là reject hoặc request_supplement.")]
    version = _published_version(data.procedure_code)
    if not receivable(version, agency):
        errors.setdefault("procedure_code", []).append(
            _("Thủ tục %(code)s không được tiếp nhận tại %(agency)s.")
            % {"code": version.procedure.code, "agency": agency.name}
        )
    steps = _steps(version)
    if len(steps) < 2:
        errors.setdefault("procedure_code", []).append(
            _("Thủ tục %(code)s chưa có quy trình nội bộ.") % {"code": version.procedure.code}
        )
    if errors:
        raise ValidationError(errors)
    rows, missing = _component_rows(version, data.components, who, data.channel)
    if missing and data.on_incomplete == "reject":
        raise ValidationError({"components": _missing_message(missing)})

    fee_total = sum((f.amount for f in version.fees.all() if f.currency == "VND"), start=Decimal(0))
    local_day = to_local(now).date()
    resolving = version.competent_agency or agency
    d = Dossier(
        procedure_version=version,
        rule_set=rule_set_on(local_day),
        channel=data.channel,
        receiving_agency=agency,
        resolving_agency=resolving,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        subject=(data.subject.strip() or version.name)[:1000],
        sets=data.sets,
        submitted_at=now,
        created_by=actor,
        fee_amount=fee_total,
        fee_status=FeeStatus.UNPAID if fee_total else FeeStatus.NONE,
    )
    _apply_fee_at_receipt(d, data)
    setattr(d, _LAST, None)  # a new dossier has no hand-over yet
    # The whole dossier is built before its row is written (one INSERT, no UPDATE after): its
    # hand-over and place rows wait in `_PENDING` for its id.
    setattr(d, _PENDING, _Pending())
    department_id = _counter_department(who, agency.pk)
    department = _department(department_id) if department_id is not None else None
    if missing:
        d.status = Status.SUPPLEMENT
        d.supplement_requests = 1
        d.reason = "\n".join(c.name[:300] for c in missing)
        d.current_agency = agency
        d.current_department = department
        _remember_place(d, agency, department)
    else:
        d.status = Status.RECEIVED
        _start_clock(d, steps, actor=actor, department=department, at=now)
    built = _Built(d, rows, missing, version, agency, local_day, actor, now)
    if connection.vendor == "postgresql":
        _write_receipt(built, key, request_hash)
        return d
    # SQLite: statement by statement, in the caller's transaction (which holds the database's
    # write lock from its start anyway).
    _number(d, agency, local_day)
    insert_rows([d])
    insert_together(_children(built))
    mail = notify.receipt_mail(d)
    if mail is not None:
        notify.put_code(mail, d.code)
        notification_insert(mail)
    audit_write(_receipt_event(built))
    if key:
        IdempotencyKey.objects.create(key=key, user=actor, request_hash=request_hash, dossier=d)
    return d


def _receipt_event(built: _Built) -> AuditEvent:
    d = built.dossier
    return audit_event(
        actor=built.actor,
        action="dossiers.dossier.receive",
        obj=d,
        agency=built.agency,
        changes={
            "status": [None, d.status],
            "procedure": built.version.procedure.code,
            "version": built.version.number,
            "due_at": d.due_at,
            "channel": d.channel,
            "components": len(built.components),
            "missing": [c.pk for c in built.missing],
        },
    )


def _children(built: _Built) -> list[Sequence[models.Model]]:
    """The new dossier's component, hand-over, place and history rows, by model."""
    d = built.dossier
    for row in built.components:
        row.dossier = d
    handovers, places = _pending_rows(d)
    if built.missing:
        history = _activity_row(
            d, Action.REQUEST_SUPPLEMENT, None, built.actor, d.reason, built.now
        )
    else:
        history = _activity_row(d, "receive", None, built.actor, "", built.now)
    return [built.components, handovers, places, [history]]


def _apply_fee_at_receipt(d: Dossier, data: ReceiptInput) -> None:
    if not data.fee_status:
        return
    if data.fee_status not in (FeeStatus.PAID, FeeStatus.EXEMPT, FeeStatus.UNPAID):
        raise ValidationError({"fee_status": [_("Trạng thái phí không hợp lệ.")]})
    if data.fee_status == FeeStatus.PAID:
        if data.fee_method not in PaymentMethod.values:
            raise ValidationError(
                {
                    "fee_method": [
                        _("Cần chọn hình thức thanh toán: tiền mặt, chuyển khoản, trực tuyến.")
                    ]
                }
            )
        d.fee_method = data.fee_method
        d.fee_receipt_number = data.fee_receipt_number.strip()[:50]
        d.fee_paid_at = d.submitted_at
    d.fee_status = (
        data.fee_status if d.fee_amount or data.fee_status == FeeStatus.EXEMPT else FeeStatus.NONE
    )


def _start_clock(
    d: Dossier,
    steps: list[ProcessStep],
    *,
    actor: User,
    department: Department | None,
    at: dt.datetime,
) -> None:
    """Received: the code's day, the legal deadline, the receive step's row of Mẫu 05, and the
    transfer (now, or at the start of the next working day after the cut-off). The caller
    saves the dossier."""
    version = d.procedure_version
    agency = d.receiving_agency
    calendar = deadlines.calendar_of(agency.code)
    d.received_at = at
    d.due_at = deadlines.legal_due(calendar, at, version.processing_time, version.time_unit)
    d.transfer_at = deadlines.transfer_moment(calendar, at)
    d.status = Status.RECEIVED
    receive_step = steps[0]
    d.current_step = receive_step
    d.current_agency = agency
    d.current_department = department
    d.current_assignee = None
    d.step_due_at = deadlines.step_due(calendar, at, receive_step.duration_hours)
    _handover(
        d,
        action="receive",
        step=receive_step,
        at=at,
        from_user=None,
        from_agency=None,
        from_department=None,
        to_agency=agency,
        to_department=department,
        to_user=actor,
        step_due_at=d.step_due_at,
    )
    _remember_place(d, agency, department)
    if d.transfer_at <= at:
        _transfer(d, actor=actor, at=at)


def _transfer(d: Dossier, *, actor: User | None, at: dt.datetime) -> None:
    steps = _steps(d.procedure_version)
    current = d.current_step or steps[0]
    following = [s for s in steps if s.order > current.order]
    if not following:
        raise _refuse(_("Quy trình không có bước xử lý sau bước tiếp nhận."))
    d.status = Status.PROCESSING
    _move_to_step(d, following[0], action="transfer", at=at, actor=actor)


# --- Actions ---------------------------------------------------------------------------------


def dossier_transfer_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Hand over the dossiers received after the cut-off whose transfer time has come (the
    periodic task runs this every minute). Returns how many moved."""
    at = _now(now)
    moved = 0
    codes = list(
        Dossier.objects.filter(status=Status.RECEIVED, transfer_at__lte=at)
        .order_by("transfer_at")
        .values_list("code", flat=True)[:limit]
    )
    for code in codes:
        with transaction.atomic():
            d = _locked(code)
            if d.status != Status.RECEIVED or d.transfer_at is None or d.transfer_at > at:
                continue
            before = _snapshot(d)
            moment = d.transfer_at
            _transfer(d, actor=None, at=moment)
            d.save()
            _activity(d, Action.TRANSFER, Status.RECEIVED, None, "", moment)
            audit_record(
                actor="system:dossier_transfer",
                action="dossiers.dossier.transfer",
                obj=d,
                agency=d.receiving_agency_id,
                changes=_changes(before, _snapshot(d)),
            )
            moved += 1
    return moved


def _locked(code: str) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure_version",
            "procedure_version__procedure",
            "receiving_agency",
            "resolving_agency",
            "current_step",
            "current_agency",
            "current_department",
        )
        .get(code=code)
    )


def dossier_act(
    *,
    actor: User,
    code: str,
    action: Action | str,
    data: ActionInput | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Apply `action` to the dossier `code` for `actor`.

    Raises `PermissionDenied` when the actor may not take the action on this dossier,
    `TransitionRefused` when its state does not allow it, `ValidationError` on bad input.
    The caller has already checked that the actor may see the dossier.
    """
    try:
        act = Action(action)
    except ValueError as exc:
        raise ValidationError(
            {"action": [_("Thao tác “%(a)s” không tồn tại.") % {"a": action}]}
        ) from exc
    params = data or ActionInput()
    at = _now(now)
    with transaction.atomic():
        d = _locked(code)
        who = actor_for(actor)
        if not may_act(who, d, act):
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này trên hồ sơ."))
        if d.status not in TRANSITIONS[act]:
            raise _refuse(
                _("Không thể %(action)s khi hồ sơ đang ở trạng thái “%(status)s”.")
                % {"action": ACTION_VERBS[act], "status": _status_name(d.status)}
            )
        before = _snapshot(d)
        status_from = d.status
        note = HANDLERS[act](d, actor, params, at)
        d.save()
        _activity(d, act, status_from, actor, note, at)
        audit_record(
            actor=actor,
            action=f"dossiers.dossier.{act.value.replace('-', '_')}",
            obj=d,
            agency=d.current_agency_id or d.receiving_agency_id,
            changes={**_changes(before, _snapshot(d)), **({"note": note[:500]} if note else {})},
        )
    return d


def _reason(params: ActionInput, *, required: bool, label: str = "") -> str:
    text = params.reason.strip()
    if required and not text:
        raise ValidationError({"reason": [label or _("Cần nêu lý do.")]})
    if len(text) > MAX_REASON:
        raise ValidationError({"reason": [_("Lý do dài quá 2.000 ký tự.")]})
    return text


def _accept(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    steps = _steps(d.procedure_version)
    department = d.current_department
    _start_clock(d, steps, actor=actor, department=department, at=at)
    notify.received(d)
    return p.note.strip()


def _request_supplement(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    """Mẫu 02. "Chỉ được yêu cầu sửa đổi, bổ sung một lần" (Nghị định 118/2025 Điều 11;
    Nghị định 61/2018 Điều 19 khoản 2): a second request is refused."""
    if d.supplement_requests >= 1:
        raise _refuse(
            _(
                "Hồ sơ đã được yêu cầu bổ sung một lần; pháp luật chỉ cho phép yêu cầu bổ sung một lần."
            ),
            code="supplement_once",
        )
    reason = _reason(p, required=True, label=_("Cần nêu các nội dung cần bổ sung, hoàn thiện."))
    d.supplement_requests += 1
    d.reason = reason
    d.status = Status.SUPPLEMENT
    if d.received_at is not None:
        d.paused_at = at  # the legal clock stops while the applicant completes the dossier
    notify.supplement_requested(d)
    return reason


def _supplement(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    who = actor_for(actor)
    if p.components:
        rows, _missing = _component_rows(d.procedure_version, p.components, who, d.channel)
        for row in rows:
            row.dossier = d
        DossierComponent.objects.bulk_create(rows)
    # What is still missing after this supplement?
    provided = set(
        DossierComponent.objects.filter(
            dossier=d, provided=True, component__isnull=False
        ).values_list("component_id", flat=True)
    )
    missing = [
        c for c in d.procedure_version.components.all() if c.required and c.pk not in provided
    ]
    if missing:
        raise ValidationError({"components": _missing_message(missing)})
    if d.paused_at is not None and d.due_at is not None:
        calendar = deadlines.calendar_of(d.receiving_agency.code)
        paused = deadlines.paused_working_time(calendar, d.paused_at, at)
        d.due_at = deadlines.shift(calendar, d.due_at, paused)
        if d.extended_due_at is not None:
            d.extended_due_at = deadlines.shift(calendar, d.extended_due_at, paused)
        if d.step_due_at is not None:
            d.step_due_at = deadlines.shift(calendar, d.step_due_at, paused)
            d.__dict__.pop(_LAST, None)
            Handover.objects.filter(dossier=d, completed_at__isnull=True).update(
                step_due_at=d.step_due_at
            )
        d.paused_at = None
        d.status = Status.PROCESSING
    else:
        steps = _steps(d.procedure_version)
        _start_clock(d, steps, actor=actor, department=d.current_department, at=at)
        notify.received(d)
    return p.note.strip()


def _refuse_dossier(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    """Mẫu 03: not eligible, with the reasons."""
    reason = _reason(p, required=True, label=_("Cần nêu rõ lý do từ chối tiếp nhận."))
    d.status = Status.NOT_RECEIVED
    d.reason = reason
    d.ended_at = at
    d.paused_at = None  # the pause ends with the dossier
    d.current_step = None
    d.current_assignee = None
    notify.refused(d)
    return reason


def _current_and_next(d: Dossier) -> tuple[ProcessStep, ProcessStep | None, ProcessStep | None]:
    steps = _steps(d.procedure_version)
    current = d.current_step
    if current is None:
        raise _refuse(_("Hồ sơ chưa được chuyển đến bước xử lý nào."))
    before = [s for s in steps if s.order < current.order]
    after = [s for s in steps if s.order > current.order]
    return current, (before[-1] if before else None), (after[0] if after else None)


def _advance(d: Dossier, actor: User, p: ActionInput, at: dt.datetime, action: str) -> str:
    current, _previous, following = _current_and_next(d)
    if following is None:
        raise _refuse(_("Đây là bước cuối của quy trình."))
    to_user = None
    if p.to_user is not None:
        agency, department = _step_place(d, following)
        to_user = _check_assignee(following, agency, department, p.to_user)
    note = p.note.strip()[:MAX_REASON]
    if p.files:
        _attach(d, actor, p.files)
    if note and current.kind in (StepKind.PROCESS, StepKind.APPROVE):
        d.result_note = note
    _move_to_step(d, following, action=action, at=at, actor=actor, to_user=to_user, note=note)
    if following.kind == StepKind.RETURN:
        # The result is ready at the counter: Đã xử lý xong.
        d.status = Status.RESOLVED
        d.resolved_at = at
        d.is_late = d.due_at is not None and at > d.due_at
        notify.result_ready(d)
    else:
        d.status = Status.PROCESSING
    return note


def _forward(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    current = d.current_step
    if current is not None and current.kind == StepKind.APPROVE:
        raise _refuse(_("Bước phê duyệt được chuyển tiếp bằng thao tác phê duyệt."))
    return _advance(d, actor, p, at, Action.FORWARD)


def _approve(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    current = d.current_step
    if current is None or current.kind != StepKind.APPROVE:
        raise _refuse(_("Hồ sơ không ở bước phê duyệt."))
    return _advance(d, actor, p, at, Action.APPROVE)


def _send_back(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    reason = _reason(p, required=True, label=_("Cần nêu lý do chuyển trả bước trước."))
    _current, previous, _following = _current_and_next(d)
    if previous is None or previous.kind == StepKind.RECEIVE:
        raise _refuse(
            _("Không thể trả về bộ phận tiếp nhận; nếu hồ sơ thiếu giấy tờ, hãy yêu cầu bổ sung.")
        )
    # Back to whoever handled the previous step last time: the sender of the hand-over that
    # followed the last hand-over into that step.
    into_previous = Handover.objects.filter(dossier=d, step=previous).order_by("-seq").first()
    to_user = None
    if into_previous is not None:
        out_of_previous = Handover.objects.filter(dossier=d, seq=into_previous.seq + 1).first()
        if out_of_previous is not None:
            to_user = out_of_previous.from_user
    _move_to_step(
        d, previous, action=Action.SEND_BACK, at=at, actor=actor, to_user=to_user, note=reason
    )
    d.status = Status.PROCESSING
    return reason


def _request_payment(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    amount = p.amount if p.amount is not None else d.fee_amount
    if amount is None or amount <= 0:
        raise ValidationError({"amount": [_("Cần nêu số tiền phải nộp (đồng).")]})
    d.fee_amount = amount
    d.fee_status = FeeStatus.UNPAID
    d.status = Status.PAYMENT
    return p.note.strip() or _("Số tiền: %(amount)s đồng") % {
        "amount": f"{amount:,.0f}".replace(",", ".")
    }


def _pay(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    if d.fee_status == FeeStatus.PAID:
        raise _refuse(_("Hồ sơ đã thanh toán phí, lệ phí."), code="already_paid")
    if p.exempt:
        d.fee_status = FeeStatus.EXEMPT
        reason = _reason(p, required=True, label=_("Cần nêu căn cứ miễn phí, lệ phí."))
        note = reason
    else:
        if p.method not in PaymentMethod.values:
            raise ValidationError(
                {
                    "method": [
                        _("Cần chọn hình thức thanh toán: tiền mặt, chuyển khoản, trực tuyến.")
                    ]
                }
            )
        receipt = p.receipt_number.strip()
        if not receipt:
            raise ValidationError({"receipt_number": [_("Cần nhập số biên lai thu.")]})
        if len(receipt) > 50:
            raise ValidationError({"receipt_number": [_("Số biên lai dài quá 50 ký tự.")]})
        if p.amount is not None:
            if p.amount < 0:
                raise ValidationError({"amount": [_("Số tiền không được âm.")]})
            d.fee_amount = p.amount
        d.fee_status = FeeStatus.PAID
        d.fee_method = p.method
        d.fee_receipt_number = receipt
        d.fee_paid_at = at
        note = receipt
    d.status = next_status(Action.PAY, d.status)
    return note


def _apologize(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    """Mẫu 04: the apology with a new appointment, issued "chậm nhất 01 ngày trước ngày hẹn
    trả", only once ("không quá một lần"); the dossier still counts as late (vn-onestop §1)."""
    if d.apologized_at is not None:
        raise _refuse(
            _("Đã gửi văn bản xin lỗi, hẹn lại một lần; không được hẹn lại lần nữa."),
            code="apology_once",
        )
    if d.due_at is None:
        raise _refuse(_("Hồ sơ chưa có ngày hẹn trả."))
    calendar = deadlines.calendar_of(d.resolving_agency.code)
    if not deadlines.one_working_day_before(calendar, at, d.due_at):
        raise _refuse(
            _(
                "Văn bản xin lỗi, hẹn lại phải gửi chậm nhất một ngày làm việc trước ngày hẹn trả (%(due)s)."
            )
            % {"due": to_local(d.due_at).strftime("%H:%M %d/%m/%Y")},
            code="apology_too_late",
        )
    reason = _reason(p, required=True, label=_("Cần nêu lý do chậm trả kết quả."))
    if p.new_due_date is None:
        raise ValidationError({"new_due_date": [_("Cần chọn ngày hẹn trả lại.")]})
    if p.new_due_date <= to_local(d.due_at).date():
        raise ValidationError(
            {"new_due_date": [_("Ngày hẹn trả lại phải sau ngày hẹn trả ban đầu.")]}
        )
    try:
        working_day = calendar.is_working_day(p.new_due_date)
    except CalendarError as exc:
        raise ValidationError(
            {"new_due_date": [_("Ngày hẹn trả lại nằm ngoài lịch làm việc.")]}
        ) from exc
    if not working_day:
        raise ValidationError({"new_due_date": [_("Ngày hẹn trả lại phải là ngày làm việc.")]})
    d.extended_due_at = calendar.end_of_working_day(p.new_due_date)
    d.apologized_at = at
    d.reason = reason
    d.is_late = True
    notify.apologized(d)
    return reason


def _withdraw(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    """Withdrawal before a decision (Nghị định 118/2025 Điều 21)."""
    reason = _reason(p, required=False)
    d.status = Status.WITHDRAWN
    d.ended_at = at
    d.paused_at = None  # the pause ends with the dossier
    d.reason = reason
    _close_open_handover(d, at)
    d.current_assignee = None
    return reason


def _stop(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    reason = _reason(p, required=True, label=_("Cần nêu lý do dừng xử lý."))
    d.status = Status.STOPPED
    d.ended_at = at
    d.paused_at = None  # the pause ends with the dossier
    d.reason = reason
    _close_open_handover(d, at)
    d.current_assignee = None
    notify.stopped(d)
    return reason


def _return_result(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    if p.method not in ReturnMethod.values:
        raise ValidationError(
            {
                "method": [
                    _("Cần chọn hình thức trả kết quả: tại bộ phận một cửa, bưu chính, trực tuyến.")
                ]
            }
        )
    if d.fee_status == FeeStatus.UNPAID:
        raise _refuse(_("Hồ sơ chưa thanh toán phí, lệ phí."), code="fee_unpaid")
    d.status = Status.RETURNED
    d.returned_at = at
    d.ended_at = at
    d.return_method = p.method
    _handover(
        d,
        action=Action.RETURN_RESULT,
        step=None,
        at=at,
        from_user=actor,
        from_agency=d.current_agency,
        from_department=d.current_department,
        to_agency=None,
        to_department=None,
        to_user=None,
        step_due_at=None,
        note=_("Trả kết quả cho người nộp"),
    )
    d.__dict__.pop(_LAST, None)
    Handover.objects.filter(dossier=d, completed_at__isnull=True).update(completed_at=at)
    d.current_assignee = None
    return p.note.strip()


def _rate(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    if d.rated_at is not None:
        raise _refuse(_("Hồ sơ đã được đánh giá."), code="already_rated")
    if p.rating not in Rating.values:
        raise ValidationError(
            {"rating": [_("Mức đánh giá phải là rất hài lòng, hài lòng hoặc không hài lòng.")]}
        )
    comment = p.note.strip()
    if len(comment) > MAX_REASON:
        raise ValidationError({"note": [_("Ý kiến dài quá 2.000 ký tự.")]})
    d.rating = p.rating
    d.rating_comment = comment
    d.rated_at = at
    return comment


def _attach(d: Dossier, actor: User, file_ids: Sequence[int]) -> None:
    from tinhso.files.access import usable_files

    files = usable_files(actor_for(actor), list(file_ids))
    ResultFile.objects.bulk_create(
        [ResultFile(dossier=d, file=f, name=f.name[:255], added_by=actor) for f in files]
    )


def _attach_result(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    if not p.files:
        raise ValidationError({"files": [_("Cần chọn tệp kết quả.")]})
    _attach(d, actor, p.files)
    return p.note.strip()


def _transfer_action(d: Dossier, actor: User, p: ActionInput, at: dt.datetime) -> str:
    """The counter hands over a dossier received after the cut-off before the scheduled time."""
    _transfer(d, actor=actor, at=at)
    d.transfer_at = at
    return p.note.strip()


HANDLERS = {
    Action.ACCEPT: _accept,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLEMENT: _supplement,
    Action.REFUSE: _refuse_dossier,
    Action.TRANSFER: _transfer_action,
    Action.FORWARD: _forward,
    Action.SEND_BACK: _send_back,
    Action.APPROVE: _approve,
    Action.REQUEST_PAYMENT: _request_payment,
    Action.PAY: _pay,
    Action.APOLOGIZE: _apologize,
    Action.WITHDRAW: _withdraw,
    Action.STOP: _stop,
    Action.RETURN_RESULT: _return_result,
    Action.RATE: _rate,
    Action.ATTACH_RESULT: _attach_result,
}

#: How the refusal message names each action ("Không thể … khi hồ sơ đang ở trạng thái …").
ACTION_VERBS: dict[Action, Any] = {
    Action.ACCEPT: gettext_lazy("tiếp nhận hồ sơ"),
    Action.REQUEST_SUPPLEMENT: gettext_lazy("yêu cầu bổ sung"),
    Action.SUPPLEMENT: gettext_lazy("nhận hồ sơ bổ sung"),
    Action.REFUSE: gettext_lazy("từ chối tiếp nhận"),
    Action.TRANSFER: gettext_lazy("chuyển xử lý"),
    Action.FORWARD: gettext_lazy("chuyển bước tiếp theo"),
    Action.SEND_BACK: gettext_lazy("trả về bước trước"),
    Action.APPROVE: gettext_lazy("phê duyệt"),
    Action.REQUEST_PAYMENT: gettext_lazy("yêu cầu thực hiện nghĩa vụ tài chính"),
    Action.PAY: gettext_lazy("ghi nhận thanh toán"),
    Action.APOLOGIZE: gettext_lazy("gửi văn bản xin lỗi, hẹn lại"),
    Action.WITHDRAW: gettext_lazy("rút hồ sơ"),
    Action.STOP: gettext_lazy("dừng xử lý"),
    Action.RETURN_RESULT: gettext_lazy("trả kết quả"),
    Action.RATE: gettext_lazy("đánh giá"),
    Action.ATTACH_RESULT: gettext_lazy("đính kèm kết quả"),
}

__all__ = [
    "ActionInput",
    "ApplicantInput",
    "ComponentInput",
    "ReceiptInput",
    "dossier_act",
    "dossier_receive",
    "dossier_transfer_due",
    "receivable",
]


# --- Signing a result (issue 5: the result is signed with the agency key) -----------------------

#: A result may be signed while the dossier is being resolved or waits to be returned.
SIGNABLE_RESULT_STATUSES = frozenset({Status.PROCESSING, Status.RESOLVED})


def may_sign_result(actor: Actor, d: Dossier) -> bool:
    """Before the result is returned: the official handling the current step, the counter, or
    the registry clerk of the resolving agency, who keeps its seal key (Nghị định 30/2020
    Điều 32–33). Which key each may use is the signatures app's rule."""
    if d.status not in SIGNABLE_RESULT_STATUSES:
        return False
    resolving = d.resolving_agency_id or d.current_agency_id
    return (
        may_act(actor, d, Action.ATTACH_RESULT)
        or is_counter(actor, d)
        or (resolving is not None and actor.has_role(Role.VAN_THU, agency_id=resolving))
    )


def dossier_result_sign(
    *,
    actor: User,
    code: str,
    result_id: int,
    key: Any,
    pin: str,
    otp: str = "",
    now: dt.datetime | None = None,
) -> ResultFile:
    """Sign a result file with an agency (seal) or personal key so that the applicant and
    anyone can check it (`/signatures/kiem-tra/`). The result row then points to the signed
    file; the unsigned original stays stored and is named in the signature record.

    Nghị định 118/2025 Điều 20 (results in electronic form carry the competent agency's
    digital signature); Nghị định 30/2020 Phụ lục I for the visible seal.
    """
    from tinhso.signatures.models import SignaturePurpose
    from tinhso.signatures.services import file_sign

    at = _now(now)
    d = Dossier.objects.select_related("receiving_agency").get(code=code)
    who = actor_for(actor)
    if not may_sign_result(who, d):
        raise PermissionDenied(_("Bạn không được ký kết quả của hồ sơ này ở trạng thái hiện tại."))
    result = ResultFile.objects.select_related("file").filter(pk=result_id, dossier=d).first()
    if result is None:
        raise ValidationError({"result": [_("Không tìm thấy tệp kết quả của hồ sơ.")]})
    record = file_sign(
        actor=actor,
        file=result.file,
        key=key,
        pin=pin,
        otp=otp,
        purpose=SignaturePurpose.DOSSIER_RESULT,
        reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": d.code},
        now=at,
    )
    with transaction.atomic():
        locked = _locked(code)
        row = ResultFile.objects.select_for_update().get(pk=result.pk)
        if row.file_id != result.file_id:
            raise _refuse(_("Tệp kết quả vừa được người khác thay đổi; tải lại trang rồi thử lại."))
        row.file_id = record.result_id
        row.save(update_fields=["file"])
        note = _("Ký số tệp kết quả “%(name)s”") % {"name": row.name}
        _activity(locked, "sign-result", locked.status, actor, note, at)
        audit_record(
            actor=actor,
            action="dossiers.dossier.sign_result",
            obj=locked,
            agency=locked.current_agency_id or locked.receiving_agency_id,
            changes={
                "result": row.pk,
                "file": [result.file_id, record.result_id],
                "signature": record.pk,
            },
        )
    return row
