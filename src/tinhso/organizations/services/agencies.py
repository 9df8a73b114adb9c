"""Agencies: create, update and close, each in one transaction with its audit row.

Only the provincial administrator creates agencies, changes their identity (code, name,
level, place in the tree) or closes them; an agency's own administrator may change its
contact details (address, e-mail, telephone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinhso.audit.services import audit_record, diff, snapshot
from tinhso.organizations.codes import InvalidIdentificationCode, normalize_identification_code
from tinhso.organizations.models import (
    DISTRICTS_ABOLISHED_ON,
    AdministrativeUnit,
    Agency,
    AgencyKind,
    AgencyLevel,
    UnitLevel,
)
from tinhso.organizations.search import agency_search_text
from tinhso.organizations.services.common import (
    ServiceActor,
    administers_agency,
    check_text,
    is_provincial_admin,
    raise_if_errors,
    require_provincial_admin,
)

#: Fields the services write; `search_text` follows from name, short name and code.
AGENCY_FIELDS: Final = (
    "code",
    "name",
    "short_name",
    "level",
    "kind",
    "parent",
    "admin_unit",
    "address",
    "email",
    "phone",
    "valid_from",
    "valid_to",
)
#: What an agency's own administrator may change.
CONTACT_FIELDS: Final = frozenset({"address", "email", "phone"})
_AUDITED: Final = (*AGENCY_FIELDS, "search_text")
_PHONE_CHARS: Final = frozenset("0123456789 +().-")


def _date(day: dt.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _clean(values: dict[str, Any], *, instance: Agency | None) -> dict[str, Any]:
    """Normalised values, or a ValidationError with a Vietnamese message per field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)

    try:
        cleaned["code"] = normalize_identification_code(str(values["code"] or ""))
    except InvalidIdentificationCode as exc:
        errors.setdefault("code", []).append(str(exc))
    else:
        taken = Agency.objects.filter(code=cleaned["code"])
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        holder = taken.only("name").first()
        if holder is not None:
            errors.setdefault("code", []).append(
                _("Mã định danh %(code)s đã được cấp cho %(name)s.")
                % {"code": cleaned["code"], "name": holder.name}
            )

    cleaned["name"] = check_text(
        errors,
        "name",
        str(values["name"] or ""),
        label=_("Tên cơ quan"),
        max_length=255,
        required=True,
    )
    cleaned["short_name"] = check_text(
        errors,
        "short_name",
        str(values["short_name"] or ""),
        label=_("Tên viết tắt"),
        max_length=20,
        required=True,
    )
    cleaned["address"] = check_text(
        errors,
        "address",
        str(values["address"] or ""),
        label=_("Địa chỉ"),
        max_length=255,
        required=False,
    )
    cleaned["phone"] = check_text(
        errors,
        "phone",
        str(values["phone"] or ""),
        label=_("Điện thoại"),
        max_length=20,
        required=False,
    )
    if cleaned["phone"] and not set(cleaned["phone"]) <= _PHONE_CHARS:
        errors.setdefault("phone", []).append(
            _("Điện thoại chỉ gồm chữ số, dấu cách và các ký tự + ( ) . -")
        )
    cleaned["email"] = check_text(
        errors,
        "email",
        str(values["email"] or ""),
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
    )
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append(
                _("Thư điện tử “%(value)s” không đúng định dạng.") % {"value": cleaned["email"]}
            )

    level = values["level"]
    if level not in AgencyLevel.values:
        errors.setdefault("level", []).append(
            _("Cấp cơ quan “%(value)s” không hợp lệ.") % {"value": level}
        )
    if values["kind"] not in AgencyKind.values:
        errors.setdefault("kind", []).append(
            _("Loại cơ quan “%(value)s” không hợp lệ.") % {"value": values["kind"]}
        )

    valid_from: dt.date | None = values["valid_from"]
    valid_to: dt.date | None = values["valid_to"]
    if valid_from and valid_to and valid_from > valid_to:
        errors.setdefault("valid_to", []).append(
            _("Ngày kết thúc hoạt động (%(to)s) không được trước ngày bắt đầu (%(start)s).")
            % {"to": _date(valid_to), "start": _date(valid_from)}
        )
    if level == AgencyLevel.DISTRICT and (
        valid_to is None
        or valid_to >= DISTRICTS_ABOLISHED_ON
        or (valid_from is not None and valid_from >= DISTRICTS_ABOLISHED_ON)
    ):
        # Luật Tổ chức chính quyền địa phương 72/2025/QH15: two-tier local government from
        # 1 July 2025; a district agency may be recorded only as history.
        errors.setdefault("level", []).append(
            _(
                "Từ ngày 01/7/2025 không còn chính quyền cấp huyện (Luật Tổ chức chính quyền "
                "địa phương số 72/2025/QH15): cơ quan cấp huyện phải kết thúc hoạt động chậm "
                "nhất ngày 30/6/2025."
            )
        )

    parent: Agency | None = values["parent"]
    if parent is not None and instance is not None and _is_ancestor_or_self(instance, parent):
        errors.setdefault("parent", []).append(
            _(
                "Cơ quan cấp trên không được là chính cơ quan này hoặc một cơ quan trực thuộc "
                "nó (sẽ tạo vòng lặp trong cây tổ chức)."
            )
        )

    unit: AdministrativeUnit | None = values["admin_unit"]
    expected_unit_level = {
        AgencyLevel.PROVINCE: UnitLevel.PROVINCE,
        AgencyLevel.COMMUNE: UnitLevel.COMMUNE,
    }.get(level)
    if unit is not None and expected_unit_level is not None and unit.level != expected_unit_level:
        errors.setdefault("admin_unit", []).append(
            _("Đơn vị hành chính của cơ quan %(level)s phải là đơn vị %(unit_level)s.")
            % {
                "level": AgencyLevel(level).label.lower(),
                "unit_level": UnitLevel(expected_unit_level).label.lower(),
            }
        )

    raise_if_errors(errors)
    cleaned["search_text"] = agency_search_text(
        name=cleaned["name"], short_name=cleaned["short_name"], code=cleaned["code"]
    )
    return cleaned


def _is_ancestor_or_self(agency: Agency, candidate_parent: Agency) -> bool:
    """True when `agency` is `candidate_parent` or one of its ancestors."""
    seen: set[int] = set()
    current_id: int | None = candidate_parent.pk
    while current_id is not None and current_id not in seen:
        if current_id == agency.pk:
            return True
        seen.add(current_id)
        current_id = (
            Agency.objects.filter(pk=current_id).values_list("parent_id", flat=True).first()
        )
    return False


def agency_create(
    *,
    actor: ServiceActor,
    code: str,
    name: str,
    short_name: str,
    level: str,
    kind: str,
    parent: Agency | None = None,
    admin_unit: AdministrativeUnit | None = None,
    address: str = "",
    email: str = "",
    phone: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Agency:
    """Create an agency with its electronic identification code (Quyết định 20/2020/QĐ-TTg)."""
    require_provincial_admin(actor)
    with transaction.atomic():
        values = _clean(
            {
                "code": code,
                "name": name,
                "short_name": short_name,
                "level": level,
                "kind": kind,
                "parent": parent,
                "admin_unit": admin_unit,
                "address": address,
                "email": email,
                "phone": phone,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
            instance=None,
        )
        agency = Agency.objects.create(**values)
        audit_record(
            actor=actor,
            action="organizations.agency_create",
            obj=agency,
            agency=agency,
            changes=diff({}, snapshot(agency, _AUDITED)),
        )
    return agency


def agency_update(*, actor: ServiceActor, agency: Agency, changes: Mapping[str, Any]) -> Agency:
    """Change an agency's fields; an agency administrator may change only contact details."""
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise ValueError(f"agency_update cannot change {sorted(unknown)}")
    if not administers_agency(actor, agency.pk):
        raise PermissionDenied(_("Bạn không có quyền sửa thông tin cơ quan này."))
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = snapshot(locked, _AUDITED)
        current = {name: getattr(locked, name) for name in AGENCY_FIELDS}
        changed = {name: value for name, value in changes.items() if current[name] != value}
        if not is_provincial_admin(actor) and not set(changed) <= CONTACT_FIELDS:
            raise PermissionDenied(
                _(
                    "Quản trị cơ quan chỉ được sửa địa chỉ, thư điện tử và điện thoại; các "
                    "thông tin khác do quản trị cấp tỉnh cập nhật."
                )
            )
        values = _clean({**current, **changed}, instance=locked)
        for name, value in values.items():
            setattr(locked, name, value)
        after = snapshot(locked, _AUDITED)
        delta = diff(before, after)
        if delta:
            locked.save(update_fields=list(delta))
            audit_record(
                actor=actor,
                action="organizations.agency_update",
                obj=locked,
                agency=locked,
                changes=delta,
            )
    return locked


def agency_close(*, actor: ServiceActor, agency: Agency, valid_to: dt.date) -> Agency:
    """End an agency's activity on `valid_to`; the row stays, so its history keeps its name."""
    require_provincial_admin(actor)
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        errors: dict[str, list[str]] = {}
        if locked.valid_to is not None:
            errors["valid_to"] = [
                _("Cơ quan đã kết thúc hoạt động từ ngày %(day)s.")
                % {"day": _date(locked.valid_to)}
            ]
        elif locked.valid_from is not None and valid_to < locked.valid_from:
            errors["valid_to"] = [
                _("Ngày kết thúc hoạt động (%(to)s) không được trước ngày bắt đầu (%(start)s).")
                % {"to": _date(valid_to), "start": _date(locked.valid_from)}
            ]
        else:
            open_children = Agency.objects.filter(parent=locked).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to)
            )
            count = open_children.count()
            if count:
                errors["valid_to"] = [
                    ngettext(
                        "Còn %(count)d cơ quan trực thuộc hoạt động sau ngày %(day)s: hãy kết "
                        "thúc hoặc chuyển các cơ quan đó trước.",
                        "Còn %(count)d cơ quan trực thuộc hoạt động sau ngày %(day)s: hãy kết "
                        "thúc hoặc chuyển các cơ quan đó trước.",
                        count,
                    )
                    % {"count": count, "day": _date(valid_to)}
                ]
        raise_if_errors(errors)
        locked.valid_to = valid_to
        locked.save(update_fields=["valid_to"])
        audit_record(
            actor=actor,
            action="organizations.agency_close",
            obj=locked,
            agency=locked,
            changes={"valid_to": [None, valid_to.isoformat()]},
        )
    return locked
