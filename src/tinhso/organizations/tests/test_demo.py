"""The demo province (Thành phố Huế) of `manage.py load_demo`."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from tinhso.accounts.models import AccountKind, Membership, Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations import demo
from tinhso.organizations.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    AgencyLevel,
    Department,
    Position,
    UnitLevel,
)
from tinhso.organizations.services import agency_create
from tinhso.testing.fixtures import DemoProvince

pytestmark = pytest.mark.django_db


def test_load_demo_builds_hue_through_the_services() -> None:
    # when
    started = time.perf_counter()
    summary = demo.load_demo(all_units=False)
    elapsed = time.perf_counter() - started

    # then
    assert summary.changed
    ubnd = Agency.objects.get(code="H57")
    assert ubnd.name == "Ủy ban nhân dân thành phố Huế"
    assert ubnd.admin_unit is not None and ubnd.admin_unit.code == "46"
    assert Agency.objects.get(code="H57.01").kind == AgencyKind.OFFICE
    bodies = set(
        Agency.objects.filter(parent=ubnd, level="province").values_list("name", flat=True)
    )
    assert {
        "Sở Nội vụ",
        "Sở Tài chính",
        "Sở Khoa học và Công nghệ",
        "Sở Xây dựng",
        "Sở Tư pháp",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Nông nghiệp và Môi trường",
        "Trung tâm Phục vụ hành chính công thành phố Huế",
    } <= bodies
    assert AuditEvent.objects.filter(action="organizations.agency_create").count() == (
        Agency.objects.count()
    )
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"system:demo"}
    assert elapsed < 20  # ~1 s on the CI machines with only Huế's units


def test_every_commune_and_ward_of_hue_has_its_peoples_committee(
    demo_province: DemoProvince,
) -> None:
    # given: the demo, as `load_demo` builds it (see the fixture)

    # then
    units = AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, province_code="46", valid_to__isnull=True
    )
    communes = Agency.objects.filter(level=AgencyLevel.COMMUNE).select_related("admin_unit")
    assert units.count() == 40
    assert communes.count() == 40
    for agency in communes:
        assert agency.admin_unit is not None
        assert agency.code == f"H57.{agency.admin_unit.code}"  # the documented stand-in
        assert agency.short_name == "UBND"
        assert agency.name.startswith("Ủy ban nhân dân ")
        assert set(agency.departments.values_list("name", flat=True)) == {
            "Văn phòng HĐND và UBND",
            "Phòng Kinh tế",
            "Phòng Văn hóa – Xã hội",
        }
    assert Agency.objects.get(code=demo.PHU_XUAN_CODE).name == "Ủy ban nhân dân phường Phú Xuân"


def test_codes_follow_one_pattern_and_departments_are_there(demo_province: DemoProvince) -> None:
    # given: the demo, as `load_demo` builds it (see the fixture)

    # then
    province_bodies = Agency.objects.filter(level=AgencyLevel.PROVINCE).exclude(code="H57")
    assert all(re.fullmatch(r"H57\.\d{2}", a.code) for a in province_bodies)
    assert all(re.fullmatch(r"H57\.\d{5}", a.code) for a in Agency.objects.filter(level="commune"))
    for so in Agency.objects.filter(kind=AgencyKind.DEPARTMENT, name__startswith="Sở "):
        names = list(so.departments.values_list("name", flat=True))
        assert "Văn phòng Sở" in names
        assert 2 <= len(names) - 1 <= 4, so.name
    assert {"SNV", "STC", "SKHCN", "SXD", "STP", "VP", "UBND"} <= set(
        Agency.objects.values_list("short_name", flat=True)
    )
    assert {"Chủ tịch", "Giám đốc", "Trưởng phòng", "Chuyên viên", "Văn thư"} <= set(
        Position.objects.values_list("name", flat=True)
    )


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("agency", "department", "position").get(
        user__username=username
    )


def test_demo_accounts_have_their_roles_places_and_password(demo_province: DemoProvince) -> None:
    # given: the demo, as `load_demo` builds it (see the fixture)

    # then
    expected = {
        "admin": (Role.QUAN_TRI_TINH, "H57.01"),
        "motcua": (Role.MOT_CUA, demo.SERVICE_CENTER_CODE),
        "vanthu": (Role.VAN_THU, demo.SNV_CODE),
        "chuyenvien": (Role.CHUYEN_VIEN, demo.SNV_CODE),
        "lanhdao": (Role.LANH_DAO, demo.SNV_CODE),
        "giamdoc.snv": (Role.LANH_DAO, demo.SNV_CODE),
        "vanthu.xa": (Role.VAN_THU, demo.PHU_XUAN_CODE),
        "motcua.xa": (Role.MOT_CUA, demo.PHU_XUAN_CODE),
    }
    for username, (role, code) in expected.items():
        membership = _membership(username)
        assert (membership.role, membership.agency.code) == (role, code), username
        assert membership.user.check_password(settings.TINHSO_DEMO_PASSWORD)
        assert len(membership.user.full_name.split()) >= 3
    assert User.objects.get(username="admin").otp_required
    assert _membership("vanthu").department.name == "Văn phòng Sở"  # type: ignore[union-attr]
    chuyenvien, lanhdao = _membership("chuyenvien"), _membership("lanhdao")
    assert chuyenvien.department == lanhdao.department
    assert chuyenvien.department.name.startswith("Phòng")  # type: ignore[union-attr]
    assert lanhdao.position.name == "Trưởng phòng"  # type: ignore[union-attr]
    assert _membership("giamdoc.snv").position.name == "Giám đốc"  # type: ignore[union-attr]
    citizen = User.objects.get(username="congdan")
    assert citizen.kind == AccountKind.CITIZEN
    assert re.fullmatch(r"\d{12}", citizen.id_number)
    assert not citizen.memberships.exists()
    # a few more officials per department, so that lists are not empty
    empty = Department.objects.filter(memberships__isnull=True)
    assert not empty.exists(), list(empty.values_list("agency__code", "name"))


def test_second_run_creates_nothing() -> None:
    # given
    demo.load_demo(all_units=False)
    counts = (Agency.objects.count(), User.objects.count(), AuditEvent.objects.count())

    # when
    summary = demo.load_demo(all_units=False)

    # then
    assert not summary.changed
    assert (Agency.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    assert summary.lines() == ["Dữ liệu mẫu Thành phố Huế đã đầy đủ, không có thay đổi."]


def test_command_imports_all_units_when_missing_then_if_empty_skips() -> None:
    # when
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    again = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=again)

    # then
    assert AdministrativeUnit.objects.filter(valid_to__isnull=True, level="commune").count() == 3321
    assert "Đã nhập 13470 đơn vị hành chính" in out.getvalue()
    assert "Dữ liệu mẫu Thành phố Huế: 54 cơ quan" in out.getvalue()
    assert "bỏ qua" in again.getvalue()


def test_if_empty_does_nothing_when_any_agency_exists() -> None:
    # given
    agency_create(
        actor="system",
        code="H40",
        name="UBND tỉnh Nghệ An",
        short_name="UBND",
        level="province",
        kind="ubnd",
    )

    # when
    summary = demo.load_demo(if_empty=True)

    # then
    assert summary.skipped
    assert Agency.objects.count() == 1
    assert not AdministrativeUnit.objects.exists()


def test_demo_names_are_vietnamese_and_deterministic() -> None:
    names = [demo.demo_full_name(i) for i in range(1, 300)]
    assert names == [demo.demo_full_name(i) for i in range(1, 300)]
    assert len(set(names)) > 150
    assert all(len(name.split()) >= 3 for name in names)


def test_demo_province_fixture_restores_the_demo(demo_province: DemoProvince) -> None:
    # then: the same rows as a real load, and the database keeps working after the copy
    assert demo_province.snv.name == "Sở Nội vụ"
    assert demo_province.phu_xuan.admin_unit.code == demo.PHU_XUAN_UNIT  # type: ignore[union-attr]
    assert Agency.objects.filter(level="commune").count() == 40
    assert demo_province.user("vanthu").check_password(settings.TINHSO_DEMO_PASSWORD)
    assert demo_province.department(demo.SNV_CODE, demo.SNV_OFFICE).agency == demo_province.snv
    new = agency_create(
        actor="system",
        code="H57.99",
        name="Sở Du lịch",
        short_name="SDL",
        level="province",
        kind="so",
    )
    assert new.pk > demo_province.ubnd.pk
    assert not demo.load_demo(all_units=False).changed
