"""A validation report as people read it: verdicts in words and colours, times in Vietnam."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

VERDICTS: dict[str, tuple[Any, str, str]] = {
    "valid": (_("Hợp lệ"), "success", "bi-patch-check-fill"),
    "invalid": (_("Không hợp lệ"), "danger", "bi-x-octagon-fill"),
    "indeterminate": (_("Chưa xác định được"), "warning", "bi-question-octagon-fill"),
    "unsigned": (_("Không có chữ ký số"), "secondary", "bi-dash-circle"),
}

LEVELS: dict[str, Any] = {
    "B-B": _("PAdES B-B (cơ bản)"),
    "B-T": _("PAdES B-T (có dấu thời gian)"),
    "B-LT": _("PAdES B-LT (kèm dữ liệu thu hồi)"),
    "B-LTA": _("PAdES B-LTA (lưu trữ dài hạn)"),
}


@dataclass
class SignatureView:
    field: str
    signer: str
    agency_code: str
    signed_at: dt.datetime | None
    level: str
    verdict: str
    label: Any
    colour: str
    icon: str
    intact: bool
    trusted: bool
    modified_after_signing: bool
    reasons: list[str]


@dataclass
class ReportView:
    verdict: str
    label: Any
    colour: str
    icon: str
    valid_at: dt.datetime | None
    signatures: list[SignatureView] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    timestamps: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _messages(reasons: Any) -> list[str]:
    return [
        str(r.get("message", r.get("code", ""))) if isinstance(r, dict) else str(r)
        for r in reasons or []
    ]


def report_view(report: dict[str, Any]) -> ReportView:
    verdict = str(report.get("verdict", "indeterminate"))
    label, colour, icon = VERDICTS.get(verdict, VERDICTS["indeterminate"])
    signatures = []
    for item in report.get("signatures") or []:
        s_verdict = str(item.get("verdict", "indeterminate"))
        s_label, s_colour, s_icon = VERDICTS.get(s_verdict, VERDICTS["indeterminate"])
        level = str(item.get("level") or "")
        signatures.append(
            SignatureView(
                field=str(item.get("field", "")),
                signer=str(item.get("signer") or "—"),
                agency_code=str(item.get("agency_code") or ""),
                signed_at=_moment(item.get("signed_at")),
                level=str(LEVELS.get(level, level or "—")),
                verdict=s_verdict,
                label=s_label,
                colour=s_colour,
                icon=s_icon,
                intact=bool(item.get("intact")),
                trusted=bool(item.get("trusted")),
                modified_after_signing=bool(item.get("modified_after_signing")),
                reasons=[
                    str(r.get("message", r)) if isinstance(r, dict) else str(r)
                    for r in item.get("reasons") or []
                ],
            )
        )
    return ReportView(
        verdict=verdict,
        label=label,
        colour=colour,
        icon=icon,
        valid_at=_moment(report.get("valid_at")),
        signatures=signatures,
        reasons=_messages(report.get("reasons")),
        timestamps=[
            {
                "authority": str(t.get("authority") or "—"),
                "time": _moment(t.get("time")),
                "verdict": VERDICTS.get(str(t.get("verdict")), VERDICTS["indeterminate"]),
            }
            for t in report.get("document_timestamps") or []
        ],
        error=str(report.get("error", "")),
    )
