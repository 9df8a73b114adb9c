from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from tinhso.accounts.access import ANONYMOUS, actor_for
from tinhso.accounts.models import Role
from tinhso.organizations.admin_units import read_admin_unit_files
from tinhso.organizations.models import AgencyLevel
from tinhso.organizations.selectors import agency_list, province_choices, unit_list
from tinhso.organizations.services import admin_units_import, agency_create
from tinhso.testing.factories import make_citizen, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory() -> None:
    ubnd = agency_create(
        actor="system",
        code="H57",
        name="Ủy ban nhân dân thành phố Huế",
        short_name="UBND",
        level=AgencyLevel.PROVINCE,
        kind="ubnd",
    )
    for code, name in (
        ("H57.19753", "Ủy ban nhân dân phường Phú Xuân"),
        ("H57.19999", "Ủy ban nhân dân xã Hoà Bình"),
    ):
        agency_create(
            actor="system",
            code=code,
            name=name,
            short_name="UBND",
            level=AgencyLevel.COMMUNE,
            kind="ubnd",
            parent=ubnd,
        )
    agency_create(
        actor="system",
        code="H57.A2",
        name="Sở Nội vụ",
        short_name="SNV",
        level=AgencyLevel.PROVINCE,
        kind="so",
        parent=ubnd,
    )


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("xa hoa binh", ["H57.19999"]),
        ("Xã Hòa Bình", ["H57.19999"]),
        ("XÃ HOÀ", ["H57.19999"]),
        ("phú xuân", ["H57.19753"]),
        ("snv", ["H57.A2"]),
        ("h57.a2", ["H57.A2"]),
        ("không có", []),
    ],
)
def test_search_ignores_diacritics_case_and_tone_placement(
    directory: None, q: str, codes: list[str]
) -> None:
    # given
    actor = actor_for(make_citizen())

    # when
    found = [a.code for a in agency_list(actor=actor, q=q)]

    # then
    assert found == codes


def test_list_orders_province_first_and_filters_by_level_and_parent(directory: None) -> None:
    # given
    actor = actor_for(official(Role.CHUYEN_VIEN))
    all_codes = [a.code for a in agency_list(actor=actor)]
    ubnd_pk = agency_list(actor=actor, q="H57").first().pk  # type: ignore[union-attr]

    # then
    assert all_codes.index("H57.A2") < all_codes.index("H57.19753")
    assert [a.code for a in agency_list(actor=actor, level="commune")] == [
        "H57.19753",
        "H57.19999",
    ]
    assert len(agency_list(actor=actor, parent_id=ubnd_pk)) == 3


def test_list_loads_parents_in_the_same_query(
    directory: None, django_assert_num_queries: object
) -> None:
    # given
    actor = actor_for(official(Role.CHUYEN_VIEN))

    # when / then
    with django_assert_num_queries(1):  # type: ignore[operator]
        names = [(a.name, a.parent.name if a.parent else None) for a in agency_list(actor=actor)]
    assert len(names) >= 4


def test_anonymous_reads_nothing() -> None:
    with pytest.raises(PermissionDenied):
        agency_list(actor=ANONYMOUS)
    with pytest.raises(PermissionDenied):
        unit_list(actor=ANONYMOUS)


def test_unit_search_and_successions(
    small_files: dict[str, Path], django_assert_num_queries: object
) -> None:
    # given
    admin_units_import(actor="system", data=read_admin_unit_files(**small_files))
    actor = actor_for(make_citizen())

    # when
    with django_assert_num_queries(3):  # type: ignore[operator]
        units = list(unit_list(actor=actor, province_code="46", q="phu cat"))
        successors = [s.successor.code for s in units[0].successions.all()]

    # then
    assert [u.code for u in units] == ["19756"]
    assert successors == ["19753", "19774"]
    current = unit_list(actor=actor, q="kim long", period="current").get()
    assert [p.predecessor.code for p in current.predecessions.all()] == ["19756", "19774"]
    assert [u.code for u in unit_list(actor=actor, q="kim long", period="former")] == ["19774"]
    assert province_choices(actor=actor) == [("46", "Thành phố Huế"), ("48", "Thành phố Đà Nẵng")]
