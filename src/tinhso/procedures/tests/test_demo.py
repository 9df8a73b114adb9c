"""The demo catalogue: real procedures with the demo province's processes, loaded idempotently."""

from __future__ import annotations

from decimal import Decimal

from tinhso.audit.models import AuditEvent
from tinhso.organizations import demo as province_demo
from tinhso.procedures.demo import DEMO_DIR, load_demo_procedures
from tinhso.procedures.importing import CREATED, ERROR, SKIPPED
from tinhso.procedures.models import (
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    StepAgency,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.selectors import (
    procedures_receivable_at,
    published_version,
    step_agency,
    step_department,
)
from tinhso.testing.fixtures import DemoProvince


def test_the_demo_catalogue_loads_published_and_a_second_run_changes_nothing(
    demo_province: DemoProvince,
) -> None:
    # when the demo catalogue is loaded twice (the province's demo loader may have loaded it
    # already: then the first run finds every record in place)
    first = load_demo_procedures()
    audit_rows = AuditEvent.objects.count()
    second = load_demo_procedures()

    # then every record is in the catalogue, published, and the second run wrote nothing
    files = sorted(DEMO_DIR.glob("*.json"))
    assert len(first.entries) == len(files) >= 22
    assert [e.line() for e in first.entries if e.status == ERROR] == []
    assert {e.status for e in first.entries} <= {CREATED, SKIPPED}
    assert {e.status for e in second.entries} == {SKIPPED}
    assert AuditEvent.objects.count() == audit_rows
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    assert sorted(published.values_list("procedure__code", flat=True)) == [f.stem for f in files]
    assert ProcedureVersion.objects.count() == len(files)


def test_the_demo_records_are_created_and_published(demo_province: DemoProvince) -> None:
    # given the records as a fresh catalogue sees them (nothing of them in the database)
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()

    # when they are imported
    report = load_demo_procedures()

    # then each one is created and published in one go
    assert {(e.status, e.version) for e in report.entries} == {(CREATED, 1)}
    assert all(e.message.endswith("đã công bố.") for e in report.entries)


def test_the_demo_catalogue_covers_both_levels_fees_hours_and_a_joint_procedure(
    demo_province: DemoProvince,
) -> None:
    # given the demo catalogue
    load_demo_procedures()

    # then there are at least 8 commune and 12 provincial procedures
    versions = list(ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED))
    assert sum(ProcedureLevel.COMMUNE in v.levels for v in versions) >= 8
    assert sum(ProcedureLevel.PROVINCE in v.levels for v in versions) >= 12
    # with fees, one in working hours, one resolved in a day
    assert any(v.fees.exists() for v in versions)
    assert any(v.time_unit == TimeUnit.WORKING_HOURS for v in versions)
    khai_sinh = published_version("1.001193")
    assert khai_sinh is not None and khai_sinh.processing_time == 1
    chung_thuc = published_version("2.001019")
    assert chung_thuc is not None
    assert [(f.amount, f.currency) for f in chung_thuc.fees.all()] == [(Decimal(50000), "VND")]

    # and the joint procedure is received by the commune, resolved by Sở Nội vụ (TCBC)
    joint = published_version("2.001428")
    assert joint is not None
    steps = list(joint.steps.all())
    phu_xuan, snv = demo_province.phu_xuan, demo_province.snv
    agencies = [step_agency(s, receiving=phu_xuan, competent=joint.competent_agency) for s in steps]
    assert agencies[0] == agencies[-1] == phu_xuan
    assert snv in agencies
    tcbc = demo_province.department(province_demo.SNV_CODE, province_demo.SNV_PHONG)
    assert [step_department(s, snv) for s in steps if s.agency_mode == StepAgency.COMPETENT] == [
        tcbc,
        tcbc,
    ]


def test_the_demo_accounts_of_sở_nội_vụ_have_procedures_to_work(
    demo_province: DemoProvince,
) -> None:
    # given the demo catalogue
    load_demo_procedures()

    # then at least two procedures are processed by the department of `chuyenvien`/`lanhdao`
    chuyenvien = demo_province.user("chuyenvien").memberships.get()
    lanhdao = demo_province.user("lanhdao").memberships.get()
    assert chuyenvien.department_id is not None
    assert chuyenvien.department_id == lanhdao.department_id
    codes = set(
        ProcedureVersion.objects.filter(
            status=VersionStatus.PUBLISHED, steps__department_id=chuyenvien.department_id
        ).values_list("procedure__code", flat=True)
    )
    assert len(codes) >= 2

    # and each counter has procedures to receive: the service center and Phường Phú Xuân
    center = {v.procedure.code for v in procedures_receivable_at(demo_province.service_center)}
    commune = {v.procedure.code for v in procedures_receivable_at(demo_province.phu_xuan)}
    assert "1.008905" in center and "1.001193" not in center
    assert "1.001193" in commune and "2.001428" in commune and "1.008905" not in commune
