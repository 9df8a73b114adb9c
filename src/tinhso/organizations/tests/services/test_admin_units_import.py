from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.organizations.admin_units import read_admin_unit_files
from tinhso.organizations.models import AdministrativeUnit, UnitLevel, UnitSuccession
from tinhso.organizations.services import admin_units_import
from tinhso.testing.factories import official

pytestmark = pytest.mark.django_db


def _data(files: dict[str, Path]):  # type: ignore[no-untyped-def]
    return read_admin_unit_files(**files)


def test_import_creates_new_and_old_units_with_successions(small_files: dict[str, Path]) -> None:
    # when
    result = admin_units_import(actor="system", data=_data(small_files))

    # then: 2 new provinces, 3 new communes, 3 old provinces, 5 old communes/districts
    assert result.units_created == 13
    assert result.successions_created == 3 + 6
    kim_long_new = AdministrativeUnit.objects.get(
        level=UnitLevel.COMMUNE, code="19774", valid_from=dt.date(2025, 7, 1)
    )
    kim_long_old = AdministrativeUnit.objects.get(
        level=UnitLevel.COMMUNE, code="19774", valid_from=None
    )
    assert kim_long_new.pk != kim_long_old.pk  # the code is reused for a different unit
    assert kim_long_old.valid_to == dt.date(2025, 6, 30)
    assert kim_long_new.valid_to is None
    assert kim_long_new.parent is not None and kim_long_new.parent.code == "46"
    assert kim_long_new.search_text == "phuong kim long 19774"
    phu_cat = AdministrativeUnit.objects.get(code="19756")
    assert sorted(
        (s.successor.code, s.merge_type) for s in phu_cat.successions.select_related("successor")
    ) == [("19753", "partial"), ("19774", "partial")]
    hoang_sa = AdministrativeUnit.objects.get(code="498")
    assert hoang_sa.level == UnitLevel.DISTRICT and hoang_sa.province_code == "48"
    quang_nam = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="49")
    assert quang_nam.successions.get().successor.name == "Thành phố Đà Nẵng"


def test_import_writes_one_audit_row_with_the_counts(small_files: dict[str, Path]) -> None:
    # when
    admin_units_import(actor="system", data=_data(small_files))

    # then
    event = AuditEvent.objects.get()
    assert event.action == "organizations.admin_units_import"
    assert event.actor_label == "system"
    assert event.changes["units_created"] == 13
    assert event.changes["successions_created"] == 9
    assert event.changes["sources"] == ["units.csv", "communes.csv", "provinces.csv"]


def test_second_import_changes_nothing_and_writes_no_audit_row(
    small_files: dict[str, Path],
) -> None:
    # given
    admin_units_import(actor="system", data=_data(small_files))

    # when
    result = admin_units_import(actor="system", data=_data(small_files))

    # then
    assert not result.changed
    assert result.units_unchanged == 13
    assert result.successions_unchanged == 9
    assert AuditEvent.objects.count() == 1


def test_import_corrects_a_renamed_unit(small_files: dict[str, Path]) -> None:
    # given
    admin_units_import(actor="system", data=_data(small_files))
    AdministrativeUnit.objects.filter(code="19753", valid_from__isnull=False).update(name="Sai")

    # when
    result = admin_units_import(actor="system", data=_data(small_files))

    # then
    assert result.units_updated == 1
    assert AdministrativeUnit.objects.get(code="19753", valid_from__isnull=False).name == (
        "Phường Phú Xuân"
    )


def test_import_restricted_to_one_province(small_files: dict[str, Path]) -> None:
    # when
    admin_units_import(actor="system", data=_data(small_files).restricted_to(["46"]))

    # then
    assert set(AdministrativeUnit.objects.values_list("province_code", flat=True)) == {"46"}
    assert UnitSuccession.objects.count() == 1 + 4


def test_only_the_provincial_admin_may_import(small_files: dict[str, Path]) -> None:
    # given
    clerk = official(Role.VAN_THU)

    # then
    with pytest.raises(PermissionDenied):
        admin_units_import(actor=clerk, data=_data(small_files))
    assert not AdministrativeUnit.objects.exists()
