"""HTML pages of the calendar: the year view, the deadline preview, the special days and the
working hours. Thin: parse, access, call the service or selector, render."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.accounts.access import Actor, actor_for, require_provincial_admin
from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency
from tinhso.web.forms import apply_service_errors
from tinhso.workcalendar import seed, selectors, services
from tinhso.workcalendar.access import (
    access_agency_hours,
    access_calendar_day,
    require_hours_admin,
    require_official,
)
from tinhso.workcalendar.arithmetic import Unit, periods_from_pairs
from tinhso.workcalendar.forms import (
    CalendarDayForm,
    DayRemoveForm,
    DeadlineForm,
    WorkingHoursForm,
)
from tinhso.workcalendar.models import DayKind

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _year_param(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    try:
        year = int(raw) if raw else default
    except ValueError:
        year = default
    return min(max(year, seed.MIN_YEAR), seed.MAX_YEAR)


# --- Year view ------------------------------------------------------------------------------


@login_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_official(actor)
    year = _year_param(request, timezone.localdate().year)
    state = selectors.calendar_state()
    seeded = state is not None and state.first_year <= year <= state.last_year
    context = {
        "year": year,
        "months": selectors.year_grid(year),
        "state": state,
        "seeded": seeded,
        "previous_year": year - 1 if year > seed.MIN_YEAR else None,
        "next_year": year + 1 if year < seed.MAX_YEAR else None,
        "years": range(state.first_year, state.last_year + 1) if state else range(year, year + 1),
        "kinds": DayKind,
        "today": timezone.localdate(),
        "can_edit_days": actor.is_provincial_admin,
        "can_edit_hours": actor.is_provincial_admin or actor.has_role(Role.QUAN_TRI_CO_QUAN),
        "periods": selectors.province_periods(),
        "breadcrumbs": [(_("Lịch làm việc"), None)],
    }
    return render(request, "workcalendar/calendar.html", context)


# --- Deadline preview -----------------------------------------------------------------------


@login_required
def deadline(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_official(actor)
    # The agencies the official belongs to (usually one), to use their own working hours.
    agencies = Agency.objects.filter(pk__in=actor.agency_ids).order_by("level", "code")
    due: dt.datetime | None = None
    start: dt.datetime | None = None
    if request.GET:
        form = DeadlineForm(request.GET, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            agency = data.get("agency")
            try:
                start = data["start"]
                due = selectors.deadline_due(
                    start=data["start"],
                    amount=data["amount"],
                    unit=Unit(data["unit"]),
                    agency_code=agency.code if agency else None,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = DeadlineForm(
            initial={"start": now, "amount": 1, "unit": Unit.WORKING_DAYS}, agencies=agencies
        )
    context = {
        "form": form,
        "start": start,
        "due": due,
        "show_agency": bool(actor.agency_ids),
        "breadcrumbs": [(_("Tính hạn xử lý"), None)],
    }
    template = (
        "workcalendar/_deadline_panel.html"
        if getattr(request, "htmx", False)
        else "workcalendar/deadline.html"
    )
    return render(request, template, context)


# --- Special days (provincial administrator) ------------------------------------------------


@login_required
def day_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_provincial_admin(actor)
    year = _year_param(request, timezone.localdate().year)
    days: QuerySet[Any] = selectors.special_days(year)
    page = Paginator(days, PAGE_SIZE).get_page(request.GET.get("page"))
    state = selectors.calendar_state()
    context = {
        "year": year,
        "page": page,
        "previous_year": year - 1 if year > seed.MIN_YEAR else None,
        "next_year": year + 1 if year < seed.MAX_YEAR else None,
        "years": range(state.first_year, state.last_year + 1) if state else range(year, year + 1),
        "breadcrumbs": [
            (_("Lịch làm việc"), reverse("workcalendar:calendar")),
            (_("Ngày nghỉ, ngày làm bù"), None),
        ],
    }
    return render(request, "workcalendar/day_list.html", context)


def _day_list_url(day: dt.date) -> str:
    return f"{reverse('workcalendar:day_list')}?year={day.year}"


def _date_or_404(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise Http404(_("Ngày không hợp lệ.")) from exc


@login_required
@require_http_methods(["GET", "POST"])
def day_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_provincial_admin(actor)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if selectors.special_day_by_date(data["date"]) is not None:
                form.add_error(
                    "date", _("Ngày này đã có trong lịch; hãy sửa ngày đó thay vì thêm mới.")
                )
            else:
                try:
                    day = services.calendar_day_set(actor=_user(request), **data)
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                else:
                    messages.success(request, _("Đã thêm ngày %(day)s.") % {"day": day})
                    return HttpResponseRedirect(_day_list_url(day.date))
    else:
        initial: dict[str, Any] = {"kind": DayKind.CLOSURE}
        if raw := request.GET.get("date"):
            with contextlib.suppress(ValueError):
                initial["date"] = dt.date.fromisoformat(raw)
        form = CalendarDayForm(initial=initial)
    return _render_day_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def day_edit(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    row = access_calendar_day(_actor(request), _date_or_404(year, month, day))
    if request.method == "POST":
        form = CalendarDayForm(request.POST, fixed_date=row.date)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.calendar_day_set(
                    actor=_user(request),
                    date=row.date,
                    kind=data["kind"],
                    name=data["name"],
                    legal_reference=data["legal_reference"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã cập nhật ngày %(day)s.") % {"day": row.date.strftime("%d/%m/%Y")}
                )
                return HttpResponseRedirect(_day_list_url(row.date))
    else:
        form = CalendarDayForm(
            fixed_date=row.date,
            initial={
                "kind": row.kind,
                "name": row.name,
                # A change needs its own reference: the old one is shown, not reused.
                "legal_reference": "",
            },
        )
    return _render_day_form(request, form, row)


def _render_day_form(request: HttpRequest, form: CalendarDayForm, row: Any) -> HttpResponse:
    title = _("Sửa ngày đặc biệt") if row else _("Thêm ngày đặc biệt")
    context = {
        "form": form,
        "row": row,
        "title": title,
        "breadcrumbs": [
            (_("Lịch làm việc"), reverse("workcalendar:calendar")),
            (_("Ngày nghỉ, ngày làm bù"), reverse("workcalendar:day_list")),
            (title, None),
        ],
    }
    return render(
        request, "workcalendar/day_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def day_remove(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    row = access_calendar_day(_actor(request), _date_or_404(year, month, day))
    if request.method == "POST":
        form = DayRemoveForm(request.POST)
        if form.is_valid():
            try:
                services.calendar_day_remove(
                    actor=_user(request),
                    day=row,
                    legal_reference=form.cleaned_data["legal_reference"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã gỡ ngày %(day)s khỏi lịch.") % {"day": row})
                return HttpResponseRedirect(_day_list_url(row.date))
    else:
        form = DayRemoveForm()
    context = {
        "form": form,
        "row": row,
        "breadcrumbs": [
            (_("Lịch làm việc"), reverse("workcalendar:calendar")),
            (_("Ngày nghỉ, ngày làm bù"), reverse("workcalendar:day_list")),
            (_("Gỡ ngày khỏi lịch"), None),
        ],
    }
    return render(
        request,
        "workcalendar/day_confirm_remove.html",
        context,
        status=400 if form.errors else 200,
    )


# --- Working hours --------------------------------------------------------------------------


@login_required
def working_hours(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_hours_admin(actor)
    agencies = selectors.agencies_for_hours(actor)
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for agency in page.object_list:
        own = getattr(agency, "working_hours", None)
        rows.append(
            (
                agency,
                periods_from_pairs(own.periods) if own else None,
                own.legal_reference if own else "",
            )
        )
    context = {
        "page": page,
        "rows": rows,
        "province_periods": selectors.province_periods(),
        "province_row": selectors.working_hours_of(None) if actor.is_provincial_admin else None,
        "is_provincial_admin": actor.is_provincial_admin,
        "breadcrumbs": [
            (_("Lịch làm việc"), reverse("workcalendar:calendar")),
            (_("Giờ làm việc"), None),
        ],
    }
    return render(request, "workcalendar/working_hours_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def working_hours_edit(request: HttpRequest, agency_id: int | None = None) -> HttpResponse:
    actor = _actor(request)
    agency: Agency | None
    if agency_id is None:
        require_provincial_admin(actor)
        agency = None
    else:
        agency = access_agency_hours(actor, agency_id)
    row = selectors.working_hours_of(agency)
    if request.method == "POST":
        form = WorkingHoursForm(request.POST)
        if form.is_valid():
            try:
                services.working_hours_set(
                    actor=_user(request),
                    agency=agency,
                    periods=form.cleaned_data["periods"],
                    legal_reference=form.cleaned_data["legal_reference"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu giờ làm việc."))
                return HttpResponseRedirect(reverse("workcalendar:working_hours"))
    else:
        periods = (
            periods_from_pairs(row.periods) if row is not None else selectors.province_periods()
        )
        form = WorkingHoursForm(initial=WorkingHoursForm.initial_for(periods))
    title = agency.name if agency else _("Giờ làm việc chung của tỉnh")
    context = {
        "form": form,
        "agency": agency,
        "row": row,
        "title": title,
        "breadcrumbs": [
            (_("Lịch làm việc"), reverse("workcalendar:calendar")),
            (_("Giờ làm việc"), reverse("workcalendar:working_hours")),
            (title, None),
        ],
    }
    return render(
        request, "workcalendar/working_hours_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["POST"])
def working_hours_reset(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access_agency_hours(_actor(request), agency_id)
    try:
        services.working_hours_reset(actor=_user(request), agency=agency)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(agency)s dùng lại giờ làm việc chung của tỉnh.") % {"agency": agency}
        )
    return HttpResponseRedirect(reverse("workcalendar:working_hours"))
