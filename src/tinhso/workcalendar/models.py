"""The province's calendar of special days, the working hours, and the calendar's version.

Tables only: the rules live in `arithmetic.py` (pure) and every write in `services.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.workcalendar import seed


class DayKind(models.TextChoices):
    """What makes a date special. Days off are off whatever the weekday."""

    HOLIDAY = seed.HOLIDAY, _("Ngày nghỉ lễ, Tết")
    SWAP_OFF = seed.SWAP_OFF, _("Ngày nghỉ hoán đổi")
    MAKEUP_WORKDAY = seed.MAKEUP_WORKDAY, _("Ngày làm bù")
    CLOSURE = seed.CLOSURE, _("Ngày nghỉ đột xuất")


#: The kinds that make a date a day off (the rest, make-up days, make it a working day).
DAY_OFF_KINDS = frozenset({DayKind.HOLIDAY, DayKind.SWAP_OFF, DayKind.CLOSURE})


class DaySource(models.TextChoices):
    SEED = "seed", _("Tự động (thư viện holidays)")
    ADMIN = "admin", _("Quản trị cấp tỉnh")


class CalendarDay(models.Model):
    """One special date of the province calendar (one row per date).

    A row the administrator created, edited or removed has `source = admin`; seeding never
    touches it again. A removal keeps the row with `is_removed` set, so that re-seeding does
    not bring back a day the administrator took out.
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("tên ngày"), max_length=255)
    legal_reference = models.CharField(_("căn cứ pháp lý"), max_length=255)
    source = models.CharField(
        _("nguồn"), max_length=8, choices=DaySource.choices, default=DaySource.ADMIN
    )
    is_removed = models.BooleanField(_("đã gỡ bỏ"), default=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("ngày đặc biệt")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in DayKind]), name="calendarday_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in DaySource]),
                name="calendarday_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind in DAY_OFF_KINDS


class WorkingHours(models.Model):
    """The working periods of one agency, or of the whole province when `agency` is empty.

    `periods` is a list of ["HH:MM", "HH:MM"] pairs, in order and not overlapping
    (validated by `arithmetic.validate_periods` in the service).
    """

    agency = models.OneToOneField(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="working_hours",
    )
    periods = models.JSONField(_("các buổi làm việc"))
    legal_reference = models.CharField(_("căn cứ"), max_length=255)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            # At most one province-wide row (agency empty): NULLs are distinct in a plain
            # unique index on both databases, so index the column with NULL mapped to 0.
            models.UniqueConstraint(
                Coalesce("agency", models.Value(0)), name="workinghours_one_per_scope"
            )
        ]

    def __str__(self) -> str:
        return str(self.agency) if self.agency_id else str(_("Toàn tỉnh"))


class CalendarState(models.Model):
    """The single row that versions the calendar and records the seeded years.

    Every calendar write (a special day, working hours, a seed) bumps `version` and draws a
    new `revision` in its transaction; web processes key their cached `WorkCalendar` on
    `revision`, so one tiny query per request tells them whether the cache is still right.
    The random revision (not only the counter) keeps a rolled-back write from ever being
    mistaken for a committed one that reused its number.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(_("phiên bản"), default=0)
    revision = models.UUIDField(default=uuid.uuid4)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("trạng thái lịch làm việc")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="calendarstate_singleton"),
            models.CheckConstraint(
                condition=Q(first_year__lte=models.F("last_year")),
                name="calendarstate_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.first_year}–{self.last_year})"
