"""Every read of dossiers, scoped to what the actor may see (`access.visible_dossiers`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.dossiers.access import visible_dossiers
from tinhso.dossiers.models import OPEN_STATUSES, Dossier, Status
from tinhso.dossiers.rules import CODE_RE
from tinhso.procedures.models import StepKind
from tinhso.text import fold
from tinhso.workcalendar.arithmetic import TIMEZONE

LIST_RELATED = (
    "procedure_version",
    "procedure_version__procedure",
    "receiving_agency",
    "current_agency",
    "current_step",
)

#: A dossier is "near due" when its due time is within this many hours (calendar) [I].
NEAR_DUE_HOURS = 24


@dataclass(frozen=True, slots=True)
class DossierFilter:
    status: int | None = None
    procedure: str = ""
    agency: int | None = None
    handling_agency: int | None = None
    overdue: bool | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""


def dossier_list(actor: Actor, f: DossierFilter | None = None) -> QuerySet[Dossier]:
    """The dossiers the actor sees, filtered, newest first.

    `agency` is where the dossier was received (the counter whose tracking book holds it),
    `handling_agency` the agency that holds it now: one index each, so that a page of 50 stays
    fast on millions of rows.
    """
    f = f or DossierFilter()
    qs = visible_dossiers(actor).select_related(*LIST_RELATED)
    if f.status is not None:
        qs = qs.filter(status=f.status)
    if f.procedure:
        qs = qs.filter(procedure_version__procedure__code=f.procedure.strip())
    if f.agency is not None:
        qs = qs.filter(receiving_agency_id=f.agency)
    if f.handling_agency is not None:
        qs = qs.filter(current_agency_id=f.handling_agency)
    if f.overdue is not None:
        now = timezone.now()
        late = Q(status__in=OPEN_STATUSES, due_at__lt=now) | Q(is_late=True)
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.received_from is not None:
        qs = qs.filter(submitted_at__gte=_local_midnight(f.received_from))
    if f.received_to is not None:
        qs = qs.filter(submitted_at__lt=_local_midnight(f.received_to + dt.timedelta(days=1)))
    ordering: list[Any] = ["-submitted_at", "-id"]
    if f.q.strip():
        qs, sort_matches = _search(qs, f.q)
        if sort_matches and connection.vendor == "postgresql":
            # Sort the (few) matches instead of walking the date index and testing every row
            # against the words: the expression hides the index from the planner.
            ordering = [
                ExpressionWrapper(
                    F("submitted_at") + Value(dt.timedelta(0)), output_field=DateTimeField()
                ).desc(),
                "-id",
            ]
    return qs.order_by(*ordering)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=TIMEZONE)


_WORD_RE = re.compile(r"^[a-z]+$")


def _search(qs: QuerySet[Dossier], q: str) -> tuple[QuerySet[Dossier], bool]:
    """Counter search by code, applicant name, phone or ID number, diacritic-insensitive.

    A code (with dashes) or a number (ID, phone) is matched exactly. Words are matched against
    the folded applicant name: on PostgreSQL as words with a full-text index (the last word as
    a prefix, since the officer may still be typing: "nguyen van a" finds "Nguyễn Văn An"),
    on SQLite as substrings. Returns the filtered rows and whether the matches should be
    sorted (few, found through the full-text index) rather than the date index walked.
    """
    text = q.strip()
    compact = text.replace(" ", "").replace(".", "")
    if CODE_RE.match(text.upper()):
        # A whole dossier code: the unique index answers (a part of a code still scans).
        return qs.filter(code=text.upper()), False
    if "-" in text and not any(ch.isspace() for ch in text):
        return qs.filter(Q(code=text.upper()) | Q(search_text__contains=fold(text))), False
    if compact.isdigit():
        if len(compact) >= 6:
            exact = qs.filter(Q(applicant_id_number=compact) | Q(applicant_phone=compact))
            if connection.vendor != "postgresql":
                return exact, False
            # The search text holds the ID number and the phone as words (services
            # `_search_text`): the word finds the one row through the index where the
            # columns alone scan every dossier the officer sees (~300 ms on a million).
            return exact.filter(_words_match(compact)), True
        return qs.filter(search_text__contains=compact), False
    terms = fold(text).split()[:8]
    if connection.vendor == "postgresql" and terms and all(_WORD_RE.match(t) for t in terms):
        return qs.filter(_words_match(" & ".join([*terms[:-1], f"{terms[-1]}:*"]))), True
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return qs.filter(condition), True


def _words_match(query: str) -> RawSQL:
    """The search text holds the words of `query` (a `to_tsquery` of words made of letters or
    digits only), through the full-text index `dossier_search_words` (migration 0002)."""
    return RawSQL(
        "to_tsvector('simple', \"dossiers_dossier\".\"search_text\") @@ to_tsquery('simple', %s)",
        [query],
        output_field=BooleanField(),
    )


def counter_queue(actor: Actor, agency_ids: frozenset[int] | None = None) -> QuerySet[Dossier]:
    """What the counter works on: dossiers received today, waiting for a supplement or a
    payment, and results waiting to be returned, at the actor's counters."""
    agencies = agency_ids if agency_ids is not None else actor.agency_ids_with_role(Role.MOT_CUA)
    today = timezone.localdate()
    return (
        visible_dossiers(actor)
        .filter(receiving_agency_id__in=agencies)
        .filter(
            Q(submitted_at__date=today)
            | Q(status__in=[Status.NEW, Status.SUPPLEMENT, Status.PAYMENT, Status.RESOLVED])
        )
        .select_related(*LIST_RELATED)
        .order_by("-submitted_at", "-id")
    )


def assigned_to(actor: Actor) -> QuerySet[Dossier]:
    """The specialist's inbox: dossiers whose current step is theirs (named, or unassigned in
    their department with their role), in processing, most urgent first."""
    condition = Q(current_assignee_id=actor.user_id)
    for m in actor.memberships:
        place = Q(
            current_agency_id=m.agency_id, current_step__role=m.role, current_assignee__isnull=True
        )
        if m.department_id is not None:
            place &= Q(current_department_id=m.department_id) | Q(current_department__isnull=True)
        else:
            place &= Q(current_department__isnull=True)
        condition |= place
    return (
        Dossier.objects.filter(condition, status=Status.PROCESSING)
        .exclude(current_step__kind=StepKind.RETURN)
        .select_related(*LIST_RELATED)
        .order_by("step_due_at", "id")
    )


def approvals_waiting(actor: Actor) -> QuerySet[Dossier]:
    """The leader's queue: dossiers at an approval step that is theirs."""
    return assigned_to(actor).filter(current_step__kind=StepKind.APPROVE)


def near_due(actor: Actor) -> QuerySet[Dossier]:
    now = timezone.now()
    return (
        visible_dossiers(actor)
        .filter(
            status__in=OPEN_STATUSES,
            due_at__gte=now,
            due_at__lt=now + dt.timedelta(hours=NEAR_DUE_HOURS),
        )
        .select_related(*LIST_RELATED)
        .order_by("due_at")
    )


def overdue(actor: Actor) -> QuerySet[Dossier]:
    return (
        visible_dossiers(actor)
        .filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        .select_related(*LIST_RELATED)
        .order_by("due_at")
    )


@dataclass(frozen=True, slots=True)
class Board:
    by_status: list[tuple[int, str, int]]
    by_agency: list[dict[str, Any]]
    overdue: int
    total: int


def board(actor: Actor, *, agency_ids: frozenset[int] | None = None) -> Board:
    """Counts by status and by agency (the Service Center's and a department's board)."""
    qs = visible_dossiers(actor)
    if agency_ids is not None:
        qs = qs.filter(Q(receiving_agency_id__in=agency_ids) | Q(current_agency_id__in=agency_ids))
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    by_status = [(s.value, str(s.label), counts.get(s.value, 0)) for s in Status]
    now = timezone.now()
    by_agency: list[dict[str, Any]] = [
        dict(row)
        for row in (
            qs.order_by()
            .values("current_agency_id", "current_agency__name")
            .annotate(
                total=Count("id"),
                open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
                late=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
            )
            .order_by("-open", "current_agency__name")[:100]
        )
    ]
    late = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now).count()
    return Board(by_status, by_agency, late, sum(counts.values()))


@dataclass(frozen=True, slots=True)
class PublicView:
    """What anyone may learn about a dossier by its code: never personal data."""

    code: str
    status: int
    status_name: str
    procedure_code: str
    procedure_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    returned_at: dt.datetime | None
    handling_agency: str
    applicant_masked: str


def public_dossier(code: str) -> PublicView | None:
    from tinhso.dossiers.rules import mask_name

    row = (
        Dossier.objects.filter(code=code.strip().upper())
        .values(
            "code",
            "status",
            "procedure_version__procedure__code",
            "procedure_version__name",
            "received_at",
            "due_at",
            "extended_due_at",
            "returned_at",
            "current_agency__name",
            "receiving_agency__name",
            "applicant_name",
        )
        .first()
    )
    if row is None:
        return None
    return PublicView(
        code=row["code"],
        status=row["status"],
        status_name=str(Status(row["status"]).label),
        procedure_code=row["procedure_version__procedure__code"],
        procedure_name=row["procedure_version__name"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        extended_due_at=row["extended_due_at"],
        returned_at=row["returned_at"],
        handling_agency=row["current_agency__name"] or row["receiving_agency__name"],
        applicant_masked=mask_name(row["applicant_name"]),
    )


def dossier_detail(actor: Actor, code: str) -> Dossier:
    from tinhso.dossiers.access import access_dossier

    qs = Dossier.objects.select_related(
        *LIST_RELATED,
        "procedure_version__competent_agency",
        "resolving_agency",
        "current_department",
        "current_assignee",
        "created_by",
    ).prefetch_related(
        "components__file",
        "handovers__from_agency",
        "handovers__to_agency",
        "handovers__from_department",
        "handovers__to_department",
        "handovers__from_user",
        "handovers__to_user",
        "handovers__step",
        "activities__actor",
        "results__file",
        "procedure_version__steps",
        "procedure_version__components",
        "procedure_version__fees",
    )
    return access_dossier(actor, code, qs)
