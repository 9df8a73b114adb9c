"""Import of the 2025 administrative-unit list: one transaction, bulk writes, idempotent.

New units are valid from 1 July 2025; the old provinces and communes they replaced are kept
with `valid_to = 30 June 2025` and linked to their successors (Nghị quyết 202/2025/QH15 on
provinces, Nghị quyết 1654–1687/NQ-UBTVQH15 of 2025 on communes). Codes are only unique
within a period (new communes reuse old codes), so rows are matched on
(level, code, valid_from).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.db import transaction

from tinhso.audit.services import audit_record
from tinhso.organizations.admin_units import AdminUnitData, UnitRow
from tinhso.organizations.models import (
    DISTRICTS_ABOLISHED_ON,
    AdministrativeUnit,
    UnitLevel,
    UnitSuccession,
)
from tinhso.organizations.search import unit_search_text
from tinhso.organizations.services.common import ServiceActor, require_provincial_admin

NEW_UNITS_FROM: Final = DISTRICTS_ABOLISHED_ON
OLD_UNITS_TO: Final = DISTRICTS_ABOLISHED_ON - dt.timedelta(days=1)
_BATCH: Final = 500
_UNIT_FIELDS: Final = ("name", "province_code", "parent_id", "valid_to", "search_text")

UnitKey = tuple[str, str, dt.date | None]


@dataclass(frozen=True, slots=True)
class AdminUnitImportResult:
    units_created: int
    units_updated: int
    units_unchanged: int
    successions_created: int
    successions_updated: int
    successions_unchanged: int

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            + self.units_updated
            + self.successions_created
            + self.successions_updated
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "units_created": self.units_created,
            "units_updated": self.units_updated,
            "units_unchanged": self.units_unchanged,
            "successions_created": self.successions_created,
            "successions_updated": self.successions_updated,
            "successions_unchanged": self.successions_unchanged,
        }


@dataclass(slots=True)
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert_units(
    wanted: Sequence[tuple[UnitKey, dict[str, object]]],
    existing: dict[UnitKey, AdministrativeUnit],
    counts: _Counts,
) -> None:
    """Create the missing units and correct the changed ones; fills `existing` with new rows."""
    to_create: list[AdministrativeUnit] = []
    to_update: list[AdministrativeUnit] = []
    for key, values in wanted:
        unit = existing.get(key)
        if unit is None:
            level, code, valid_from = key
            to_create.append(
                AdministrativeUnit(level=level, code=code, valid_from=valid_from, **values)
            )
        elif any(getattr(unit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(unit, name, value)
            to_update.append(unit)
        else:
            counts.unchanged += 1
    # Both SQLite (3.35+) and PostgreSQL return the new primary keys from a bulk insert.
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=_BATCH)
    AdministrativeUnit.objects.bulk_update(to_update, _UNIT_FIELDS, batch_size=_BATCH)
    for unit in to_create:
        existing[unit.level, unit.code, unit.valid_from] = unit
    counts.created += len(to_create)
    counts.updated += len(to_update)


def _unit_values(
    row: UnitRow, *, parent_id: int | None, valid_to: dt.date | None
) -> dict[str, object]:
    return {
        "name": row.name,
        "province_code": row.province_code,
        "parent_id": parent_id,
        "valid_to": valid_to,
        "search_text": unit_search_text(name=row.name, code=row.code),
    }


def admin_units_import(
    *,
    actor: ServiceActor,
    data: AdminUnitData,
    progress: Callable[[int], object] | None = None,
) -> AdminUnitImportResult:
    """Bring the administrative units in line with `data`; a second run changes nothing.

    Units absent from `data` are left alone: agencies and records may point to them.
    """
    require_provincial_admin(actor)
    step: Callable[[int], object] = progress or (lambda _n: None)
    unit_counts = _Counts()
    succession_counts = _Counts()
    with transaction.atomic():
        existing: dict[UnitKey, AdministrativeUnit] = {
            (u.level, u.code, u.valid_from): u for u in AdministrativeUnit.objects.all()
        }

        def new_key(level: str, code: str) -> UnitKey:
            return (level, code, NEW_UNITS_FROM)

        def old_key(level: str, code: str) -> UnitKey:
            return (level, code, None)

        first: list[tuple[UnitKey, dict[str, object]]] = [
            (
                new_key(UnitLevel.PROVINCE, row.code),
                _unit_values(row, parent_id=None, valid_to=None),
            )
            for row in data.provinces
        ]
        first += [
            (
                old_key(UnitLevel.PROVINCE, row.code),
                _unit_values(row, parent_id=None, valid_to=OLD_UNITS_TO),
            )
            for row in data.old_provinces
        ]
        first += [
            (
                old_key(row.level, row.code),
                _unit_values(row, parent_id=None, valid_to=OLD_UNITS_TO),
            )
            for row in data.old_communes
        ]
        _upsert_units(first, existing, unit_counts)
        step(len(first))

        communes = [
            (
                new_key(UnitLevel.COMMUNE, row.code),
                _unit_values(
                    row,
                    parent_id=existing[new_key(UnitLevel.PROVINCE, row.province_code)].pk,
                    valid_to=None,
                ),
            )
            for row in data.communes
        ]
        _upsert_units(communes, existing, unit_counts)
        step(len(communes))

        _upsert_successions(
            (
                (
                    existing[old_key(s.old_level, s.old_code)].pk,
                    existing[new_key(s.new_level, s.new_code)].pk,
                    s.merge_type,
                )
                for s in data.successions
            ),
            succession_counts,
        )
        step(len(data.successions))

        result = AdminUnitImportResult(
            units_created=unit_counts.created,
            units_updated=unit_counts.updated,
            units_unchanged=unit_counts.unchanged,
            successions_created=succession_counts.created,
            successions_updated=succession_counts.updated,
            successions_unchanged=succession_counts.unchanged,
        )
        if result.changed:
            audit_record(
                actor=actor,
                action="organizations.admin_units_import",
                object_type="organizations.administrativeunit",
                object_repr="Danh mục đơn vị hành chính từ 01/7/2025",
                changes={**result.as_dict(), "sources": list(data.sources)},
            )
    return result


def _upsert_successions(wanted: Iterable[tuple[int, int, str]], counts: _Counts) -> None:
    existing = {(s.predecessor_id, s.successor_id): s for s in UnitSuccession.objects.all()}
    to_create: list[UnitSuccession] = []
    to_update: list[UnitSuccession] = []
    for predecessor_id, successor_id, merge_type in wanted:
        row = existing.get((predecessor_id, successor_id))
        if row is None:
            to_create.append(
                UnitSuccession(
                    predecessor_id=predecessor_id,
                    successor_id=successor_id,
                    merge_type=merge_type,
                    effective_on=NEW_UNITS_FROM,
                )
            )
        elif row.merge_type != merge_type or row.effective_on != NEW_UNITS_FROM:
            row.merge_type = merge_type
            row.effective_on = NEW_UNITS_FROM
            to_update.append(row)
        else:
            counts.unchanged += 1
    UnitSuccession.objects.bulk_create(to_create, batch_size=_BATCH)
    UnitSuccession.objects.bulk_update(to_update, ["merge_type", "effective_on"], batch_size=_BATCH)
    counts.created += len(to_create)
    counts.updated += len(to_update)
