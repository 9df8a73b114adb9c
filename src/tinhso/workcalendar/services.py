"""Every write to the calendar: special days, working hours and the seed.

Each service runs in one transaction that also bumps the calendar version (so every web
process drops its cached `WorkCalendar`) and ends with its audit row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for, require_provincial_admin
from tinhso.accounts.models import Role, User
from tinhso.audit.services import audit_record, diff, snapshot
from tinhso.organizations.models import Agency
from tinhso.workcalendar import seed
from tinhso.workcalendar.arithmetic import (
    HOURS_PER_WORKING_DAY,
    InvalidPeriodsError,
    Period,
    periods_to_pairs,
    total_duration,
    validate_periods,
)
from tinhso.workcalendar.models import (
    CalendarDay,
    CalendarState,
    DayKind,
    DaySource,
    WorkingHours,
)
from tinhso.workcalendar.selectors import work_calendar_cache_clear

SEED_ACTOR_LABEL = "system:calendar_seed"
_DAY_FIELDS = ("kind", "name", "legal_reference", "source", "is_removed")
_TEXT_MAX = 255


def _bump_version(*, first_year: int | None = None, last_year: int | None = None) -> None:
    """Invalidate every process's cached calendar; widen the seeded range when given."""
    # This process forgets its calendar as soon as the change commits; the others see the new
    # revision at their next re-check (selectors.TINHSO_CALENDAR_RECHECK_SECONDS).
    transaction.on_commit(work_calendar_cache_clear)
    now = timezone.now()
    changes: dict[str, Any] = {
        "version": F("version") + 1,
        "revision": uuid.uuid4(),
        "updated_at": now,
    }
    state = CalendarState.objects.select_for_update().filter(id=1).first()
    if state is None:
        # A database emptied by hand (or by a test flush): start the row again.
        CalendarState.objects.create(
            id=1,
            version=1,
            first_year=first_year or seed.SEED_FIRST_YEAR,
            last_year=last_year or seed.SEED_LAST_YEAR,
            updated_at=now,
        )
        return
    if first_year is not None:
        changes["first_year"] = min(state.first_year, first_year)
    if last_year is not None:
        changes["last_year"] = max(state.last_year, last_year)
    CalendarState.objects.filter(id=1).update(**changes)


def _required_text(value: str, field: str, label: str, errors: dict[str, list[str]]) -> str:
    text = " ".join((value or "").split())
    if not text:
        errors.setdefault(field, []).append(_("%(field)s không được để trống.") % {"field": label})
    elif len(text) > _TEXT_MAX:
        errors.setdefault(field, []).append(
            _("%(field)s dài tối đa %(max)d ký tự (đang có %(n)d).")
            % {"field": label, "max": _TEXT_MAX, "n": len(text)}
        )
    return text


# --- Special days -------------------------------------------------------------------------


def calendar_day_set(
    *,
    actor: User,
    date: dt.date,
    kind: str,
    name: str,
    legal_reference: str,
) -> CalendarDay:
    """Add or change the special day of `date` (provincial administrator only).

    The row becomes the administrator's (`source = admin`): seeding never overwrites it.
    A make-up working day must be a Saturday or a Sunday (it makes a weekend day worked).
    """
    require_provincial_admin(actor_for(actor))
    errors: dict[str, list[str]] = {}
    if kind not in DayKind.values:
        errors["kind"] = [_("Loại ngày không hợp lệ.")]
    elif kind == DayKind.MAKEUP_WORKDAY and date.weekday() < 5:
        errors["kind"] = [
            _("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; ngày %(date)s là ngày làm việc.")
            % {"date": f"{date:%d/%m/%Y}"}
        ]
    if not seed.MIN_YEAR <= date.year <= seed.MAX_YEAR:
        errors["date"] = [
            _("Ngày phải thuộc các năm từ %(first)d đến %(last)d.")
            % {"first": seed.MIN_YEAR, "last": seed.MAX_YEAR}
        ]
    name = _required_text(name, "name", _("Tên ngày"), errors)
    legal_reference = _required_text(
        legal_reference, "legal_reference", _("Căn cứ pháp lý"), errors
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = snapshot(day, _DAY_FIELDS) if day and not day.is_removed else {}
        if day is None:
            day = CalendarDay(date=date)
        day.kind = kind
        day.name = name
        day.legal_reference = legal_reference
        day.source = DaySource.ADMIN
        day.is_removed = False
        day.updated_at = timezone.now()
        day.updated_by = actor
        day.save()
        _bump_version()
        audit_record(
            actor=actor,
            action="workcalendar.day.set",
            obj=day,
            changes=diff(before, snapshot(day, _DAY_FIELDS)),
        )
    return day


def calendar_day_remove(*, actor: User, day: CalendarDay, legal_reference: str) -> CalendarDay:
    """Take a special day out of the calendar (provincial administrator only).

    The row stays, marked removed and owned by the administrator, so that seeding again
    does not bring the day back; `legal_reference` records why it was removed.
    """
    require_provincial_admin(actor_for(actor))
    errors: dict[str, list[str]] = {}
    legal_reference = _required_text(
        legal_reference, "legal_reference", _("Căn cứ pháp lý"), errors
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = CalendarDay.objects.select_for_update().get(pk=day.pk)
        if locked.is_removed:
            raise ValidationError(_("Ngày này đã được gỡ khỏi lịch."))
        before = snapshot(locked, _DAY_FIELDS)
        locked.is_removed = True
        locked.source = DaySource.ADMIN
        locked.legal_reference = legal_reference
        locked.updated_at = timezone.now()
        locked.updated_by = actor
        locked.save()
        _bump_version()
        audit_record(
            actor=actor,
            action="workcalendar.day.remove",
            obj=locked,
            changes=diff(before, snapshot(locked, _DAY_FIELDS)),
        )
    return locked


# --- Working hours ------------------------------------------------------------------------


def _require_hours_admin(actor: User, agency: Agency | None) -> None:
    """The province's hours: provincial administrator; an agency's: also its administrator."""
    who = actor_for(actor)
    if who.is_provincial_admin:
        return
    if agency is not None and who.has_role(Role.QUAN_TRI_CO_QUAN, agency_id=agency.pk):
        return
    raise PermissionDenied(_("Bạn không có quyền sửa giờ làm việc của cơ quan này."))


def period_errors(periods: Sequence[Period]) -> list[str]:
    """Vietnamese messages for invalid working periods (empty list when valid).

    Quyết định 188/1999/QĐ-TTg: public servants work 8 hours a day, 40 hours a week; a
    deadline's working day is those 8 hours, so the periods must add up to 8 hours.
    """
    try:
        valid = validate_periods(periods)
    except InvalidPeriodsError as exc:
        number = exc.index + 1
        messages = {
            "empty": _("Cần ít nhất một buổi làm việc."),
            "reversed": _("Buổi %(n)d: giờ kết thúc phải sau giờ bắt đầu.") % {"n": number},
            "unordered": _("Buổi %(n)d: các buổi phải xếp theo thứ tự thời gian.") % {"n": number},
            "overlap": _("Buổi %(n)d bắt đầu trước khi buổi %(m)d kết thúc.")
            % {"n": number, "m": number - 1},
        }
        return [messages.get(exc.code, _("Giờ làm việc không hợp lệ."))]
    total = total_duration(valid)
    if total != dt.timedelta(hours=HOURS_PER_WORKING_DAY):
        minutes = int(total.total_seconds() // 60)
        return [
            _(
                "Tổng thời gian các buổi phải đúng %(hours)d giờ một ngày "
                "(đang là %(h)d giờ %(m)02d phút)."
            )
            % {"hours": HOURS_PER_WORKING_DAY, "h": minutes // 60, "m": minutes % 60}
        ]
    return []


def working_hours_set(
    *,
    actor: User,
    agency: Agency | None,
    periods: Sequence[Period],
    legal_reference: str,
) -> WorkingHours:
    """Set the working periods of `agency`, or of the whole province when `agency` is None.

    An agency administrator (quan_tri_co_quan) may set only their own agency's hours; the
    provincial administrator any agency's and the province's.
    """
    _require_hours_admin(actor, agency)
    errors: dict[str, list[str]] = {}
    if problems := period_errors(periods):
        errors["periods"] = problems
    legal_reference = _required_text(legal_reference, "legal_reference", _("Căn cứ"), errors)
    if errors:
        raise ValidationError(errors)

    fields = ("periods", "legal_reference")
    with transaction.atomic():
        row = WorkingHours.objects.select_for_update().filter(agency=agency).first()
        before = snapshot(row, fields) if row else {}
        if row is None:
            row = WorkingHours(agency=agency)
        row.periods = periods_to_pairs(periods)
        row.legal_reference = legal_reference
        row.updated_at = timezone.now()
        row.updated_by = actor
        row.save()
        _bump_version()
        audit_record(
            actor=actor,
            action="workcalendar.working_hours.set",
            obj=row,
            agency=agency,
            changes=diff(before, snapshot(row, fields)),
        )
    return row


def working_hours_reset(*, actor: User, agency: Agency) -> None:
    """Drop an agency's own hours: it follows the province's again."""
    _require_hours_admin(actor, agency)
    with transaction.atomic():
        row = WorkingHours.objects.select_for_update().filter(agency=agency).first()
        if row is None:
            raise ValidationError(_("Cơ quan này đang dùng giờ làm việc chung của tỉnh."))
        before = snapshot(row, ("periods", "legal_reference"))
        row_id = row.pk
        row.delete()
        _bump_version()
        audit_record(
            actor=actor,
            action="workcalendar.working_hours.reset",
            agency=agency,
            object_type="workcalendar.workinghours",
            object_id=str(row_id),
            object_repr=str(agency)[:255],
            changes=diff(before, {}),
        )


# --- Seed ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeedResult:
    created: int
    updated: int
    unchanged: int
    kept: int  # rows an administrator owns, left as they are


def calendar_seed_apply(*, from_year: int, to_year: int) -> SeedResult:
    """Write the `holidays` seed of [from_year, to_year]; idempotent.

    New dates are created, seeded rows brought up to date, and rows an administrator
    created, edited or removed are kept as they are. Run by the `calendar_seed` command as
    the system (the audit row names `system:calendar_seed`).
    """
    if not seed.MIN_YEAR <= from_year <= to_year <= seed.MAX_YEAR:
        raise ValidationError(
            _("Khoảng năm phải nằm trong %(first)d–%(last)d và năm đầu không sau năm cuối.")
            % {"first": seed.MIN_YEAR, "last": seed.MAX_YEAR}
        )
    entries = seed.seed_days(from_year, to_year)
    now = timezone.now()
    created = updated = unchanged = kept = 0
    with transaction.atomic():
        existing: dict[dt.date, CalendarDay] = {}
        if entries:
            span = (entries[0].date, entries[-1].date)
            rows = CalendarDay.objects.select_for_update().filter(date__range=span)
            existing = {row.date: row for row in rows}
        new_rows: list[CalendarDay] = []
        for entry in entries:
            row = existing.get(entry.date)
            if row is None:
                new_rows.append(
                    CalendarDay(
                        date=entry.date,
                        kind=entry.kind,
                        name=entry.name,
                        legal_reference=entry.legal_reference,
                        source=DaySource.SEED,
                        updated_at=now,
                    )
                )
            elif row.source != DaySource.SEED:
                kept += 1
            elif (row.kind, row.name, row.legal_reference, row.is_removed) == (
                entry.kind,
                entry.name,
                entry.legal_reference,
                False,
            ):
                unchanged += 1
            else:
                row.kind = entry.kind
                row.name = entry.name
                row.legal_reference = entry.legal_reference
                row.is_removed = False
                row.updated_at = now
                row.save(
                    update_fields=["kind", "name", "legal_reference", "is_removed", "updated_at"]
                )
                updated += 1
        CalendarDay.objects.bulk_create(new_rows)
        created = len(new_rows)
        result = SeedResult(created, updated, unchanged, kept)
        state = CalendarState.objects.filter(id=1).first()
        widens = state is None or from_year < state.first_year or to_year > state.last_year
        if created or updated or widens:
            _bump_version(first_year=from_year, last_year=to_year)
        audit_record(
            actor=SEED_ACTOR_LABEL,
            action="workcalendar.seed",
            object_type="workcalendar.calendarstate",
            object_id="1",
            object_repr=f"{from_year}–{to_year}",
            changes={
                "from_year": from_year,
                "to_year": to_year,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "kept": kept,
            },
        )
    return result
