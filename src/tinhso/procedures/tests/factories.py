"""Builders for the catalogue's tests: a publishable input and versions in each state."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel, Department
from tinhso.procedures.models import (
    ProcedureLevel,
    ProcedureVersion,
    StepAgency,
    StepKind,
    TimeUnit,
)
from tinhso.procedures.services import (
    ComponentInput,
    FeeInput,
    StepInput,
    VersionInput,
    procedure_version_create,
    procedure_version_publish,
)
from tinhso.testing.factories import make_agency, make_department

SYSTEM = "system:test"


class Province:
    """A small province: a Sở with a department, the service center, a commune."""

    def __init__(self) -> None:
        self.so: Agency = make_agency(code="H57.02", name="Sở Nội vụ", short_name="SNV")
        self.so_department: Department = make_department(
            agency=self.so, name="Phòng Tổ chức, biên chế", short_name="TCBC"
        )
        self.other: Agency = make_agency(code="H57.06", name="Sở Tư pháp", short_name="STP")
        self.other_department: Department = make_department(
            agency=self.other, name="Phòng Hành chính tư pháp", short_name="HCTP"
        )
        self.center: Agency = make_agency(
            code="H57.13",
            name="Trung tâm Phục vụ hành chính công",
            short_name="TTPVHCC",
            kind=AgencyKind.SERVICE_CENTER,
        )
        self.desk: Department = make_department(
            agency=self.center, name="Bộ phận Tiếp nhận và Trả kết quả", short_name="TNTKQ"
        )
        self.commune: Agency = make_agency(
            code="H57.19753",
            name="Ủy ban nhân dân phường Phú Xuân",
            short_name="UBND",
            level=AgencyLevel.COMMUNE,
            kind=AgencyKind.PEOPLES_COMMITTEE,
        )
        make_department(agency=self.commune, name="Phòng Văn hóa – Xã hội", short_name="VHXH")


def province_steps(
    p: Province, *, process: str = "28", approve: str = "4"
) -> tuple[StepInput, ...]:
    """Receive at the center (4 h), process and approve at the Sở, return (4 h)."""
    return (
        StepInput(
            "Tiếp nhận hồ sơ",
            StepKind.RECEIVE,
            "mot_cua",
            Decimal(4),
            StepAgency.FIXED,
            p.center,
            department_short_name="TNTKQ",
        ),
        StepInput(
            "Thẩm định hồ sơ",
            StepKind.PROCESS,
            "chuyen_vien",
            Decimal(process),
            StepAgency.COMPETENT,
            department_short_name="TCBC",
        ),
        StepInput(
            "Phê duyệt",
            StepKind.APPROVE,
            "lanh_dao",
            Decimal(approve),
            StepAgency.COMPETENT,
            department_short_name="TCBC",
        ),
        StepInput(
            "Trả kết quả",
            StepKind.RETURN,
            "mot_cua",
            Decimal(4),
            StepAgency.FIXED,
            p.center,
            department_short_name="TNTKQ",
        ),
    )


def province_input(p: Province, **overrides: Any) -> VersionInput:
    """A publishable provincial version: 5 working days (40 h), the process takes 40 h."""
    data = VersionInput(
        name="Thủ tục thành lập hội",
        field="Tổ chức phi chính phủ",
        levels=(ProcedureLevel.PROVINCE,),
        processing_time=Decimal(5),
        time_unit=TimeUnit.WORKING_DAYS,
        competent_agency=p.so,
        competent_agency_name="Sở Nội vụ",
        decision_number="1/QĐ-TEST",
        components=(
            ComponentInput("Đơn đề nghị thành lập hội", 1, 0, "Mẫu 01.docx"),
            ComponentInput("Dự thảo điều lệ hội", 1, 0),
        ),
        fees=(FeeInput("Lệ phí", Decimal(8000), "VND", "đồng/hồ sơ"),),
        steps=province_steps(p),
    )
    return replace(data, **overrides)


def create_draft(p: Province, code: str = "1.000001", **overrides: Any) -> ProcedureVersion:
    return procedure_version_create(actor=SYSTEM, code=code, data=province_input(p, **overrides))


def create_published(p: Province, code: str = "1.000001", **overrides: Any) -> ProcedureVersion:
    return procedure_version_publish(actor=SYSTEM, version=create_draft(p, code, **overrides))


def form_payload(
    *,
    components: list[dict[str, Any]] | None = None,
    fees: list[dict[str, Any]] | None = None,
    steps: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """POST data of the draft editor: the version's fields and the three formsets."""
    data: dict[str, Any] = {
        "name": "Thủ tục thử nghiệm",
        "field": "Nội vụ",
        "levels": ["province"],
        "processing_time": "5",
        "time_unit": "working_days",
        "online_level": "none",
        **fields,
    }
    for prefix, rows in (("components", components), ("fees", fees), ("steps", steps)):
        rows = rows or []
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data
