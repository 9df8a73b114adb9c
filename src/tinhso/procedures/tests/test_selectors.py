"""Reads of the catalogue: the list and its filters, the version in force, what a counter
receives, where a step is carried out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.procedures.models import ProcedureLevel, StepAgency, StepKind
from tinhso.procedures.selectors import (
    field_choices,
    procedure_list,
    procedures_receivable_at,
    published_version,
    step_agency,
    step_department,
)
from tinhso.procedures.services import StepInput
from tinhso.procedures.tests.factories import (
    Province,
    create_draft,
    create_published,
    province_steps,
)
from tinhso.testing.factories import make_citizen


@pytest.fixture
def catalogue(province: Province) -> Province:
    create_published(province, "1.000001", name="Đăng ký khai sinh", field="Hộ tịch",
                     levels=(ProcedureLevel.COMMUNE,))  # fmt: skip
    create_published(province, "1.000002", name="Thành lập hội", field="Nội vụ")
    create_published(
        province,
        "2.000003",
        name="Cấp phép vận tải",
        field="Đường bộ",
        levels=(ProcedureLevel.PROVINCE, ProcedureLevel.COMMUNE),
        competent_agency=province.other,
        steps=(
            province_steps(province)[0],
            StepInput("Xử lý", StepKind.PROCESS, "chuyen_vien", Decimal(8), StepAgency.FIXED,
                      province.other, department_short_name="HCTP"),
            province_steps(province)[3],
        ),
    )  # fmt: skip
    create_draft(province, "1.000004", name="Thủ tục đang soạn")
    return province


def _codes(versions: object) -> list[str]:
    return [v.procedure.code for v in versions]  # type: ignore[attr-defined]


def test_the_list_holds_the_versions_in_force_and_folds_the_search(
    catalogue: Province, specialist: User
) -> None:
    actor = actor_for(specialist)
    assert _codes(procedure_list(actor=actor)) == ["1.000001", "1.000002", "2.000003"]
    assert _codes(procedure_list(actor=actor, q="dang ky KHAI sinh")) == ["1.000001"]
    assert _codes(procedure_list(actor=actor, q="ĐĂNG KÝ")) == ["1.000001"]
    assert _codes(procedure_list(actor=actor, q="2.000")) == ["2.000003"]
    assert _codes(procedure_list(actor=actor, q="ho tich")) == ["1.000001"]
    assert _codes(procedure_list(actor=actor, q="khai sinh hội")) == []


def test_the_list_filters_by_level_field_and_agency(catalogue: Province, specialist: User) -> None:
    actor = actor_for(specialist)
    assert _codes(procedure_list(actor=actor, level="commune")) == ["1.000001", "2.000003"]
    assert _codes(procedure_list(actor=actor, level="province")) == ["1.000002", "2.000003"]
    assert _codes(procedure_list(actor=actor, level="central")) == []
    assert _codes(procedure_list(actor=actor, field="Nội vụ")) == ["1.000002"]
    assert _codes(procedure_list(actor=actor, agency=catalogue.other)) == ["2.000003"]
    assert _codes(procedure_list(actor=actor, agency=catalogue.so)) == ["1.000001", "1.000002"]
    # the center receives and returns every provincial dossier: a step of each is its own
    assert len(procedure_list(actor=actor, agency=catalogue.center)) == 3
    assert field_choices(actor=actor) == ["Hộ tịch", "Nội vụ", "Đường bộ"]


def test_drafts_are_listed_for_the_provincial_administrator_only(
    catalogue: Province, specialist: User, admin: User
) -> None:
    assert _codes(procedure_list(actor=actor_for(admin), status="draft")) == ["1.000004"]
    assert len(procedure_list(actor=actor_for(admin), status="all")) == 4
    for status in ("draft", "retired", "all"):
        with pytest.raises(PermissionDenied):
            procedure_list(actor=actor_for(specialist), status=status)


def test_citizens_read_the_versions_in_force(catalogue: Province) -> None:
    citizen = actor_for(make_citizen())
    assert len(procedure_list(actor=citizen)) == 3


def test_the_version_in_force_comes_with_its_rows_in_a_fixed_number_of_queries(
    catalogue: Province,
) -> None:
    with CaptureQueriesContext(connection) as queries:
        version = published_version("1.000002")
        assert version is not None
        names = [c.name for c in version.components.all()]
        fees = [f.amount for f in version.fees.all()]
        places = [(s.agency, s.department) for s in version.steps.all()]
    assert names and fees and len(places) == 4
    assert len(queries) == 4  # the version, its components, fees and steps (with agencies)
    assert published_version("1.000004") is None  # a draft is not in force
    assert published_version("9.999999") is None


def test_what_each_counter_receives(catalogue: Province) -> None:
    assert _codes(procedures_receivable_at(catalogue.commune)) == ["1.000001", "2.000003"]
    assert _codes(procedures_receivable_at(catalogue.center)) == ["1.000002", "2.000003"]
    assert _codes(procedures_receivable_at(catalogue.so)) == ["1.000002", "2.000003"]


def test_where_each_step_is_carried_out(catalogue: Province) -> None:
    version = published_version("1.000002")
    assert version is not None
    receive, process, _approve, _return = version.steps.all()
    # a fixed step at its agency, a competent step at the version's competent agency
    assert (
        step_agency(receive, receiving=catalogue.commune, competent=catalogue.so)
        == catalogue.center
    )
    assert step_agency(process, receiving=catalogue.commune, competent=catalogue.so) == catalogue.so
    assert step_agency(process, receiving=catalogue.commune, competent=None) == catalogue.commune
    assert step_department(process, catalogue.so) == catalogue.so_department
    # by short name in another agency; none when that agency has no such department
    receive.department = None
    assert step_department(receive, catalogue.center) == catalogue.desk
    assert step_department(receive, catalogue.commune) is None
