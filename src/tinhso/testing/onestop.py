"""A small one-stop world for tests: a Service Center, a department (Sở) that resolves, a
commune, their officials, and a published procedure with a four-step internal process.

    world = onestop_world()
    d, _ = dossier_receive(actor=world.counter, data=world.receipt(), now=world.monday_9am)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel, Department
from tinhso.procedures.models import (
    Component,
    Fee,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    ProcessStep,
    StepAgency,
    StepKind,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.search import procedure_search_text
from tinhso.testing.factories import make_agency, make_department, official
from tinhso.workcalendar.arithmetic import TIMEZONE

#: A small valid PDF (one empty page), enough for content sniffing.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware moment in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def upload(user: User, name: str = "to-khai.pdf", content: bytes = MINIMAL_PDF) -> int:
    """Store a file as `user` and return its id."""
    from tinhso.files.services import file_store

    stored = file_store(
        actor=user, upload=SimpleUploadedFile(name, content, content_type="application/pdf")
    )
    return stored.pk


def make_procedure(
    *,
    code: str = "1.000001",
    name: str = "Cấp giấy phép thử nghiệm",
    competent: Agency | None,
    department: Department | None,
    levels: list[str] | None = None,
    days: Decimal = Decimal(5),
    unit: str = TimeUnit.WORKING_DAYS,
    fee: Decimal = Decimal(50000),
    hours: tuple[int, int, int, int] = (4, 16, 4, 4),
) -> ProcedureVersion:
    """A published procedure: receive (counter) → process (specialist) → approve (leader of
    the department) → return (counter), with two required components and one optional."""
    procedure = Procedure.objects.create(
        code=code,
        name=name,
        field="Thử nghiệm",
        search_text=procedure_search_text(code=code, name=name, field="Thử nghiệm"),
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=VersionStatus.PUBLISHED,
        name=name,
        field="Thử nghiệm",
        levels=levels or [ProcedureLevel.PROVINCE],
        competent_agency=competent,
        processing_time=days,
        time_unit=unit,
        published_at=timezone.now(),
    )
    Component.objects.create(version=version, order=1, name="Đơn đề nghị (theo mẫu)")
    Component.objects.create(
        version=version, order=2, name="Bản sao giấy tờ tùy thân", copies=1, originals=0
    )
    Component.objects.create(
        version=version, order=3, name="Giấy ủy quyền (nếu có)", required=False
    )
    if fee:
        Fee.objects.create(version=version, name="Lệ phí", amount=fee)
    mode = StepAgency.COMPETENT if competent is not None else StepAgency.RECEIVING
    ProcessStep.objects.create(
        version=version, order=1, name="Tiếp nhận", kind=StepKind.RECEIVE,
        agency_mode=StepAgency.RECEIVING, role=Role.MOT_CUA, duration_hours=Decimal(hours[0]),
    )  # fmt: skip
    ProcessStep.objects.create(
        version=version, order=2, name="Thẩm định", kind=StepKind.PROCESS, agency_mode=mode,
        department=department, role=Role.CHUYEN_VIEN, duration_hours=Decimal(hours[1]),
    )  # fmt: skip
    ProcessStep.objects.create(
        version=version, order=3, name="Phê duyệt", kind=StepKind.APPROVE, agency_mode=mode,
        department=department, role=Role.LANH_DAO, duration_hours=Decimal(hours[2]),
    )  # fmt: skip
    ProcessStep.objects.create(
        version=version, order=4, name="Trả kết quả", kind=StepKind.RETURN,
        agency_mode=StepAgency.RECEIVING, role=Role.MOT_CUA, duration_hours=Decimal(hours[3]),
    )  # fmt: skip
    return version


@dataclass
class OneStopWorld:
    center: Agency
    center_desk: Department
    so: Agency
    so_department: Department
    other_department: Department
    commune: Agency
    other_commune: Agency
    counter: User
    specialist: User
    other_specialist: User
    leader: User
    commune_counter: User
    other_commune_counter: User
    commune_specialist: User
    commune_leader: User
    version: ProcedureVersion
    commune_version: ProcedureVersion
    component_ids: list[int] = field(default_factory=list)

    #: Monday 7 December 2026, 09:00 in Vietnam: a working morning with no day off in the
    #: following two weeks (24 November is Ngày Văn hóa Việt Nam, a day off from 2025).
    monday_9am: dt.datetime = field(default_factory=lambda: local(2026, 12, 7, 9, 0))

    def receipt(self, **overrides: Any) -> Any:
        """A complete receipt at the Service Center (the files uploaded by the counter)."""
        from tinhso.dossiers.services import ApplicantInput, ComponentInput, ReceiptInput

        components = [
            ComponentInput(component=cid, file=upload(self.counter))
            for cid in self.component_ids[:2]
        ]
        values: dict[str, Any] = {
            "procedure_code": self.version.procedure.code,
            "channel": "counter",
            "applicant": ApplicantInput(
                kind="citizen",
                name="Nguyễn Văn An",
                id_number="046090001234",
                phone="0912345678",
                email="an@example.vn",
                address="12 Lê Lợi, phường Thuận Hóa",
            ),
            "components": components,
        }
        values.update(overrides)
        return ReceiptInput(**values)


def onestop_world() -> OneStopWorld:
    center = make_agency(
        code="H99.13", name="Trung tâm Phục vụ hành chính công", short_name="TTPVHCC",
        level=AgencyLevel.PROVINCE, kind=AgencyKind.SERVICE_CENTER,
    )  # fmt: skip
    desk = make_department(
        agency=center, name="Bộ phận Tiếp nhận và Trả kết quả", short_name="TNTKQ"
    )
    so = make_agency(code="H99.02", name="Sở Nội vụ", short_name="SNV", level=AgencyLevel.PROVINCE)
    so_department = make_department(agency=so, name="Phòng Tổ chức biên chế", short_name="TCBC")
    other_department = make_department(agency=so, name="Phòng Công chức", short_name="CCVC")
    commune = make_agency(
        code="H99.19753", name="UBND phường Phú Xuân", short_name="UBND",
        level=AgencyLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE,
    )  # fmt: skip
    commune_vhxh = make_department(agency=commune, name="Phòng Văn hóa – Xã hội", short_name="VHXH")
    other_commune = make_agency(
        code="H99.19754", name="UBND phường Thuận Hóa", short_name="UBND",
        level=AgencyLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE,
    )  # fmt: skip
    version = make_procedure(competent=so, department=so_department)
    commune_version = make_procedure(
        code="1.000002",
        name="Đăng ký khai sinh (thử nghiệm)",
        competent=None,
        department=None,
        levels=[ProcedureLevel.COMMUNE],
        days=Decimal(3),
        fee=Decimal(0),
    )
    commune_version.steps.filter(order=2).update(department_short_name="VHXH")
    world = OneStopWorld(
        center=center,
        center_desk=desk,
        so=so,
        so_department=so_department,
        other_department=other_department,
        commune=commune,
        other_commune=other_commune,
        counter=official(Role.MOT_CUA, agency=center, department=desk),
        specialist=official(Role.CHUYEN_VIEN, agency=so, department=so_department),
        other_specialist=official(Role.CHUYEN_VIEN, agency=so, department=other_department),
        leader=official(Role.LANH_DAO, agency=so, department=so_department),
        commune_counter=official(Role.MOT_CUA, agency=commune),
        other_commune_counter=official(Role.MOT_CUA, agency=other_commune),
        commune_specialist=official(Role.CHUYEN_VIEN, agency=commune, department=commune_vhxh),
        commune_leader=official(Role.LANH_DAO, agency=commune),
        version=version,
        commune_version=commune_version,
    )
    world.component_ids = list(version.components.order_by("order").values_list("id", flat=True))
    return world
