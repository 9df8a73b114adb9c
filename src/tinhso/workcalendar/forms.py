"""Forms of the calendar pages: input parsing only; the rules are in services and arithmetic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.models import Agency
from tinhso.workcalendar.api.serializers import UNIT_LABELS
from tinhso.workcalendar.arithmetic import Period, Unit
from tinhso.workcalendar.models import DayKind
from tinhso.workcalendar.selectors import MAX_AMOUNT

MAX_PERIODS = 4


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget; invalid fields marked for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()


class DeadlineForm(BootstrapForm):
    start = forms.DateTimeField(
        label=_("Thời điểm bắt đầu"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Giờ Việt Nam, ví dụ thời điểm tiếp nhận hồ sơ."),
        error_messages={
            "required": _("Vui lòng nhập thời điểm bắt đầu."),
            "invalid": _("Thời điểm bắt đầu không đúng định dạng ngày giờ."),
        },
    )
    amount = forms.IntegerField(
        label=_("Số lượng"),
        min_value=0,
        error_messages={
            "required": _("Vui lòng nhập số lượng thời gian."),
            "invalid": _("Số lượng thời gian phải là số nguyên."),
            "min_value": _("Số lượng thời gian không được âm."),
        },
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị"),
        choices=[(u.value, label) for u, label in UNIT_LABELS.items()],
        error_messages={
            "required": _("Vui lòng chọn đơn vị thời gian."),
            "invalid_choice": _("Đơn vị thời gian không hợp lệ."),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("Giờ làm việc của cơ quan"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Giờ làm việc chung của tỉnh"),
        error_messages={"invalid_choice": _("Cơ quan đã chọn không hợp lệ.")},
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies if agencies is not None else Agency.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, amount = data.get("unit"), data.get("amount")
        if unit and amount is not None and amount > MAX_AMOUNT[Unit(unit)]:
            self.add_error(
                "amount",
                _("Số lượng thời gian quá lớn: tối đa %(max)d %(unit)s.")
                % {"max": MAX_AMOUNT[Unit(unit)], "unit": UNIT_LABELS[Unit(unit)]},
            )
        return data


class CalendarDayForm(BootstrapForm):
    date = forms.DateField(
        label=_("Ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Vui lòng nhập ngày."),
            "invalid": _("Ngày không đúng định dạng (ngày/tháng/năm)."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Loại ngày"),
        choices=DayKind.choices,
        error_messages={
            "required": _("Vui lòng chọn loại ngày."),
            "invalid_choice": _("Loại ngày không hợp lệ."),
        },
    )
    name = forms.CharField(
        label=_("Tên ngày"),
        max_length=255,
        error_messages={
            "required": _("Vui lòng nhập tên ngày."),
            "max_length": _("Tên ngày dài tối đa %(limit_value)d ký tự."),
        },
    )
    legal_reference = forms.CharField(
        label=_("Căn cứ pháp lý"),
        max_length=255,
        help_text=_("Số hiệu, ngày và cơ quan ban hành văn bản, ví dụ Công văn 2450/VPCP-KGVX."),
        error_messages={
            "required": _("Vui lòng nhập căn cứ pháp lý của thay đổi."),
            "max_length": _("Căn cứ pháp lý dài tối đa %(limit_value)d ký tự."),
        },
    )

    def __init__(self, *args: Any, fixed_date: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_date is not None:
            # Editing: the date is the row's identity; moving a day is remove + add.
            self.fields["date"].disabled = True
            self.fields["date"].initial = fixed_date


class DayRemoveForm(BootstrapForm):
    legal_reference = forms.CharField(
        label=_("Căn cứ pháp lý"),
        max_length=255,
        help_text=_("Văn bản cho phép bỏ ngày này khỏi lịch."),
        error_messages={
            "required": _("Vui lòng nhập căn cứ pháp lý của việc gỡ bỏ."),
            "max_length": _("Căn cứ pháp lý dài tối đa %(limit_value)d ký tự."),
        },
    )


class WorkingHoursForm(BootstrapForm):
    """Up to four periods (start–end); empty rows are ignored."""

    legal_reference = forms.CharField(
        label=_("Căn cứ"),
        max_length=255,
        help_text=_("Quyết định hoặc thông báo quy định giờ làm việc."),
        error_messages={
            "required": _("Vui lòng nhập căn cứ quy định giờ làm việc."),
            "max_length": _("Căn cứ dài tối đa %(limit_value)d ký tự."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_PERIODS + 1):
            for part, label in (
                ("start", _("Bắt đầu buổi %(n)d")),
                ("end", _("Kết thúc buổi %(n)d")),
            ):
                self.fields[f"period{n}_{part}"] = forms.TimeField(
                    label=label % {"n": n},
                    required=False,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    input_formats=["%H:%M", "%H:%M:%S"],
                    error_messages={
                        "invalid": _("Buổi %(n)d: giờ không đúng định dạng giờ:phút.") % {"n": n}
                    },
                )
        self._style()

    @staticmethod
    def initial_for(periods: tuple[Period, ...], legal_reference: str = "") -> dict[str, Any]:
        initial: dict[str, Any] = {"legal_reference": legal_reference}
        for n, period in enumerate(periods, start=1):
            initial[f"period{n}_start"] = period.start
            initial[f"period{n}_end"] = period.end
        return initial

    def period_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (n, self[f"period{n}_start"], self[f"period{n}_end"]) for n in range(1, MAX_PERIODS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periods: list[Period] = []
        for n in range(1, MAX_PERIODS + 1):
            start, end = data.get(f"period{n}_start"), data.get(f"period{n}_end")
            if f"period{n}_start" in self.errors or f"period{n}_end" in self.errors:
                continue
            if start is None and end is None:
                continue
            if start is None or end is None:
                self.add_error(
                    f"period{n}_start" if start is None else f"period{n}_end",
                    _("Buổi %(n)d cần cả giờ bắt đầu và giờ kết thúc.") % {"n": n},
                )
                continue
            periods.append(Period(start, end))
        if not periods and not self.errors:
            raise ValidationError(_("Cần ít nhất một buổi làm việc."))
        data["periods"] = periods
        return data
