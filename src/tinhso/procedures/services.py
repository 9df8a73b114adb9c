"""Every write to the catalogue of procedures: drafts, new versions and publication.

Only the provincial administrator (quan_tri_tinh) manages the catalogue; a system process
(the import command, the demo loader) acts under a label such as "system:import". Each
service runs in one transaction that ends with its audit row.

A version's components, fees and steps are replaced as a whole from validated data
(`VersionInput`): a draft is edited like a form, never row by row. A published version is
frozen, because dossiers received under it point at its components and steps (vn-onestop §0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import Role, User
from tinhso.audit.services import audit_record, diff
from tinhso.organizations.models import Agency, Department
from tinhso.procedures.models import (
    Component,
    Fee,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    ProcessStep,
    StepAgency,
    StepKind,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.rules import InvalidProcedureCode, legal_hours, normalize_procedure_code
from tinhso.procedures.search import procedure_search_text

#: The one who acts: a signed-in user, or a system process named by a label such as
#: "system:import" (the import command) or "system:demo" (the demo loader). A system process
#: runs from the machine's command line, never from a request, and is trusted.
ServiceActor: TypeAlias = User | str

#: Roles that may act on a step of an internal process (administrators never do).
STEP_ROLES: Final = (Role.MOT_CUA, Role.CHUYEN_VIEN, Role.LANH_DAO, Role.VAN_THU)
#: Levels in the order they are stored and shown.
LEVEL_ORDER: Final = tuple(ProcedureLevel.values)

_MAX_DURATION = Decimal("99999.99")
_MAX_COUNT = 100


# --- Input --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentInput:
    name: str
    originals: int = 1
    copies: int = 0
    form_template: str = ""
    required: bool = True
    reusable: bool = False


@dataclass(frozen=True, slots=True)
class FeeInput:
    name: str
    amount: Decimal
    currency: str = "VND"
    note: str = ""


@dataclass(frozen=True, slots=True)
class StepInput:
    """A step; its department is a row when its agency is known, else a short name."""

    name: str
    kind: str
    role: str
    duration_hours: Decimal
    agency_mode: str = StepAgency.RECEIVING
    agency: Agency | None = None
    department: Department | None = None
    department_short_name: str = ""


@dataclass(frozen=True, slots=True)
class VersionInput:
    """Everything a version holds; two equal inputs describe the same version."""

    name: str
    processing_time: Decimal
    levels: tuple[str, ...]
    time_unit: str = TimeUnit.WORKING_DAYS
    field: str = ""
    decision_number: str = ""
    target_groups: str = ""
    competent_agency: Agency | None = None
    competent_agency_name: str = ""
    receiving_place: str = ""
    online_level: str = OnlineLevel.NONE
    result_name: str = ""
    result_code: str = ""
    legal_basis: str = ""
    conditions: str = ""
    steps_description: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source_url: str = ""
    components: tuple[ComponentInput, ...] = ()
    fees: tuple[FeeInput, ...] = ()
    steps: tuple[StepInput, ...] = ()


#: Plain fields of ProcedureVersion written from a VersionInput, with their maximum length
#: (None: a text field without limit).
_TEXT_FIELDS: Final[dict[str, int | None]] = {
    "field": 255,
    "decision_number": 100,
    "target_groups": None,
    "competent_agency_name": 500,
    "receiving_place": None,
    "result_name": None,
    "result_code": 40,
    "legal_basis": None,
    "conditions": None,
    "steps_description": None,
    "source_url": 500,
}
_VERSION_FIELDS: Final = (
    "name",
    *_TEXT_FIELDS,
    "levels",
    "competent_agency",
    "processing_time",
    "time_unit",
    "online_level",
    "valid_from",
    "valid_to",
)


# --- Who may act --------------------------------------------------------------------------


def _require_catalogue_admin(actor: ServiceActor) -> None:
    if isinstance(actor, str):
        return
    if not actor_for(actor).is_provincial_admin:
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh mục thủ tục hành chính."))


# --- Validation ---------------------------------------------------------------------------


def _date(day: dt.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _text(
    errors: dict[str, list[str]],
    key: str,
    value: str,
    *,
    label: str,
    max_length: int | None,
    required: bool = False,
) -> str:
    text = (value or "").strip()
    if required and not text:
        _add(errors, key, _("%(label)s không được để trống.") % {"label": label})
    elif max_length is not None and len(text) > max_length:
        _add(
            errors,
            key,
            _("%(label)s dài tối đa %(max)d ký tự (đang có %(count)d).")
            % {"label": label, "max": max_length, "count": len(text)},
        )
    return text


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


_LABELS: Final = {
    "field": gettext_lazy("Lĩnh vực"),
    "decision_number": gettext_lazy("Quyết định công bố"),
    "target_groups": gettext_lazy("Đối tượng thực hiện"),
    "competent_agency_name": gettext_lazy("Tên cơ quan có thẩm quyền"),
    "receiving_place": gettext_lazy("Nơi tiếp nhận"),
    "result_name": gettext_lazy("Kết quả thực hiện"),
    "result_code": gettext_lazy("Mã kết quả"),
    "legal_basis": gettext_lazy("Căn cứ pháp lý"),
    "conditions": gettext_lazy("Yêu cầu, điều kiện"),
    "steps_description": gettext_lazy("Trình tự thực hiện"),
    "source_url": gettext_lazy("Nguồn"),
}


def _step_agency(step: StepInput, competent: Agency | None) -> Agency | None:
    """The agency a step belongs to when the version alone tells it; None when per dossier."""
    if step.agency_mode == StepAgency.FIXED:
        return step.agency
    if step.agency_mode == StepAgency.COMPETENT:
        return competent
    return None


def _resolve_department(step: StepInput, competent: Agency | None) -> StepInput:
    """Name the step's department by row where its agency is known, by short name always."""
    agency = _step_agency(step, competent)
    short = step.department_short_name.strip()
    department = step.department
    if department is not None:
        short = short or department.short_name
    if agency is None:
        # The agency is the receiving one (or the competent one, chosen per dossier): a row
        # of one agency would be wrong for the others, the short name is found per dossier.
        return replace(step, department=None, department_short_name=short)
    if department is None and short:
        department = (
            Department.objects.filter(agency=agency, short_name__iexact=short, is_active=True)
            .order_by("pk")
            .first()
        )
    return replace(step, department=department, department_short_name=short)


def clean_version_input(data: VersionInput) -> VersionInput:
    """`data` normalised (trimmed text, levels in order, departments resolved), or a
    ValidationError naming each field in Vietnamese.

    Keys of nested errors: `components.<i>.<field>`, `fees.<i>.<field>`, `steps.<i>.<field>`
    (0-based), so a page shows them next to the row. Consistency between the steps, the
    legal time and the agencies is checked at publication (`publish_problems`): a draft may
    be saved half-finished.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "name": _text(
            errors, "name", data.name, label=_("Tên thủ tục"), max_length=500, required=True
        )
    }
    for name, max_length in _TEXT_FIELDS.items():
        values[name] = _text(
            errors, name, getattr(data, name), label=str(_LABELS[name]), max_length=max_length
        )
    if values["source_url"]:
        try:
            URLValidator(schemes=["http", "https"])(values["source_url"])
        except ValidationError:
            _add(errors, "source_url", _("Nguồn phải là địa chỉ web (http hoặc https)."))

    unknown_levels = [level for level in data.levels if level not in LEVEL_ORDER]
    if unknown_levels:
        _add(
            errors,
            "levels",
            _("Cấp thực hiện không hợp lệ: %(values)s.") % {"values": ", ".join(unknown_levels)},
        )
    levels = tuple(level for level in LEVEL_ORDER if level in data.levels)
    if not levels and not unknown_levels:
        _add(errors, "levels", _("Chọn ít nhất một cấp thực hiện."))
    values["levels"] = levels

    time = _decimal(data.processing_time)
    if time is None or time <= 0:
        _add(errors, "processing_time", _("Thời hạn giải quyết phải là số lớn hơn 0."))
    elif time > _MAX_DURATION or time != time.quantize(Decimal("0.01")):
        _add(
            errors,
            "processing_time",
            _("Thời hạn giải quyết tối đa 99999,99 và có nhiều nhất hai chữ số thập phân."),
        )
    values["processing_time"] = time if time is not None else Decimal(0)
    if data.time_unit not in TimeUnit.values:
        _add(errors, "time_unit", _("Đơn vị thời hạn không hợp lệ."))
    values["time_unit"] = data.time_unit
    if data.online_level not in OnlineLevel.values:
        _add(errors, "online_level", _("Mức độ dịch vụ công trực tuyến không hợp lệ."))
    values["online_level"] = data.online_level
    values["competent_agency"] = data.competent_agency
    values["valid_from"] = data.valid_from
    values["valid_to"] = data.valid_to
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        _add(
            errors,
            "valid_to",
            _("Ngày hết áp dụng (%(to)s) không được trước ngày áp dụng (%(start)s).")
            % {"to": _date(data.valid_to), "start": _date(data.valid_from)},
        )

    components = tuple(_clean_component(errors, i, c) for i, c in enumerate(data.components))
    fees = tuple(_clean_fee(errors, i, f) for i, f in enumerate(data.fees))
    steps = tuple(_clean_step(errors, i, s) for i, s in enumerate(data.steps))
    for key, rows in (("components", components), ("fees", fees), ("steps", steps)):
        if len(rows) > _MAX_COUNT:
            _add(errors, key, _("Tối đa %(max)d dòng.") % {"max": _MAX_COUNT})

    if errors:
        raise ValidationError(errors)
    competent: Agency | None = values["competent_agency"]
    steps = tuple(_resolve_department(step, competent) for step in steps)
    return VersionInput(**values, components=components, fees=fees, steps=steps)


def _clean_component(errors: dict[str, list[str]], index: int, c: ComponentInput) -> ComponentInput:
    prefix = f"components.{index}"
    name = _text(
        errors, f"{prefix}.name", c.name, label=_("Tên giấy tờ"), max_length=2000, required=True
    )
    form_template = _text(
        errors,
        f"{prefix}.form_template",
        c.form_template,
        label=_("Mẫu đơn, tờ khai"),
        max_length=255,
    )
    for attr, label in (("originals", _("Số bản chính")), ("copies", _("Số bản sao"))):
        count = getattr(c, attr)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 99:
            _add(
                errors,
                f"{prefix}.{attr}",
                _("%(label)s phải là số nguyên từ 0 đến 99.") % {"label": label},
            )
    return replace(c, name=name, form_template=form_template)


def _clean_fee(errors: dict[str, list[str]], index: int, f: FeeInput) -> FeeInput:
    prefix = f"fees.{index}"
    name = _text(
        errors, f"{prefix}.name", f.name, label=_("Tên phí, lệ phí"), max_length=500, required=True
    )
    note = _text(errors, f"{prefix}.note", f.note, label=_("Ghi chú"), max_length=2000)
    amount = _decimal(f.amount)
    if amount is None or amount < 0 or amount >= Decimal("1e12"):
        _add(errors, f"{prefix}.amount", _("Mức thu phải là số không âm."))
        amount = Decimal(0)
    elif amount != amount.quantize(Decimal("0.01")):
        _add(errors, f"{prefix}.amount", _("Mức thu có nhiều nhất hai chữ số thập phân."))
    if f.currency not in Fee.Currency.values:
        _add(errors, f"{prefix}.currency", _("Đơn vị tiền phải là VND hoặc USD."))
    return replace(f, name=name, note=note, amount=amount)


def _clean_step(errors: dict[str, list[str]], index: int, s: StepInput) -> StepInput:
    prefix = f"steps.{index}"
    name = _text(
        errors, f"{prefix}.name", s.name, label=_("Tên bước"), max_length=255, required=True
    )
    short = _text(
        errors,
        f"{prefix}.department_short_name",
        s.department_short_name,
        label=_("Phòng ban"),
        max_length=20,
    )
    if s.kind not in StepKind.values:
        _add(errors, f"{prefix}.kind", _("Loại bước không hợp lệ."))
    if s.agency_mode not in StepAgency.values:
        _add(errors, f"{prefix}.agency_mode", _("Cơ quan thực hiện bước không hợp lệ."))
    if s.role not in STEP_ROLES:
        _add(errors, f"{prefix}.role", _("Vai trò thực hiện bước không hợp lệ."))
    hours = _decimal(s.duration_hours)
    if hours is None or hours <= 0 or hours > _MAX_DURATION:
        _add(errors, f"{prefix}.duration_hours", _("Thời gian của bước phải là số giờ lớn hơn 0."))
        hours = Decimal(0)
    elif hours != hours.quantize(Decimal("0.01")):
        _add(
            errors,
            f"{prefix}.duration_hours",
            _("Thời gian của bước có nhiều nhất hai chữ số thập phân."),
        )
    agency = s.agency if s.agency_mode == StepAgency.FIXED else None
    return replace(s, name=name, department_short_name=short, duration_hours=hours, agency=agency)


# --- Reading a version back as input ------------------------------------------------------


def version_input_of(version: ProcedureVersion) -> VersionInput:
    """What the version holds, as the input that would write it again."""
    values = {name: getattr(version, name) for name in _VERSION_FIELDS}
    values["levels"] = tuple(level for level in LEVEL_ORDER if level in (version.levels or []))
    return VersionInput(
        **values,
        components=tuple(
            ComponentInput(
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                form_template=c.form_template,
                required=c.required,
                reusable=c.reusable,
            )
            for c in version.components.order_by("order", "pk")
        ),
        fees=tuple(
            FeeInput(name=f.name, amount=f.amount, currency=f.currency, note=f.note)
            for f in version.fees.order_by("order", "pk")
        ),
        steps=tuple(
            StepInput(
                name=s.name,
                kind=s.kind,
                role=s.role,
                duration_hours=s.duration_hours,
                agency_mode=s.agency_mode,
                agency=s.agency,
                department=s.department,
                department_short_name=s.department_short_name,
            )
            for s in version.steps.select_related("agency", "department").order_by("order")
        ),
    )


def version_content(data: VersionInput) -> dict[str, Any]:
    """The input as JSON-ready data: agencies and departments by id, for the audit trail."""

    def plain(value: Any) -> Any:
        if isinstance(value, Agency | Department):
            return value.pk
        if isinstance(value, Decimal):
            return _plain_number(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    content = {name: getattr(data, name) for name in _VERSION_FIELDS}
    content["components"] = [asdict(c) for c in data.components]
    content["fees"] = [asdict(f) for f in data.fees]
    content["steps"] = [
        {**asdict(s), "agency": s.agency, "department": s.department} for s in data.steps
    ]
    result: dict[str, Any] = plain(content)
    return result


def _plain_number(value: Decimal) -> str:
    """5, 5.0 and 5.00 alike as "5"; never in exponent form."""
    return format(value.normalize(), "f")


def _shown(value: Decimal) -> str:
    return formats.number_format(Decimal(_plain_number(value)))


# --- Writing ------------------------------------------------------------------------------


def _apply(version: ProcedureVersion, data: VersionInput) -> None:
    for name in _VERSION_FIELDS:
        value = getattr(data, name)
        setattr(version, name, list(value) if name == "levels" else value)


def _write_children(version: ProcedureVersion, data: VersionInput) -> None:
    """Replace the version's components, fees and steps with those of `data`."""
    version.components.all().delete()
    version.fees.all().delete()
    version.steps.all().delete()
    Component.objects.bulk_create(
        Component(version=version, order=i, **asdict(c)) for i, c in enumerate(data.components, 1)
    )
    Fee.objects.bulk_create(
        Fee(version=version, order=i, **asdict(f)) for i, f in enumerate(data.fees, 1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            order=i,
            name=s.name,
            kind=s.kind,
            agency_mode=s.agency_mode,
            agency=s.agency,
            department=s.department,
            department_short_name=s.department_short_name,
            role=s.role,
            duration_hours=s.duration_hours,
        )
        for i, s in enumerate(data.steps, 1)
    )


def _sync_procedure(procedure: Procedure, *, name: str, field_name: str) -> None:
    """The procedure's name and field follow its current version (search uses them)."""
    procedure.name = name
    procedure.field = field_name
    procedure.search_text = procedure_search_text(code=procedure.code, name=name, field=field_name)
    procedure.save(update_fields=["name", "field", "search_text"])


def _has_published(procedure: Procedure) -> bool:
    return procedure.versions.exclude(status=VersionStatus.DRAFT).exists()


def procedure_version_create(
    *, actor: ServiceActor, code: str, data: VersionInput
) -> ProcedureVersion:
    """A new procedure of the national catalogue with its first version, as a draft."""
    _require_catalogue_admin(actor)
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        try:
            clean_code = normalize_procedure_code(code)
        except InvalidProcedureCode as exc:
            errors["code"] = [str(exc)]
        else:
            if Procedure.objects.filter(code=clean_code).exists():
                errors["code"] = [
                    _(
                        "Thủ tục mã %(code)s đã có trong danh mục; hãy tạo phiên bản mới từ "
                        "trang của thủ tục đó."
                    )
                    % {"code": clean_code}
                ]
        try:
            cleaned = clean_version_input(data)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        procedure = Procedure.objects.create(
            code=clean_code,
            name=cleaned.name,
            field=cleaned.field,
            search_text=procedure_search_text(
                code=clean_code, name=cleaned.name, field=cleaned.field
            ),
        )
        version = ProcedureVersion(procedure=procedure, number=1, status=VersionStatus.DRAFT)
        _apply(version, cleaned)
        version.save()
        _write_children(version, cleaned)
        audit_record(
            actor=actor,
            action="procedures.version.create",
            obj=version,
            changes={"code": [None, clean_code], **diff({}, version_content(cleaned))},
        )
    return version


def procedure_version_update(
    *, actor: ServiceActor, version: ProcedureVersion, data: VersionInput
) -> ProcedureVersion:
    """Replace a draft's content (fields, components, fees, steps) with `data`."""
    _require_catalogue_admin(actor)
    with transaction.atomic():
        locked = (
            ProcedureVersion.objects.select_for_update()
            .select_related("procedure")
            .get(pk=version.pk)
        )
        _require_draft(locked)
        cleaned = clean_version_input(data)
        before = version_content(version_input_of(locked))
        after = version_content(cleaned)
        delta = diff(before, after)
        if not delta:
            return locked
        _apply(locked, cleaned)
        locked.save()
        _write_children(locked, cleaned)
        if not _has_published(locked.procedure):
            _sync_procedure(locked.procedure, name=cleaned.name, field_name=cleaned.field)
        audit_record(actor=actor, action="procedures.version.update", obj=locked, changes=delta)
    return locked


def _require_draft(version: ProcedureVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _(
                "Phiên bản %(number)d đang ở trạng thái “%(status)s”: chỉ phiên bản dự thảo "
                "mới được sửa hoặc công bố. Hãy tạo phiên bản mới."
            )
            % {"number": version.number, "status": VersionStatus(version.status).label},
            code="not_draft",
        )


def procedure_version_new(
    *, actor: ServiceActor, procedure: Procedure, data: VersionInput | None = None
) -> ProcedureVersion:
    """A new draft version of `procedure`: a copy of its latest version, or `data`.

    A procedure has at most one draft at a time. The copy leaves the validity dates empty:
    the new version applies from the date of its own legal basis.
    """
    _require_catalogue_admin(actor)
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        draft = locked.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            raise ValidationError(
                _(
                    "Thủ tục %(code)s đang có phiên bản dự thảo số %(number)d: hãy sửa và công bố "
                    "phiên bản đó trước khi tạo phiên bản mới."
                )
                % {"code": locked.code, "number": draft.number},
                code="draft_exists",
            )
        latest = locked.versions.order_by("-number").first()
        if data is None:
            if latest is None:
                raise ValidationError(
                    _("Thủ tục chưa có phiên bản nào để sao chép."), code="nothing_to_copy"
                )
            cleaned = replace(version_input_of(latest), valid_from=None, valid_to=None)
        else:
            cleaned = clean_version_input(data)
        number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = ProcedureVersion(procedure=locked, number=number, status=VersionStatus.DRAFT)
        _apply(version, cleaned)
        version.save()
        _write_children(version, cleaned)
        if not _has_published(locked):
            _sync_procedure(locked, name=cleaned.name, field_name=cleaned.field)
        audit_record(
            actor=actor,
            action="procedures.version.new",
            obj=version,
            changes={
                "number": [None, number],
                "copied_from": [None, latest.number if latest and data is None else None],
                **diff({}, version_content(cleaned)),
            },
        )
    return version


# --- Publication --------------------------------------------------------------------------


def process_total_hours(steps: Sequence[ProcessStep] | Sequence[StepInput]) -> Decimal:
    return sum((s.duration_hours for s in steps), Decimal(0))


def publish_problems(version: ProcedureVersion) -> list[str]:
    """Why `version` may not be published yet, in Vietnamese; empty when it may.

    The internal process must start with receiving the dossier and end with returning the
    result at the one-stop desk (Nghị định 118/2025, Điều 8 khoản 1: the desk receives and
    returns), name the agency of every step that is not the receiving or competent one, use
    only departments of the step's agency, and fit in the legal time (`rules.legal_hours`).
    """
    problems: list[str] = []
    if not version.components.exists():
        problems.append(_("Phiên bản chưa có thành phần hồ sơ nào."))
    steps = list(version.steps.select_related("agency", "department").order_by("order"))
    if not steps:
        problems.append(_("Phiên bản chưa có bước nào trong quy trình nội bộ."))
        return problems
    if steps[0].kind != StepKind.RECEIVE:
        problems.append(
            _("Bước đầu tiên phải là bước tiếp nhận hồ sơ (đang là “%(kind)s”).")
            % {"kind": StepKind(steps[0].kind).label}
        )
    if steps[-1].kind != StepKind.RETURN:
        problems.append(
            _("Bước cuối cùng phải là bước trả kết quả (đang là “%(kind)s”).")
            % {"kind": StepKind(steps[-1].kind).label}
        )
    competent = version.competent_agency
    for step in steps:
        label = {"n": step.order, "name": step.name}
        if step.agency_mode == StepAgency.FIXED and step.agency is None:
            problems.append(
                _(
                    "Bước %(n)d “%(name)s” do cơ quan được chỉ định thực hiện nhưng chưa chọn "
                    "cơ quan."
                )
                % label
            )
            continue
        agency = (
            step.agency
            if step.agency_mode == StepAgency.FIXED
            else competent
            if step.agency_mode == StepAgency.COMPETENT
            else None
        )
        if step.department is not None and (
            agency is None or step.department.agency_id != agency.pk
        ):
            problems.append(
                _("Phòng ban “%(department)s” của bước %(n)d “%(name)s” không thuộc %(agency)s.")
                % {
                    **label,
                    "department": step.department.name,
                    "agency": agency.name if agency else _("cơ quan thực hiện bước"),
                }
            )
        elif step.department is None and step.department_short_name and agency is not None:
            problems.append(
                _("Bước %(n)d “%(name)s”: %(agency)s không có phòng ban viết tắt “%(short)s”.")
                % {**label, "agency": agency.name, "short": step.department_short_name}
            )
    total = process_total_hours(steps)
    limit = legal_hours(version.processing_time, version.time_unit)
    if total > limit:
        problems.append(
            _(
                "Tổng thời gian các bước (%(total)s giờ làm việc) vượt thời hạn giải quyết "
                "%(amount)s %(unit)s (tối đa %(limit)s giờ làm việc)."
            )
            % {
                "total": _shown(total),
                "amount": _shown(version.processing_time),
                "unit": TimeUnit(version.time_unit).label,
                "limit": _shown(limit),
            }
        )
    return problems


def procedure_version_publish(
    *, actor: ServiceActor, version: ProcedureVersion
) -> ProcedureVersion:
    """Publish a draft; the version published until now is retired in the same transaction.

    The retired version ends the day before the new one applies (when the new one has a
    date); dossiers already received under it keep it (vn-onestop §0).
    """
    _require_catalogue_admin(actor)
    with transaction.atomic():
        # Lock order: the procedure, then its versions (as procedure_version_new does).
        procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
        # Lock the version's row only: the competent agency is an outer join.
        locked = (
            ProcedureVersion.objects.select_for_update(of=("self",))
            .select_related("competent_agency")
            .get(pk=version.pk)
        )
        _require_draft(locked)
        problems = publish_problems(locked)
        if problems:
            raise ValidationError(problems, code="not_publishable")
        previous = (
            ProcedureVersion.objects.select_for_update()
            .filter(procedure=procedure, status=VersionStatus.PUBLISHED)
            .exclude(pk=locked.pk)
            .first()
        )
        retired_changes: dict[str, list[Any]] = {}
        if previous is not None:
            retired_changes["status"] = [previous.status, VersionStatus.RETIRED]
            previous.status = VersionStatus.RETIRED
            if locked.valid_from is not None:
                ends = locked.valid_from - dt.timedelta(days=1)
                if previous.valid_from is not None and ends < previous.valid_from:
                    raise ValidationError(
                        {
                            "valid_from": [
                                _(
                                    "Ngày áp dụng của phiên bản mới (%(new)s) phải sau ngày áp "
                                    "dụng của phiên bản đang áp dụng (%(old)s)."
                                )
                                % {
                                    "new": _date(locked.valid_from),
                                    "old": _date(previous.valid_from),
                                }
                            ]
                        }
                    )
                retired_changes["valid_to"] = [
                    previous.valid_to.isoformat() if previous.valid_to else None,
                    ends.isoformat(),
                ]
                previous.valid_to = ends
            # Retire first: at most one version of a procedure is published at a time.
            previous.save(update_fields=["status", "valid_to", "updated_at"])
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor if isinstance(actor, User) else None
        locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        _sync_procedure(procedure, name=locked.name, field_name=locked.field)
        if previous is not None:
            audit_record(
                actor=actor,
                action="procedures.version.retire",
                obj=previous,
                changes=retired_changes,
            )
        audit_record(
            actor=actor,
            action="procedures.version.publish",
            obj=locked,
            changes={
                "status": [VersionStatus.DRAFT, VersionStatus.PUBLISHED],
                "retired_version": [None, previous.number if previous else None],
            },
        )
    return locked
