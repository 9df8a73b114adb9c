"""Import of national-catalogue records (one JSON object per file, or a list of them).

A record has the keys of the scraped catalogue pages (`ma_thu_tuc`, `ten_thu_tuc`,
`cap_thuc_hien`, `cach_thuc_thuc_hien`, `thanh_phan_ho_so`, …), whose flattened text is read
by `catalogue_text`. Optional structured keys take precedence over that text:

- `thoi_han`: {"so": 5, "don_vi": "Ngày làm việc"} (units: Ngày làm việc, Giờ làm việc,
  Giờ, Ngày, Tháng);
- `phi_le_phi`: [{"ten": "Lệ phí", "muc_thu": 8000, "don_vi_tien": "VND", "ghi_chu": ""}];
- `thanh_phan`: [{"ten": …, "ban_chinh": 1, "ban_sao": 0, "mau": "", "bat_buoc": true,
  "tai_su_dung": false}];
- `quy_trinh`: [{"ten": …, "loai": "receive|process|approve|return",
  "co_quan": "receiving|competent|<mã định danh>", "phong_ban": "<tên viết tắt>",
  "vai_tro": "mot_cua|chuyen_vien|lanh_dao|van_thu", "gio": 4}];
- `ma_co_quan_tham_quyen`: the identification code of the competent agency (e.g. H57.02);
- `muc_do_dvc`: "toan_trinh" | "mot_phan" | "khong"; `ngay_ap_dung`: "2025-07-01".

Each record is imported in its own transaction and reported (created / updated / skipped /
error, with the reason in Vietnamese, the file and the index in a list). Importing the same
record again changes nothing; a changed record becomes a new draft version (or updates the
draft there is), published at once with `publish=True`. A record without `quy_trinh` keeps
the process of the procedure's latest version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.organizations.models import Agency
from tinhso.procedures import catalogue_text as text
from tinhso.procedures.models import (
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    StepAgency,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.rules import InvalidProcedureCode, normalize_procedure_code
from tinhso.procedures.services import (
    ComponentInput,
    FeeInput,
    ServiceActor,
    StepInput,
    VersionInput,
    clean_version_input,
    procedure_version_create,
    procedure_version_new,
    procedure_version_publish,
    procedure_version_update,
    version_input_of,
)

CREATED: Final = "created"
UPDATED: Final = "updated"
SKIPPED: Final = "skipped"
ERROR: Final = "error"

STATUS_LABELS: Final = {
    CREATED: gettext_lazy("tạo mới"),
    UPDATED: gettext_lazy("cập nhật"),
    SKIPPED: gettext_lazy("bỏ qua"),
    ERROR: gettext_lazy("lỗi"),
}

_UNIT_NAMES: Final = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
    "giờ": TimeUnit.WORKING_HOURS,
    "ngày": TimeUnit.CALENDAR_DAYS,
    "tháng": TimeUnit.MONTHS,
}
_ONLINE_LEVELS: Final = {
    "toan_trinh": OnlineLevel.FULL,
    "mot_phan": OnlineLevel.PARTIAL,
    "khong": OnlineLevel.NONE,
}
_NOTE_MAX = 1000


@dataclass(slots=True)
class ImportEntry:
    """What happened to one record."""

    source: str
    index: int | None
    code: str
    status: str
    message: str
    version: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.source if self.index is None else f"{self.source}[{self.index}]"

    def line(self) -> str:
        label = str(STATUS_LABELS[self.status])
        code = self.code or "?"
        line = f"[{label}] {code} ({self.where}): {self.message}"
        if self.notes:
            line += " " + _("Ghi chú: %(notes)s") % {"notes": "; ".join(self.notes)}
        return line


@dataclass(slots=True)
class ImportReport:
    entries: list[ImportEntry] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for entry in self.entries if entry.status == status)

    @property
    def has_errors(self) -> bool:
        return self.count(ERROR) > 0

    def summary(self) -> str:
        line = _(
            "%(total)d bản ghi: %(created)d tạo mới, %(updated)d cập nhật, %(skipped)d bỏ qua, "
            "%(errors)d lỗi."
        ) % {
            "total": len(self.entries),
            "created": self.count(CREATED),
            "updated": self.count(UPDATED),
            "skipped": self.count(SKIPPED),
            "errors": self.count(ERROR),
        }
        if self.dry_run:
            line += " " + _("(Chạy thử: không lưu gì.)")
        return line


class RecordError(ValueError):
    """A record that cannot be imported; the message is in Vietnamese."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    source: str
    index: int | None
    record: Any
    problem: str = ""  # the file could not be read


# --- Reading files ------------------------------------------------------------------------


def read_records(path: Path) -> Iterator[SourceRecord]:
    """The records of a file, or of every *.json file of a directory in name order."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for file in files:
        name = file.name
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            yield SourceRecord(name, None, None, _("Không đọc được tệp: %(e)s") % {"e": exc})
            continue
        except json.JSONDecodeError as exc:
            yield SourceRecord(
                name,
                None,
                None,
                _("Tệp không phải JSON hợp lệ (dòng %(line)d, cột %(col)d): %(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            )
            continue
        if isinstance(data, list):
            for index, record in enumerate(data):
                yield SourceRecord(name, index, record)
        else:
            yield SourceRecord(name, None, data)


# --- Record → input -----------------------------------------------------------------------


def _str(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(_("Trường “%(key)s” phải là chuỗi ký tự.") % {"key": key})
    return text.clean(value)


def _list(record: Mapping[str, Any], key: str) -> list[Mapping[str, Any]] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RecordError(_("Trường “%(key)s” phải là danh sách các đối tượng.") % {"key": key})
    return value


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError(_("%(where)s phải là một số.") % {"where": where})
    amount = text.parse_amount(str(value))
    if amount is None or not amount.is_finite():
        raise RecordError(
            _("%(where)s phải là một số (đang là “%(value)s”).") % {"where": where, "value": value}
        )
    return amount


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(_("%(where)s phải là số nguyên.") % {"where": where})
    return value


def _unit(name: str, where: str) -> str:
    unit = _UNIT_NAMES.get(" ".join(name.lower().split()))
    if unit is None:
        raise RecordError(
            _("%(where)s: đơn vị thời hạn “%(unit)s” không hợp lệ.")
            % {"where": where, "unit": name}
        )
    return unit


def _agency(code: str, where: str) -> Agency:
    agency = Agency.objects.filter(code=code.strip().upper()).first()
    if agency is None:
        raise RecordError(
            _("%(where)s: không có cơ quan mã định danh “%(code)s”.")
            % {"where": where, "code": code}
        )
    return agency


def _time(
    record: Mapping[str, Any], channels: list[text.ChannelInfo], notes: list[str]
) -> tuple[Decimal, str]:
    structured = record.get("thoi_han")
    if structured is not None:
        if not isinstance(structured, dict):
            raise RecordError(_("Trường “thoi_han” phải là đối tượng {so, don_vi}."))
        amount = _number(structured.get("so"), _("Thời hạn (thoi_han.so)"))
        unit = _unit(str(structured.get("don_vi", "")), _("thoi_han.don_vi"))
        return amount, unit
    timed = [c for c in channels if c.amount is not None]
    if not timed:
        raise RecordError(
            _(
                "Không xác định được thời hạn giải quyết từ “cach_thuc_thuc_hien”; hãy thêm “thoi_han”."
            )
        )
    chosen = next((c for c in timed if c.channel == text.COUNTER), timed[0])
    distinct = {(c.amount, c.unit) for c in timed}
    if len(distinct) > 1:
        notes.append(
            _("thời hạn khác nhau theo hình thức nộp, lấy thời hạn của hình thức “%(channel)s”")
            % {"channel": chosen.channel}
        )
    assert chosen.amount is not None
    if chosen.unit is None:
        notes.append(_("trang không ghi đơn vị thời hạn, coi là ngày làm việc"))
        return chosen.amount, TimeUnit.WORKING_DAYS
    return chosen.amount, chosen.unit


def _fees(record: Mapping[str, Any], channels: list[text.ChannelInfo]) -> tuple[FeeInput, ...]:
    structured = _list(record, "phi_le_phi")
    if structured is not None:
        return tuple(
            FeeInput(
                name=str(item.get("ten", "")),
                amount=_number(item.get("muc_thu"), _("Mức thu của phí %(n)d") % {"n": i}),
                currency=str(item.get("don_vi_tien", "VND")).upper(),
                note=str(item.get("ghi_chu", "")),
            )
            for i, item in enumerate(structured, 1)
        )
    fees: dict[tuple[Decimal, str], FeeInput] = {}
    for channel in channels:
        for fee in text.parse_fees(channel.fee_text):
            key = (fee.amount, fee.currency)
            if key not in fees:
                fees[key] = FeeInput(fee.name, fee.amount, fee.currency, fee.note[:_NOTE_MAX])
    return tuple(fees.values())


def _components(record: Mapping[str, Any]) -> tuple[ComponentInput, ...]:
    structured = _list(record, "thanh_phan")
    if structured is not None:
        return tuple(
            ComponentInput(
                name=str(item.get("ten", "")),
                originals=_count(
                    item.get("ban_chinh", 1), _("Số bản chính của thành phần %(n)d") % {"n": i}
                ),
                copies=_count(
                    item.get("ban_sao", 0), _("Số bản sao của thành phần %(n)d") % {"n": i}
                ),
                form_template=str(item.get("mau", "")),
                required=bool(item.get("bat_buoc", True)),
                reusable=bool(item.get("tai_su_dung", False)),
            )
            for i, item in enumerate(structured, 1)
        )
    return tuple(
        ComponentInput(
            name=(_("Xuất trình: ") + c.name) if c.shown_only else c.name,
            originals=min(c.originals, 99),
            copies=min(c.copies, 99),
            form_template=c.form_template[:255],
            required=not c.shown_only,
        )
        for c in text.parse_components(_str(record, "thanh_phan_ho_so"))
    )


def _steps(record: Mapping[str, Any], previous: VersionInput | None) -> tuple[StepInput, ...]:
    structured = _list(record, "quy_trinh")
    if structured is None:
        return previous.steps if previous is not None else ()
    steps = []
    for i, item in enumerate(structured, 1):
        where = _("Bước %(n)d") % {"n": i}
        target = str(item.get("co_quan", StepAgency.RECEIVING)).strip()
        agency: Agency | None = None
        if target in (StepAgency.RECEIVING, StepAgency.COMPETENT):
            mode = target
        else:
            mode = StepAgency.FIXED
            agency = _agency(target, where)
        steps.append(
            StepInput(
                name=str(item.get("ten", "")),
                kind=str(item.get("loai", "")),
                role=str(item.get("vai_tro", "")),
                duration_hours=_number(item.get("gio"), _("%(where)s: số giờ") % {"where": where}),
                agency_mode=mode,
                agency=agency,
                department_short_name=str(item.get("phong_ban", "") or ""),
            )
        )
    return tuple(steps)


def _valid_from(record: Mapping[str, Any]) -> dt.date | None:
    raw = record.get("ngay_ap_dung")
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise RecordError(
            _("Ngày áp dụng “%(value)s” không đúng dạng YYYY-MM-DD.") % {"value": raw}
        ) from exc


def record_code(record: Mapping[str, Any]) -> str:
    """The record's normalised procedure code, or RecordError."""
    raw = record.get("ma_thu_tuc")
    if not isinstance(raw, str):
        raise RecordError(_("Bản ghi không có mã thủ tục (ma_thu_tuc)."))
    try:
        return normalize_procedure_code(raw)
    except InvalidProcedureCode as exc:
        raise RecordError(str(exc)) from exc


def record_to_input(
    record: Mapping[str, Any], *, previous: VersionInput | None = None
) -> tuple[VersionInput, list[str]]:
    """The version a record describes, with notes on what was read by assumption."""
    notes: list[str] = []
    levels, leftover = text.parse_levels(_str(record, "cap_thuc_hien"))
    if not levels:
        raise RecordError(
            _("Không xác định được cấp thực hiện từ “%(value)s”.")
            % {"value": _str(record, "cap_thuc_hien")}
        )
    if leftover:
        notes.append(_("bỏ qua cấp thực hiện “%(value)s”") % {"value": leftover})
    channels = text.parse_channels(_str(record, "cach_thuc_thuc_hien"))
    amount, unit = _time(record, channels, notes)
    online = record.get("muc_do_dvc")
    if online is not None:
        if online not in _ONLINE_LEVELS:
            raise RecordError(
                _("Mức độ dịch vụ công “%(value)s” không hợp lệ (toan_trinh, mot_phan, khong).")
                % {"value": online}
            )
        online_level = _ONLINE_LEVELS[online]
    elif any(c.channel == text.ONLINE for c in channels):
        online_level = OnlineLevel.PARTIAL
    else:
        online_level = OnlineLevel.NONE
    competent_code = _str(record, "ma_co_quan_tham_quyen")
    competent = _agency(competent_code, _("Cơ quan có thẩm quyền")) if competent_code else None
    result_name, result_code = text.parse_result(_str(record, "ket_qua_xu_ly"))
    source_url = _str(record, "detail_url")
    data = VersionInput(
        name=_str(record, "ten_thu_tuc"),
        field=_str(record, "linh_vuc"),
        levels=tuple(levels),
        decision_number=_str(record, "so_quyet_dinh"),
        target_groups=_str(record, "doi_tuong_thuc_hien"),
        competent_agency=competent,
        competent_agency_name=_str(record, "co_quan_co_tham_quyen")
        or _str(record, "co_quan_thuc_hien"),
        receiving_place=_str(record, "dia_chi_tiep_nhan"),
        processing_time=amount,
        time_unit=unit,
        online_level=online_level,
        result_name=result_name,
        result_code=result_code,
        legal_basis=text.strip_header(_str(record, "can_cu_phap_ly"), text.LEGAL_HEADER),
        conditions=_str(record, "yeu_cau_dieu_kien"),
        steps_description=_str(record, "trinh_tu_thuc_hien"),
        valid_from=_valid_from(record),
        source_url=source_url if source_url.startswith(("http://", "https://")) else "",
        components=_components(record),
        fees=_fees(record, channels),
        steps=_steps(record, previous),
    )
    return data, notes


# --- Import -------------------------------------------------------------------------------

_PREFIXES: Final = {
    "components": gettext_lazy("Thành phần"),
    "fees": gettext_lazy("Phí"),
    "steps": gettext_lazy("Bước"),
}


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one Vietnamese sentence, rows named (“Bước 2: …”)."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts: list[str] = []
    for key, errors in exc.message_dict.items():
        head, _dot, rest = key.partition(".")
        prefix = ""
        if head in _PREFIXES and rest:
            index = rest.partition(".")[0]
            if index.isdigit():
                prefix = f"{_PREFIXES[head]} {int(index) + 1}: "
        parts.extend(prefix + message for message in errors)
    return " ".join(parts)


class _DryRun(Exception):
    pass


def _import_one(item: SourceRecord, *, actor: ServiceActor, publish: bool) -> ImportEntry:
    record = item.record
    if not isinstance(record, dict):
        raise RecordError(_("Bản ghi phải là một đối tượng JSON."))
    code = record_code(record)
    entry = ImportEntry(item.source, item.index, code, SKIPPED, "")
    procedure = Procedure.objects.filter(code=code).first()
    latest: ProcedureVersion | None = (
        procedure.versions.order_by("-number").first() if procedure is not None else None
    )
    previous = version_input_of(latest) if latest is not None else None
    data, entry.notes = record_to_input(record, previous=previous)
    cleaned = clean_version_input(data)
    version: ProcedureVersion
    if latest is not None and previous == cleaned:
        version = latest
        if not (publish and latest.status == VersionStatus.DRAFT):
            entry.version = latest.number
            entry.message = _("không có thay đổi so với phiên bản %(n)d (%(status)s).") % {
                "n": latest.number,
                "status": VersionStatus(latest.status).label.lower(),
            }
            return entry
        entry.status = UPDATED
        entry.message = _("nội dung không đổi so với phiên bản dự thảo %(n)d") % {
            "n": latest.number
        }
    elif procedure is None:
        version = procedure_version_create(actor=actor, code=code, data=cleaned)
        entry.status = CREATED
        entry.message = _("đã tạo thủ tục, phiên bản dự thảo %(n)d") % {"n": version.number}
    elif latest is not None and latest.status == VersionStatus.DRAFT:
        version = procedure_version_update(actor=actor, version=latest, data=cleaned)
        entry.status = UPDATED
        entry.message = _("đã cập nhật phiên bản dự thảo %(n)d") % {"n": version.number}
    else:
        version = procedure_version_new(actor=actor, procedure=procedure, data=cleaned)
        entry.status = UPDATED
        entry.message = _("đã tạo phiên bản dự thảo %(n)d") % {"n": version.number}
    if publish:
        version = procedure_version_publish(actor=actor, version=version)
        entry.message += _(", đã công bố.")
    else:
        entry.message += "."
    entry.version = version.number
    return entry


def import_records(
    records: Iterable[SourceRecord],
    *,
    actor: ServiceActor,
    publish: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import each record in its own transaction; a failing record leaves nothing behind."""
    report = ImportReport(dry_run=dry_run)
    for item in records:
        if item.problem:
            report.entries.append(ImportEntry(item.source, item.index, "", ERROR, item.problem))
            continue
        code = item.record.get("ma_thu_tuc", "") if isinstance(item.record, dict) else ""
        try:
            with transaction.atomic():
                entry = _import_one(item, actor=actor, publish=publish)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except RecordError as exc:
            entry = ImportEntry(item.source, item.index, str(code), ERROR, str(exc))
        except ValidationError as exc:
            entry = ImportEntry(item.source, item.index, str(code), ERROR, error_text(exc))
        except PermissionDenied as exc:
            entry = ImportEntry(item.source, item.index, str(code), ERROR, str(exc))
        report.entries.append(entry)
    return report


def import_path(
    path: Path,
    *,
    actor: ServiceActor = "system:import",
    publish: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import a JSON file or every *.json file of a directory."""
    if not path.exists():
        raise FileNotFoundError(_("Không tìm thấy “%(path)s”.") % {"path": path})
    return import_records(read_records(path), actor=actor, publish=publish, dry_run=dry_run)
