"""What the e-office pages share: who may open them, paging, choices of people and agencies,
the time left before a due date, and the labels of the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Membership, Role, User
from tinhso.documents.access import clerk_agencies
from tinhso.documents.forms_ui import AgencyOption
from tinhso.documents.models import Direction, Register
from tinhso.documents.selectors import days_left
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency
from tinhso.organizations.selectors import agency_list
from tinhso.text import fold

PAGE_SIZE = 25
#: The inbox colours: more than this many days left is green, fewer amber, overdue red.
NEAR_DAYS = 3

M = TypeVar("M", bound=Model)


def actor_of(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def require_official(actor: Actor) -> None:
    if not actor.is_official:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))


def require_clerk(actor: Actor) -> frozenset[int]:
    ids = clerk_agencies(actor)
    if not ids:
        raise PermissionDenied(_("Chức năng này dành cho văn thư cơ quan."))
    return ids


def require_leader(actor: Actor) -> frozenset[int]:
    ids = actor.agency_ids_with_role(Role.LANH_DAO)
    if not ids:
        raise PermissionDenied(_("Chức năng này dành cho lãnh đạo cơ quan, đơn vị."))
    return ids


def page_of(request: HttpRequest, qs: QuerySet[M] | Sequence[M]) -> Page[M]:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """A local address to go back to after an action (a queue page), or None."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- Uploads --------------------------------------------------------------------------------


def store_uploads(
    request: HttpRequest, field: str, *, into: Any, stored_field: str, prefix: str = ""
) -> list[str]:
    """Store every file posted in `field` now and add its id to `stored_field` of `into`
    (the form's data), so a page shown again keeps it. Returns the refusals' messages."""
    errors: list[str] = []
    for upload in request.FILES.getlist(f"{prefix}{field}"):
        try:
            stored = file_store(actor=user_of(request), upload=upload)
        except ValidationError as exc:
            errors.extend(str(m) for m in exc.messages)
        else:
            into.appendlist(f"{prefix}{stored_field}", str(stored.pk))
    return errors


def stored_names(actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    """Names of files the actor may attach (own uploads, own agencies'), by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    mine = Q(uploaded_by_id=actor.user_id) | Q(agency_id__in=actor.agency_ids)
    return dict(StoredFile.objects.filter(mine, pk__in=wanted).values_list("pk", "name"))


# --- Choices of people, agencies and registers ---------------------------------------------------


def _person_label(m: Membership) -> str:
    name = m.user.full_name or m.user.username
    return f"{name} ({m.position.name})" if m.position_id and m.position else name


def agency_people(
    agency_id: int, *, exclude: Iterable[int] = ()
) -> list[tuple[str, list[tuple[int, str]]]]:
    """The officials of an agency grouped by department, its leaders first; one entry per
    person (their first post, as the assignment service counts it)."""
    rows = (
        Membership.objects.filter(agency_id=agency_id, is_active=True, user__is_active=True)
        .exclude(user_id__in=list(exclude))
        .select_related("user", "department", "position")
        .order_by("user_id", "department_id", "id")
    )
    first: dict[int, Membership] = {}
    for m in rows:
        first.setdefault(m.user_id, m)
    groups: dict[tuple[int, str], list[tuple[int, str, int]]] = {}
    for m in first.values():
        if m.department_id is None:
            key = (0, _("Lãnh đạo cơ quan"))
        else:
            assert m.department is not None
            key = (1, m.department.name)
        rank = m.position.rank if m.position_id and m.position else 999
        groups.setdefault(key, []).append((m.user_id, _person_label(m), rank))
    return [
        (label, [(pk, text) for pk, text, _rank in sorted(people, key=lambda p: (p[2], p[1]))])
        for (_order, label), people in sorted(groups.items())
    ]


def leader_choices(agency_id: int) -> list[tuple[int, str]]:
    """The leaders of an agency (who may be presented a document, who may sign)."""
    rows = (
        Membership.objects.filter(agency_id=agency_id, role=Role.LANH_DAO, is_active=True)
        .select_related("user", "department", "position")
        .order_by("department_id", "user__full_name", "id")
    )
    seen: dict[int, str] = {}
    agency_wide = sorted(
        (m for m in rows if m.department_id is None),
        key=lambda m: (m.position.rank if m.position else 999, m.user.full_name),
    )
    for m in [*agency_wide, *(m for m in rows if m.department_id is not None)]:
        if m.user_id in seen:
            continue
        label = _person_label(m)
        if m.department is not None:
            label = f"{label} — {m.department.name}"
        seen[m.user_id] = label
    return list(seen.items())


def department_colleagues(department_id: int | None, me: int | None) -> list[tuple[int, str]]:
    if department_id is None:
        return []
    rows = (
        Membership.objects.filter(department_id=department_id, is_active=True)
        .exclude(user_id=me or 0)
        .select_related("user", "position")
        .order_by("user__full_name", "id")
    )
    seen: dict[int, str] = {}
    for m in rows:
        seen.setdefault(m.user_id, _person_label(m))
    return list(seen.items())


def register_choices(agency_ids: Iterable[int], direction: str) -> list[tuple[int, str]]:
    ids = list(agency_ids)
    rows = Register.objects.filter(agency_id__in=ids, direction=direction, is_active=True)
    if len(ids) > 1:
        return [(r.pk, f"{r.name} — {r.agency.name}") for r in rows.select_related("agency")]
    return [(r.pk, r.name) for r in rows]


def clerk_agency_choices(actor: Actor) -> list[tuple[int, str]]:
    ids = clerk_agencies(actor)
    return list(Agency.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


def drafting_agency(actor: Actor) -> int | None:
    """The agency a draft is written for: the actor's first post (several are rare)."""
    posts = sorted({m.agency_id for m in actor.memberships})
    return posts[0] if posts else None


def agency_tree(actor: Actor, *, exclude: int | None) -> list[AgencyOption]:
    """Every agency in operation, in the organisation tree's order (children under their
    parent), for the recipients list."""
    rows = list(
        agency_list(actor=actor, active_only=True).values("pk", "name", "code", "parent_id")
    )
    children: dict[int | None, list[Any]] = {}
    known = {r["pk"] for r in rows}
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in known else None
        children.setdefault(parent, []).append(r)
    out: list[AgencyOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            if r["pk"] != exclude:
                out.append(
                    AgencyOption(
                        id=r["pk"],
                        name=r["name"],
                        code=r["code"],
                        depth=min(depth, 4),
                        search=fold(f"{r['name']} {r['code']}"),
                    )
                )
            walk(r["pk"], depth + 1)

    walk(None, 0)
    return out


# --- Time left before a due date ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueLeft:
    """What a list shows of a due date: `level` is the colour (ok: more than three days left,
    near: three days or fewer, late: overdue), `text` says it in words."""

    level: str
    text: str
    days: int | None = None


def due_left(
    due_on: dt.date | None, *, today: dt.date | None = None, done: bool = False
) -> DueLeft:
    if due_on is None:
        return DueLeft("none", _("Không có hạn"))
    if done:
        return DueLeft("done", _("Đã xong"))
    days = days_left(due_on, today=today)
    assert days is not None
    if days < 0:
        late = -days
        return DueLeft(
            "late", ngettext("Quá hạn %(n)d ngày", "Quá hạn %(n)d ngày", late) % {"n": late}, days
        )
    if days == 0:
        return DueLeft("near", _("Đến hạn hôm nay"), days)
    text = ngettext("Còn %(n)d ngày", "Còn %(n)d ngày", days) % {"n": days}
    return DueLeft("near" if days <= NEAR_DAYS else "ok", text, days)


# --- History labels ---------------------------------------------------------------------------

ACTIVITY_LABELS: dict[str, Any] = {
    "corrected": gettext_lazy("Văn bản được đính chính"),
    "seal": gettext_lazy("Đóng dấu số của cơ quan (gửi liên thông)"),
    "revoke_requested": gettext_lazy("Nơi gửi đề nghị thu hồi"),
    "revoke_refused": gettext_lazy("Từ chối thu hồi"),
    "exchange_status": gettext_lazy("Nơi nhận báo trạng thái"),
    "register": gettext_lazy("Vào sổ văn bản đến"),
    "arrive": gettext_lazy("Văn bản đến (điện tử)"),
    "refuse": gettext_lazy("Trả lại nơi gửi"),
    "present": gettext_lazy("Trình lãnh đạo"),
    "assign": gettext_lazy("Phân công xử lý"),
    "pass_on": gettext_lazy("Chuyển tiếp trong phòng"),
    "start": gettext_lazy("Bắt đầu xử lý"),
    "complete": gettext_lazy("Hoàn thành xử lý"),
    "complete_part": gettext_lazy("Hoàn thành phần việc phối hợp"),
    "draft": gettext_lazy("Soạn dự thảo"),
    "version": gettext_lazy("Cập nhật phiên bản dự thảo"),
    "submit": gettext_lazy("Trình duyệt dự thảo"),
    "approve": gettext_lazy("Duyệt dự thảo"),
    "return": gettext_lazy("Trả lại dự thảo"),
    "issue": gettext_lazy("Phát hành"),
    "recall": gettext_lazy("Thu hồi văn bản"),
    "recalled": gettext_lazy("Văn bản bị nơi gửi thu hồi"),
    "replaced": gettext_lazy("Văn bản được thay thế"),
}


def activity_label(action: str) -> str:
    return str(ACTIVITY_LABELS.get(action, action))


def list_url(direction: str) -> str:
    return reverse(
        "documents:incoming_list" if direction == Direction.INCOMING else "documents:outgoing_list"
    )
