"""The deadline API's parameters and answer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.workcalendar.arithmetic import Unit
from tinhso.workcalendar.selectors import MAX_AMOUNT

# A "+07:00" offset typed unencoded in a query string arrives as " 07:00".
_SPACE_OFFSET = re.compile(r"^(.*\d) (\d{2}:?\d{2})$")

UNIT_LABELS = {
    Unit.WORKING_DAYS: _("ngày làm việc"),
    Unit.WORKING_HOURS: _("giờ làm việc"),
    Unit.CALENDAR_DAYS: _("ngày (theo lịch)"),
}


def parse_aware_datetime(raw: str) -> dt.datetime:
    """An ISO 8601 date and time with a UTC offset, or `ValidationError` in Vietnamese."""
    text = raw.strip()
    match = _SPACE_OFFSET.match(text)
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    if "T" not in text and " " not in text:
        raise serializers.ValidationError(
            _("Cần cả ngày và giờ kèm độ lệch múi giờ, ví dụ 2025-04-28T09:00:00+07:00.")
        )
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise serializers.ValidationError(
            _("Không đúng định dạng ISO 8601, ví dụ 2025-04-28T09:00:00+07:00.")
        ) from exc
    if value.tzinfo is None:
        raise serializers.ValidationError(_("Thiếu độ lệch múi giờ (ví dụ +07:00 hoặc Z) sau giờ."))
    return value


class AwareDateTimeField(serializers.Field):  # type: ignore[type-arg]
    """A datetime that must carry its UTC offset (no guessing of the time zone)."""

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Phải là chuỗi ngày giờ ISO 8601."))
        return parse_aware_datetime(data)

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class DeadlineQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    start = AwareDateTimeField(
        help_text=_("Thời điểm bắt đầu tính, ISO 8601 có độ lệch múi giờ."),
        error_messages={"required": _("Thiếu thời điểm bắt đầu (start).")},
    )
    amount = serializers.IntegerField(
        min_value=0,
        help_text=_("Số lượng thời gian, số nguyên không âm."),
        error_messages={
            "required": _("Thiếu số lượng thời gian (amount)."),
            "invalid": _("Số lượng thời gian phải là số nguyên."),
            "min_value": _("Số lượng thời gian không được âm."),
            "max_string_length": _("Số lượng thời gian quá lớn."),
        },
    )
    unit = serializers.ChoiceField(
        choices=[(u.value, label) for u, label in UNIT_LABELS.items()],
        help_text=_("Đơn vị: working_days, working_hours hoặc calendar_days."),
        error_messages={
            "required": _("Thiếu đơn vị thời gian (unit)."),
            "invalid_choice": _(
                "Đơn vị “{input}” không hợp lệ; chọn working_days, working_hours hoặc calendar_days."
            ),
        },
    )
    agency = serializers.CharField(
        required=False,
        max_length=35,
        help_text=_("Mã định danh của cơ quan để dùng giờ làm việc riêng của cơ quan."),
        error_messages={
            "blank": _("Mã định danh cơ quan không được để trống."),
            "max_length": _("Mã định danh cơ quan dài tối đa 35 ký tự."),
        },
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unit = Unit(attrs["unit"])
        limit = MAX_AMOUNT[unit]
        if attrs["amount"] > limit:
            raise serializers.ValidationError(
                {
                    "amount": [
                        _("Số lượng thời gian quá lớn: tối đa %(max)d %(unit)s.")
                        % {"max": limit, "unit": UNIT_LABELS[unit]}
                    ]
                }
            )
        return attrs


class DeadlineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    start = serializers.DateTimeField(help_text=_("Thời điểm bắt đầu, giờ Việt Nam (+07:00)."))
    due = serializers.DateTimeField(help_text=_("Hạn xử lý, giờ Việt Nam (+07:00)."))
