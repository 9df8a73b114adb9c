"""The one-stop screens (issue 3 §3): the counter's queue and receive wizard, search, near-due
and overdue lists, the specialist's inbox, the dossier page with its actions, the leader's
approvals and board, and the province-wide board of the Service Center.

Thin: parse the form, call `access`/`selectors`, call the service, render. Every rule (who may
act, which transition, completeness, deadlines) is in `services`, `access` and `rules`; a
refused transition is shown on the dossier page with HTTP 409, bad input next to its field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Membership, Role, User
from tinhso.dossiers import forms_ui, selectors, services
from tinhso.dossiers.access import may_act, sees_province
from tinhso.dossiers.forms.registry import FormKind, applicable_forms
from tinhso.dossiers.models import (
    OPEN_STATUSES,
    Activity,
    Dossier,
    FeeStatus,
    Handover,
    IdempotencyKey,
    ResultFile,
    Status,
)
from tinhso.dossiers.rules import TRANSITIONS, Action, TransitionRefused
from tinhso.dossiers.services import dossier_act, dossier_receive, receivable
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency
from tinhso.procedures.models import (
    Component,
    ProcedureLevel,
    ProcedureVersion,
    ProcessStep,
    StepKind,
    VersionStatus,
)
from tinhso.procedures.selectors import published_version, step_agency, step_department
from tinhso.signatures.selectors import signature_verdicts
from tinhso.signatures.views import posted_key, render_sign_page
from tinhso.text import fold_terms
from tinhso.web.forms import apply_service_errors
from tinhso.workcalendar.arithmetic import (
    HOURS_PER_WORKING_DAY,
    CalendarError,
    WorkCalendar,
    working_time_between,
)
from tinhso.workcalendar.selectors import CalendarNotSeededError, work_calendar

PAGE_SIZE = 25
#: How many overdue dossiers a board lists under its counts.
BOARD_OVERDUE_ROWS = 10
ONE_DAY = dt.timedelta(hours=HOURS_PER_WORKING_DAY)


# --- Who may open what ------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_official(actor: Actor) -> None:
    if not actor.is_official:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))


def _counter_agencies(actor: Actor) -> list[Agency]:
    """The agencies whose one-stop counter the actor works at; 403 for anyone else."""
    ids = actor.agency_ids_with_role(Role.MOT_CUA)
    if not ids:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ Bộ phận Một cửa."))
    return list(Agency.objects.filter(pk__in=ids).order_by("level", "code"))


def _require_leader(actor: Actor) -> frozenset[int]:
    ids = actor.agency_ids_with_role(Role.LANH_DAO)
    if not ids:
        raise PermissionDenied(_("Chức năng này dành cho lãnh đạo cơ quan, đơn vị."))
    return ids


# --- Time left, in working time ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeLeft:
    """What a list shows of a deadline: `level` is the colour (ok: more than one working day
    left, near: less than a day, late: past due), `text` says it in words."""

    level: str
    text: str
    due: dt.datetime | None = None


def _calendar() -> WorkCalendar | None:
    try:
        return work_calendar(None)
    except CalendarNotSeededError:
        return None


def _working(calendar: WorkCalendar | None, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    if calendar is not None:
        try:
            return working_time_between(calendar, start, end)
        except CalendarError:
            pass
    return end - start


def _duration(amount: dt.timedelta) -> str:
    """ "2 ngày 3 giờ" in working days of 8 hours."""
    hours = int(amount.total_seconds() // 3600)
    days, hours = divmod(hours, HOURS_PER_WORKING_DAY)
    parts = []
    if days:
        parts.append(ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    return " ".join(parts) if parts else _("dưới 1 giờ")


def time_left(due: dt.datetime | None, now: dt.datetime, calendar: WorkCalendar | None) -> TimeLeft:
    if due is None:
        return TimeLeft("none", "—")
    if due <= now:
        late = _working(calendar, due, now)
        return TimeLeft("late", _("Quá hạn %(time)s làm việc") % {"time": _duration(late)}, due)
    left = _working(calendar, now, due)
    level = "ok" if left > ONE_DAY else "near"
    return TimeLeft(level, _("Còn %(time)s làm việc") % {"time": _duration(left)}, due)


def dossier_deadline(d: Dossier, now: dt.datetime, calendar: WorkCalendar | None) -> TimeLeft:
    """The dossier's own deadline as the lists show it: the clock runs only in the open
    statuses; it is paused while the applicant completes the dossier."""
    if d.status in OPEN_STATUSES:
        shown = time_left(d.effective_due_at, now, calendar)
        if d.is_late and shown.level != "late":
            # An apology moves the appointment, but the dossier still counts as late.
            return TimeLeft("late", _("Đã hẹn lại: %(text)s") % {"text": shown.text}, shown.due)
        return shown
    if d.status == Status.SUPPLEMENT:
        return TimeLeft("paused", _("Tạm dừng, chờ bổ sung"), d.effective_due_at)
    if d.status in (Status.RESOLVED, Status.RETURNED) and d.due_at is not None:
        done = d.resolved_at or d.returned_at
        if d.is_late or (done is not None and done > d.due_at):
            return TimeLeft("done-late", _("Xong, quá hạn"), d.due_at)
        return TimeLeft("done", _("Xong, đúng hạn"), d.due_at)
    return TimeLeft("none", "—", d.due_at)


@dataclass(frozen=True, slots=True)
class Row:
    dossier: Dossier
    deadline: TimeLeft
    step: TimeLeft | None = None


def _rows(dossiers: Iterable[Dossier], *, step: bool = False) -> list[Row]:
    now = timezone.now()
    calendar = _calendar()
    return [
        Row(
            d,
            dossier_deadline(d, now, calendar),
            time_left(d.step_due_at, now, calendar) if step else None,
        )
        for d in dossiers
    ]


def _page(
    request: HttpRequest, qs: QuerySet[Dossier], *, step: bool = False
) -> tuple[Page[Any], list[Row]]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, _rows(page.object_list, step=step)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- Counter: today's queue ---------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    agencies = _counter_agencies(actor)
    qs = selectors.counter_queue(actor, frozenset(a.pk for a in agencies))
    today = timezone.localdate()
    counts = qs.order_by().aggregate(
        today=Count("id", filter=Q(submitted_at__date=today)),
        supplement=Count("id", filter=Q(status=Status.SUPPLEMENT)),
        payment=Count("id", filter=Q(status=Status.PAYMENT)),
        resolved=Count("id", filter=Q(status=Status.RESOLVED)),
    )
    page, rows = _page(request, qs)
    return render(
        request,
        "dossiers/queue.html",
        {
            "page": page,
            "rows": rows,
            "counts": counts,
            "today": today,
            "agencies": agencies,
            "breadcrumbs": [(_("Hồ sơ tại quầy hôm nay"), None)],
        },
    )


# --- Counter: the receive wizard ------------------------------------------------------------------


def _receivable_levels(agencies: Sequence[Agency]) -> set[str]:
    """The procedure levels some counter of `agencies` receives (`services.receivable` is
    the rule; asked once per level, so that the list and the service always agree)."""
    return {
        level
        for level in ProcedureLevel.values
        for agency in agencies
        if receivable(ProcedureVersion(levels=[level]), agency)
    }


def _receivable_versions(agencies: Sequence[Agency], q: str) -> QuerySet[ProcedureVersion]:
    levels = _receivable_levels(agencies)
    if not levels:
        return ProcedureVersion.objects.none()
    condition = Q()
    for level in sorted(levels):
        # `levels` is a JSON list; SQLite has no JSON containment (see procedures.selectors).
        condition |= Q(levels__icontains=f'"{level}"')
    qs = ProcedureVersion.objects.filter(condition, status=VersionStatus.PUBLISHED)
    for term in fold_terms(q):
        qs = qs.filter(
            Q(procedure__search_text__contains=term)
            | Q(procedure__code__icontains=term)
            | Q(name__icontains=term)
        )
    return (
        qs.select_related("procedure", "competent_agency")
        .prefetch_related("fees")
        .order_by("procedure__code")
    )


def fee_total(version: ProcedureVersion) -> Decimal:
    """The fees in đồng the dossier will owe (as `services._receive` counts them)."""
    return sum((f.amount for f in version.fees.all() if f.currency == "VND"), start=Decimal(0))


@login_required
@require_GET
def receive(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the procedure among those the counter receives."""
    actor = _actor(request)
    agencies = _counter_agencies(actor)
    form = forms_ui.ProcedureSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = Paginator(_receivable_versions(agencies, q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "q": q,
        "agencies": agencies,
        "breadcrumbs": [
            (_("Hồ sơ tại quầy hôm nay"), reverse("dossiers:queue")),
            (_("Tiếp nhận hồ sơ"), None),
        ],
    }
    template = "dossiers/_procedure_results.html" if _is_htmx(request) else "dossiers/receive.html"
    return render(request, template, context)


def _stored_names(actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    mine = Q(uploaded_by_id=actor.user_id) | Q(agency_id__in=actor.agency_ids)
    return dict(StoredFile.objects.filter(mine, pk__in=wanted).values_list("pk", "name"))


def _store_component_uploads(
    request: HttpRequest, form: forms_ui.ComponentFieldsMixin, data: QueryDict
) -> dict[str, list[str]]:
    """Store each posted scan now and put its id in the form's data (kept on a re-display).

    Returns the errors of the scans that were refused, by form field.
    """
    errors: dict[str, list[str]] = {}
    for component, posted_file, posted_stored in form.upload_fields_of_components():
        upload = request.FILES.get(posted_file)
        if upload is None:
            continue
        try:
            stored = file_store(actor=_user(request), upload=upload)
        except ValidationError as exc:
            errors[f"c{component.pk}_file"] = [str(m) for m in exc.messages]
        else:
            data[posted_stored] = str(stored.pk)
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def receive_form(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Steps 2–4: applicant, components checklist with scans, fees; then the receipt."""
    actor = _actor(request)
    agencies = _counter_agencies(actor)
    version = published_version(procedure_code)
    if version is None:
        raise Http404(
            _("Không có thủ tục đang áp dụng với mã “%(code)s”.") % {"code": procedure_code}
        )
    places = [a for a in agencies if receivable(version, a)]
    if not places:
        raise Http404(_("Thủ tục này không được tiếp nhận tại bộ phận một cửa của bạn."))
    components = sorted(version.components.all(), key=lambda c: (c.order, c.pk))
    total = fee_total(version)
    choices = [(a.pk, a.name) for a in places]
    incomplete: list[str] = []
    if request.method == "POST":
        data = request.POST.copy()
        form = forms_ui.ReceiptForm(data, components=components, agencies=choices, fee_total=total)
        file_errors = _store_component_uploads(request, form, data)
        valid = form.is_valid()
        for name, refused in file_errors.items():
            form.add_error(name, refused)
        if valid and not file_errors:
            on_incomplete = (
                "request_supplement"
                if request.POST.get("on_incomplete") == "request_supplement"
                else "reject"
            )
            try:
                dossier, created = dossier_receive(
                    actor=_user(request),
                    data=form.receipt(version.procedure.code, on_incomplete=on_incomplete),
                    idempotency_key=form.cleaned_data.get("idempotency_key", ""),
                )
            except ValidationError as exc:
                errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {}
                if "components" in errors and form.missing_components():
                    incomplete = errors.pop("components")
                if errors or not hasattr(exc, "error_dict"):
                    apply_service_errors(
                        form,
                        ValidationError(errors) if errors else exc,
                        field_map=forms_ui.SERVICE_FIELDS,
                    )
            except TransitionRefused as exc:
                # The same page was posted again (a double click, a reload): each post
                # stores its scans anew, so the requests differ; show the first dossier.
                first = _first_receipt(_user(request), form.cleaned_data.get("idempotency_key"))
                if first is not None:
                    return _after_receipt(request, first, created=False)
                data["idempotency_key"] = uuid.uuid4().hex
                form.add_error(None, exc.message)
            else:
                return _after_receipt(request, dossier, created)
    else:
        form = forms_ui.ReceiptForm(components=components, agencies=choices, fee_total=total)
    stored = _stored_names(actor, [i for c in components if (i := form.stored_id(c)) is not None])
    context = {
        "form": form,
        "version": version,
        "rows": form.component_rows(stored, show_missing=bool(incomplete)),
        "incomplete": incomplete,
        "fee_total": total,
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
        "breadcrumbs": [
            (_("Hồ sơ tại quầy hôm nay"), reverse("dossiers:queue")),
            (_("Tiếp nhận hồ sơ"), reverse("dossiers:receive")),
            (version.procedure.code, None),
        ],
    }
    return render(request, "dossiers/receive_form.html", context)


def _first_receipt(user: User, key: str | None) -> Dossier | None:
    """The dossier this user already received under the page's key (one page, one dossier)."""
    if not key:
        return None
    row = IdempotencyKey.objects.select_related("dossier").filter(user=user, key=key).first()
    return row.dossier if row is not None else None


def _after_receipt(request: HttpRequest, d: Dossier, created: bool) -> HttpResponse:
    if not created:
        messages.info(
            request,
            _(
                "Hồ sơ này đã được tiếp nhận trước đó (mã %(code)s). Để tiếp nhận hồ sơ khác, "
                "hãy bắt đầu lại từ “Tiếp nhận hồ sơ”."
            )
            % {"code": d.code},
        )
    elif d.status == Status.SUPPLEMENT:
        messages.warning(
            request,
            _(
                "Đã lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ %(code)s. Hãy in Mẫu 02 và giao "
                "cho người nộp."
            )
            % {"code": d.code},
        )
    else:
        due = timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") if d.due_at else "—"
        messages.success(
            request,
            _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả kết quả lúc %(due)s.")
            % {"code": d.code, "due": due},
        )
    return HttpResponseRedirect(reverse("dossiers:detail", args=[d.code]))


# --- Search and deadline lists ------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_official(actor)
    searching = any(k != "page" for k in request.GET)
    form = forms_ui.DossierSearchForm(request.GET if searching else None)
    page: Page[Any] | None = None
    rows: list[Row] = []
    if not searching or form.is_valid():
        data = form.cleaned_data if searching else {}
        f = selectors.DossierFilter(
            q=data.get("q", "") or "",
            status=data.get("status"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )
        page, rows = _page(request, selectors.dossier_list(actor, f))
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "searching": searching,
        "breadcrumbs": [(_("Tìm hồ sơ"), None)],
    }
    template = "dossiers/_search_panel.html" if _is_htmx(request) else "dossiers/search.html"
    return render(request, template, context)


def _deadline_list(request: HttpRequest, which: str) -> HttpResponse:
    actor = _actor(request)
    _require_official(actor)
    qs = selectors.near_due(actor) if which == "near" else selectors.overdue(actor)
    page, rows = _page(request, qs)
    title = _("Hồ sơ sắp đến hạn") if which == "near" else _("Hồ sơ quá hạn")
    return render(
        request,
        "dossiers/deadlines.html",
        {
            "page": page,
            "rows": rows,
            "which": which,
            "title": title,
            "near_hours": selectors.NEAR_DUE_HOURS,
            "breadcrumbs": [(title, None)],
        },
    )


@login_required
@require_GET
def near_due(request: HttpRequest) -> HttpResponse:
    return _deadline_list(request, "near")


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    return _deadline_list(request, "late")


# --- Specialist and leader: inbox, approvals ------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_official(actor)
    page, rows = _page(request, selectors.assigned_to(actor), step=True)
    return render(
        request,
        "dossiers/inbox.html",
        {
            "page": page,
            "rows": rows,
            "title": _("Hồ sơ cần xử lý"),
            "intro": _(
                "Hồ sơ đang ở bước do bạn đảm nhận, bước sắp đến hạn xếp trước. Mở hồ sơ để "
                "chuyển bước tiếp theo, trả lại hoặc đề nghị bổ sung."
            ),
            "empty": _("Không có hồ sơ nào đang chờ bạn xử lý."),
            "breadcrumbs": [(_("Hồ sơ cần xử lý"), None)],
        },
    )


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_leader(actor)
    page, rows = _page(request, selectors.approvals_waiting(actor), step=True)
    return render(
        request,
        "dossiers/inbox.html",
        {
            "page": page,
            "rows": rows,
            "title": _("Hồ sơ chờ phê duyệt"),
            "intro": _(
                "Hồ sơ đã được thẩm định, chờ lãnh đạo phê duyệt kết quả hoặc trả lại để xử lý lại."
            ),
            "empty": _("Không có hồ sơ nào chờ phê duyệt."),
            "breadcrumbs": [(_("Hồ sơ chờ phê duyệt"), None)],
        },
    )


# --- Boards -----------------------------------------------------------------------------------


def _board_context(actor: Actor, agency_ids: frozenset[int] | None) -> dict[str, Any]:
    data = selectors.board(actor, agency_ids=agency_ids)
    late = selectors.overdue(actor)
    if agency_ids is not None:
        late = late.filter(
            Q(receiving_agency_id__in=agency_ids) | Q(current_agency_id__in=agency_ids)
        )
    open_count = sum(n for status, _label, n in data.by_status if status in OPEN_STATUSES)
    return {
        "board": data,
        "open_count": open_count,
        "overdue_rows": _rows(late[:BOARD_OVERDUE_ROWS]),
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The department's (agency's) board for its leaders."""
    actor = _actor(request)
    ids = _require_leader(actor)
    agencies = list(Agency.objects.filter(pk__in=ids).order_by("name"))
    context = _board_context(actor, ids)
    context.update(
        {
            "title": _("Bảng theo dõi hồ sơ của đơn vị"),
            "agencies": agencies,
            "province": False,
            "sees_province": sees_province(actor),
            "breadcrumbs": [(_("Bảng theo dõi của đơn vị"), None)],
        }
    )
    return render(request, "dossiers/board.html", context)


@login_required
@require_GET
def province_board(request: HttpRequest) -> HttpResponse:
    """The Service Center's province-wide board (provincial administrators, its leaders)."""
    actor = _actor(request)
    if not sees_province(actor):
        raise PermissionDenied(
            _(
                "Bảng theo dõi toàn tỉnh dành cho quản trị cấp tỉnh và lãnh đạo Trung tâm Phục vụ hành chính công."
            )
        )
    context = _board_context(actor, None)
    context.update(
        {
            "title": _("Bảng theo dõi hồ sơ toàn tỉnh"),
            "agencies": [],
            "province": True,
            "sees_province": True,
            "breadcrumbs": [(_("Bảng theo dõi toàn tỉnh"), None)],
        }
    )
    return render(request, "dossiers/board.html", context)


# --- The dossier page and its actions -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionMeta:
    label: Any
    icon: str
    submit: Any
    done: Any
    danger: bool = False
    help: Any = ""


ACTIONS: dict[Action, ActionMeta] = {
    Action.ACCEPT: ActionMeta(
        gettext_lazy("Tiếp nhận hồ sơ"), "check2-circle", gettext_lazy("Tiếp nhận"),
        gettext_lazy("Đã tiếp nhận hồ sơ."),
    ),
    Action.SUPPLEMENT: ActionMeta(
        gettext_lazy("Nhận hồ sơ bổ sung"), "file-earmark-plus", gettext_lazy("Nhận bổ sung"),
        gettext_lazy("Đã nhận hồ sơ bổ sung."),
        help=gettext_lazy("Đánh dấu hoặc tải lên các giấy tờ người nộp đã bổ sung."),
    ),
    Action.TRANSFER: ActionMeta(
        gettext_lazy("Chuyển xử lý ngay"), "send", gettext_lazy("Chuyển xử lý"),
        gettext_lazy("Đã chuyển hồ sơ đến cơ quan giải quyết."),
        help=gettext_lazy(
            "Hồ sơ tiếp nhận sau 15 giờ được chuyển vào đầu giờ làm việc kế tiếp; có thể "
            "chuyển ngay tại đây."
        ),
    ),
    Action.FORWARD: ActionMeta(
        gettext_lazy("Chuyển bước tiếp theo"), "arrow-right-circle", gettext_lazy("Chuyển"),
        gettext_lazy("Đã chuyển hồ sơ sang bước tiếp theo."),
    ),
    Action.APPROVE: ActionMeta(
        gettext_lazy("Phê duyệt"), "patch-check", gettext_lazy("Phê duyệt"),
        gettext_lazy("Đã phê duyệt kết quả giải quyết."),
    ),
    Action.ATTACH_RESULT: ActionMeta(
        gettext_lazy("Đính kèm tệp kết quả"), "paperclip", gettext_lazy("Đính kèm"),
        gettext_lazy("Đã đính kèm tệp kết quả."),
    ),
    Action.REQUEST_PAYMENT: ActionMeta(
        gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"), "cash-coin",
        gettext_lazy("Gửi yêu cầu"), gettext_lazy("Đã yêu cầu thực hiện nghĩa vụ tài chính."),
    ),
    Action.PAY: ActionMeta(
        gettext_lazy("Ghi nhận thanh toán phí, lệ phí"), "receipt", gettext_lazy("Ghi nhận"),
        gettext_lazy("Đã ghi nhận thanh toán phí, lệ phí."),
    ),
    Action.RETURN_RESULT: ActionMeta(
        gettext_lazy("Trả kết quả"), "box-arrow-up-right", gettext_lazy("Trả kết quả"),
        gettext_lazy("Đã trả kết quả cho người nộp."),
    ),
    Action.RATE: ActionMeta(
        gettext_lazy("Ghi nhận đánh giá của người dân"), "star", gettext_lazy("Ghi nhận"),
        gettext_lazy("Đã ghi nhận đánh giá."),
    ),
    Action.REQUEST_SUPPLEMENT: ActionMeta(
        gettext_lazy("Yêu cầu bổ sung hồ sơ (Mẫu 02)"), "file-earmark-excel",
        gettext_lazy("Yêu cầu bổ sung"), gettext_lazy("Đã yêu cầu bổ sung, hoàn thiện hồ sơ."),
        danger=True,
        help=gettext_lazy("Chỉ được yêu cầu bổ sung một lần; thời hạn tạm dừng đến khi người nộp bổ sung."),
    ),
    Action.SEND_BACK: ActionMeta(
        gettext_lazy("Trả lại bước trước"), "arrow-left-circle", gettext_lazy("Trả lại"),
        gettext_lazy("Đã trả hồ sơ về bước trước."), danger=True,
    ),
    Action.APOLOGIZE: ActionMeta(
        gettext_lazy("Xin lỗi và hẹn lại ngày trả (Mẫu 04)"), "calendar-x",
        gettext_lazy("Gửi văn bản xin lỗi"), gettext_lazy("Đã ghi nhận văn bản xin lỗi và ngày hẹn lại."),
        danger=True,
        help=gettext_lazy("Chỉ một lần, chậm nhất một ngày làm việc trước ngày hẹn trả; hồ sơ vẫn tính là quá hạn."),
    ),
    Action.REFUSE: ActionMeta(
        gettext_lazy("Từ chối tiếp nhận (Mẫu 03)"), "x-octagon", gettext_lazy("Từ chối"),
        gettext_lazy("Đã từ chối tiếp nhận hồ sơ."), danger=True,
    ),
    Action.WITHDRAW: ActionMeta(
        gettext_lazy("Rút hồ sơ theo yêu cầu người nộp"), "box-arrow-left",
        gettext_lazy("Rút hồ sơ"), gettext_lazy("Đã ghi nhận việc rút hồ sơ."), danger=True,
    ),
    Action.STOP: ActionMeta(
        gettext_lazy("Dừng xử lý"), "stop-circle", gettext_lazy("Dừng xử lý"),
        gettext_lazy("Đã dừng xử lý hồ sơ."), danger=True,
    ),
}  # fmt: skip

#: What the history and the control slip call each recorded action.
HISTORY_LABELS: dict[str, Any] = {
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    Action.ACCEPT.value: gettext_lazy("Tiếp nhận hồ sơ"),
    Action.REQUEST_SUPPLEMENT.value: gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    Action.SUPPLEMENT.value: gettext_lazy("Nhận hồ sơ bổ sung"),
    Action.REFUSE.value: gettext_lazy("Từ chối tiếp nhận"),
    Action.TRANSFER.value: gettext_lazy("Chuyển xử lý"),
    Action.FORWARD.value: gettext_lazy("Chuyển bước tiếp theo"),
    Action.SEND_BACK.value: gettext_lazy("Trả lại bước trước"),
    Action.APPROVE.value: gettext_lazy("Phê duyệt"),
    Action.REQUEST_PAYMENT.value: gettext_lazy("Yêu cầu nghĩa vụ tài chính"),
    Action.PAY.value: gettext_lazy("Thanh toán phí, lệ phí"),
    Action.APOLOGIZE.value: gettext_lazy("Xin lỗi, hẹn lại"),
    Action.WITHDRAW.value: gettext_lazy("Rút hồ sơ"),
    Action.STOP.value: gettext_lazy("Dừng xử lý"),
    Action.RETURN_RESULT.value: gettext_lazy("Trả kết quả"),
    Action.RATE.value: gettext_lazy("Đánh giá"),
    Action.ATTACH_RESULT.value: gettext_lazy("Đính kèm kết quả"),
    "sign-result": gettext_lazy("Ký số kết quả"),
}


def _steps(d: Dossier) -> list[ProcessStep]:
    return sorted(d.procedure_version.steps.all(), key=lambda s: s.order)


def _neighbours(d: Dossier) -> tuple[ProcessStep | None, ProcessStep | None]:
    """The steps before and after the current one."""
    if d.current_step_id is None:
        return None, None
    steps = _steps(d)
    order = d.current_step.order if d.current_step is not None else 0
    before = [s for s in steps if s.order < order]
    after = [s for s in steps if s.order > order]
    return (before[-1] if before else None), (after[0] if after else None)


def _makes_sense(d: Dossier, action: Action) -> bool:
    """Actions that the status allows but the dossier's own state rules out (the service
    would refuse them): not offered."""
    kind = d.current_step.kind if d.current_step is not None else None
    match action:
        case Action.FORWARD:
            return kind not in (StepKind.APPROVE, StepKind.RETURN, None)
        case Action.APPROVE:
            return kind == StepKind.APPROVE
        case Action.SEND_BACK:
            previous, _following = _neighbours(d)
            return previous is not None and previous.kind != StepKind.RECEIVE
        case Action.REQUEST_SUPPLEMENT:
            return d.supplement_requests == 0
        case Action.APOLOGIZE:
            return d.apologized_at is None and d.due_at is not None
        case Action.PAY:
            return d.fee_status == FeeStatus.UNPAID
        case Action.RATE:
            return d.rated_at is None
    return True


def available_actions(actor: Actor, d: Dossier) -> list[Action]:
    """The actions the page offers: allowed by the status machine, to this actor, and not
    ruled out by the dossier's state."""
    return [
        action
        for action in ACTIONS
        if d.status in TRANSITIONS[action] and may_act(actor, d, action) and _makes_sense(d, action)
    ]


def _candidates(d: Dossier) -> list[tuple[int, str]]:
    """Who may take the next step (for "chuyển cho")."""
    _previous, following = _neighbours(d)
    if following is None:
        return []
    agency = step_agency(following, receiving=d.receiving_agency, competent=d.resolving_agency)
    department = step_department(following, agency)
    members = Membership.objects.filter(agency=agency, role=following.role, is_active=True)
    if department is not None:
        members = members.filter(department=department)
    rows = members.select_related("user").order_by("user__full_name", "user_id")
    seen: dict[int, str] = {}
    for m in rows:
        seen.setdefault(m.user_id, m.user.full_name or m.user.username)
    return list(seen.items())


def _outstanding_components(d: Dossier) -> list[Component]:
    """The procedure's components not yet provided (what a supplement may bring)."""
    provided = {c.component_id for c in d.components.all() if c.provided and c.component_id}
    components = sorted(d.procedure_version.components.all(), key=lambda c: (c.order, c.pk))
    return [c for c in components if c.pk not in provided]


def _action_form(
    action: Action,
    d: Dossier,
    data: QueryDict | None = None,
    files: Any = None,
) -> forms_ui.ActionForm:
    cls = forms_ui.ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action.value}
    if data is not None:
        kwargs["data"] = data
        kwargs["files"] = files
    if cls is forms_ui.AdvanceForm:
        kwargs["candidates"] = _candidates(d)
    elif cls is forms_ui.SupplementForm:
        kwargs["components"] = _outstanding_components(d)
    elif cls in (forms_ui.PayForm, forms_ui.PaymentRequestForm):
        kwargs["initial"] = {"amount": d.fee_amount or None}
    return cls(**kwargs)


@dataclass
class Panel:
    action: str
    meta: ActionMeta
    form: forms_ui.ActionForm
    open: bool = False
    multipart: bool = False
    rows: list[Any] = field(default_factory=list)
    fields: list[Any] = field(default_factory=list)
    component_fields: set[str] = field(default_factory=set)


def _panels(
    actor: Actor, d: Dossier, bound: tuple[Action, forms_ui.ActionForm] | None
) -> list[Panel]:
    panels = []
    for action in available_actions(actor, d):
        form = bound[1] if bound is not None and bound[0] == action else _action_form(action, d)
        rows: list[Any] = []
        names: set[str] = set()
        if isinstance(form, forms_ui.SupplementForm):
            ids = [i for c in form.components if (i := form.stored_id(c)) is not None]
            rows = form.component_rows(_stored_names(actor, ids), show_missing=False)
            names = form.component_field_names()
        panels.append(
            Panel(
                action=action.value,
                meta=ACTIONS[action],
                form=form,
                open=bound is not None and bound[0] == action,
                multipart=isinstance(form, forms_ui.SupplementForm) or bool(form.upload_fields),
                rows=rows,
                fields=[f for f in form.visible_fields() if f.name not in names],
                component_fields=names,
            )
        )
    return panels


@dataclass(frozen=True, slots=True)
class FormLink:
    label: str
    url: str
    primary: bool = False


def form_url(code: str, slug: str) -> str:
    """The PDF of one of the official forms (`dossiers:form_pdf`), or its path."""
    try:
        return reverse("dossiers:form_pdf", args=(code, slug))
    except NoReverseMatch:
        return f"{reverse('dossiers:detail', args=(code,))}mau/{slug}.pdf"


#: How the dossier page names each official form (the number comes from the rule set).
FORM_LABELS: dict[FormKind, Any] = {
    FormKind.RECEIPT: gettext_lazy("In Giấy tiếp nhận (Mẫu %(n)s)"),
    FormKind.SUPPLEMENT: gettext_lazy("In Phiếu yêu cầu bổ sung (Mẫu %(n)s)"),
    FormKind.REFUSAL: gettext_lazy("In Phiếu từ chối tiếp nhận (Mẫu %(n)s)"),
    FormKind.APOLOGY: gettext_lazy("In Phiếu xin lỗi, hẹn lại (Mẫu %(n)s)"),
    FormKind.EXTENSION: gettext_lazy("In Văn bản xin lỗi, đề nghị gia hạn (Mẫu %(n)s)"),
    FormKind.STOP: gettext_lazy("In Thông báo dừng giải quyết (Mẫu %(n)s)"),
    FormKind.CONTROL: gettext_lazy("In Phiếu kiểm soát (Mẫu %(n)s)"),
}


def form_links(d: Dossier) -> list[FormLink]:
    """The official forms this dossier has now, numbered as its rule set numbers them
    (`forms.registry`); the one the counter hands over next is the primary button."""
    primary = {
        Status.SUPPLEMENT: FormKind.SUPPLEMENT,
        Status.NOT_RECEIVED: FormKind.REFUSAL,
        Status.STOPPED: FormKind.STOP,
        Status.WITHDRAWN: FormKind.STOP,
    }.get(Status(d.status), FormKind.RECEIPT)
    return [
        FormLink(
            str(FORM_LABELS[spec.kind]) % {"n": spec.number},
            form_url(d.code, spec.slug),
            primary=spec.kind == primary,
        )
        for spec in applicable_forms(d)
        if spec.kind in FORM_LABELS
    ]


def _place(agency: Agency | None, department: Any, user: User | None) -> str:
    parts = [
        (user.full_name or user.username) if user is not None else "",
        department.name if department is not None else "",
        agency.name if agency is not None else "",
    ]
    return ", ".join(p for p in parts if p)


def _slip_row(h: Handover) -> dict[str, Any]:
    """A row of the control slip (Mẫu 05): who gave, who took, when, how it went."""
    taker = _place(h.to_agency, h.to_department, h.to_user)
    if h.action == Action.RETURN_RESULT:
        taker = _("Người nộp hồ sơ")
    return {
        "row": h,
        "label": str(HISTORY_LABELS.get(h.action, h.action)),
        "giver": _place(h.from_agency, h.from_department, h.from_user),
        "taker": taker,
    }


def _history_item(a: Activity) -> dict[str, Any]:
    return {
        "row": a,
        "label": str(HISTORY_LABELS.get(a.action, a.action)),
        "status_changed": a.status_from != a.status_to,
        "status_to": Status(a.status_to).label if a.status_to in Status.values else "",
    }


def _detail_context(
    request: HttpRequest,
    actor: Actor,
    d: Dossier,
    *,
    bound: tuple[Action, forms_ui.ActionForm] | None = None,
    refused: str = "",
) -> dict[str, Any]:
    now = timezone.now()
    calendar = _calendar()
    required_missing = (
        [c for c in _outstanding_components(d) if c.required]
        if d.status in (Status.NEW, Status.SUPPLEMENT)
        else []
    )
    bound_errors: list[str] = []
    if bound is not None and bound[0] not in available_actions(actor, d):
        bound_errors = [str(e) for errors in bound[1].errors.values() for e in errors]
    return {
        "d": d,
        "deadline": dossier_deadline(d, now, calendar),
        "step_left": time_left(d.step_due_at, now, calendar)
        if d.status == Status.PROCESSING
        else None,
        "panels": _panels(actor, d, bound),
        "refused": refused,
        "bound_errors": bound_errors,
        "form_links": form_links(d),
        "handovers": [_slip_row(h) for h in d.handovers.all()],
        "history": [_history_item(a) for a in d.activities.all()],
        "components": list(d.components.all()),
        "results": list(d.results.all()),
        "may_sign_result": services.may_sign_result(actor, d),
        "signature_verdicts": signature_verdicts(
            [c.file_id for c in d.components.all() if c.file_id]
            + [r.file_id for r in d.results.all()]
        ),
        "required_missing": required_missing,
        "track_url": f"{reverse('dossiers:track')}?code={d.code}",
        "breadcrumbs": [(_("Tìm hồ sơ"), reverse("dossiers:search")), (d.code, None)],
    }


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    # The officials' page carries personal data; the applicants' own page is the portal's.
    _require_official(actor)
    d = selectors.dossier_detail(actor, code)
    return render(request, "dossiers/detail.html", _detail_context(request, actor, d))


def _store_result_files(
    request: HttpRequest, form: forms_ui.ActionForm
) -> tuple[list[int], dict[str, list[str]]]:
    ids: list[int] = []
    errors: dict[str, list[str]] = {}
    for name in form.upload_fields:
        for upload in forms_ui.uploaded_files(form, name):
            try:
                ids.append(file_store(actor=_user(request), upload=upload).pk)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(str(m) for m in exc.messages)
    return ids, errors


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One action on the dossier, posted from its page."""
    try:
        chosen = Action(action)
    except ValueError as exc:
        raise Http404(_("Thao tác không tồn tại.")) from exc
    if chosen not in ACTIONS:
        raise Http404(_("Thao tác không tồn tại."))
    actor = _actor(request)
    _require_official(actor)
    d = selectors.dossier_detail(actor, code)
    data = request.POST.copy()
    form = _action_form(chosen, d, data, request.FILES)
    upload_errors: dict[str, list[str]] = {}
    if isinstance(form, forms_ui.SupplementForm):
        upload_errors = _store_component_uploads(request, form, data)
    if form.is_valid() and not upload_errors:
        file_ids, upload_errors = _store_result_files(request, form)
        if not upload_errors:
            try:
                dossier_act(
                    actor=_user(request),
                    code=d.code,
                    action=chosen,
                    data=form.action_input(file_ids),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, field_map=form.service_fields)
            except TransitionRefused as exc:
                context = _detail_context(
                    request, actor, d, bound=(chosen, form), refused=exc.message
                )
                return render(request, "dossiers/detail.html", context, status=409)
            else:
                messages.success(request, str(ACTIONS[chosen].done))
                return HttpResponseRedirect(reverse("dossiers:detail", args=[d.code]))
    for name, errors in upload_errors.items():
        form.add_error(name, errors)
    context = _detail_context(request, actor, d, bound=(chosen, form))
    return render(request, "dossiers/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sign_result(request: HttpRequest, code: str, result_id: int) -> HttpResponse:
    """Sign a result file with the agency's seal key (or a personal key): PIN, then OTP."""
    actor = _actor(request)
    _require_official(actor)
    d = selectors.dossier_detail(actor, code)
    if not services.may_sign_result(actor, d):
        raise PermissionDenied(_("Bạn không được ký kết quả của hồ sơ này ở trạng thái hiện tại."))
    result = get_object_or_404(ResultFile.objects.select_related("file"), pk=result_id, dossier=d)
    errors: list[str] = []
    assert isinstance(request.user, User)
    if request.method == "POST":
        key = posted_key(request, actor)
        if key is None:
            errors = [_("Chọn khóa ký số.")]
        else:
            try:
                services.dossier_result_sign(
                    actor=request.user,
                    code=d.code,
                    result_id=result.pk,
                    key=key,
                    pin=request.POST.get("pin", ""),
                    otp=request.POST.get("otp", ""),
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request, _("Đã ký số tệp kết quả “%(name)s”.") % {"name": result.name}
                )
                return HttpResponseRedirect(reverse("dossiers:detail", args=[d.code]))
    return render_sign_page(
        request,
        actor=actor,
        stored=result.file,
        purpose="dossier_result",
        errors=errors,
        breadcrumbs=[
            (_("Tìm hồ sơ"), reverse("dossiers:search")),
            (d.code, reverse("dossiers:detail", args=[d.code])),
            (_("Ký số kết quả"), None),
        ],
    )
