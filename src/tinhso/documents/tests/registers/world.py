"""A small e-office world for the register and work-file tests, built straight with the ORM.

Agency A (with a parent, a department and the usual people) and agency B; registers and
documents are rows written here, not through the incoming/outgoing services, so these tests
only depend on the tables.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.accounts.models import Role, User
from tinhso.documents.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    FileRole,
    Recipient,
    RecipientState,
    Register,
    Source,
)
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_agency, make_citizen, make_department, official
from tinhso.text import fold
from tinhso.workcalendar.arithmetic import TIMEZONE


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


_numbers = itertools.count(1)


@dataclass
class World:
    parent: Agency
    agency: Agency
    department: Department
    other_department: Department
    agency_b: Agency
    clerk: User
    leader: User
    head: User
    specialist: User
    other_specialist: User
    clerk_b: User
    specialist_b: User
    citizen: User
    incoming: Register
    outgoing: Register
    incoming_b: Register
    _counters: dict[int, int] = field(default_factory=dict)

    def next_number(self, register: Register) -> int:
        self._counters[register.pk] = self._counters.get(register.pk, 0) + 1
        return self._counters[register.pk]

    def incoming_doc(
        self,
        *,
        at: dt.datetime,
        subject: str = "Về việc báo cáo tình hình tổ chức bộ máy",
        register: Register | None = None,
        agency: Agency | None = None,
        status: str = DocumentStatus.REGISTERED,
        department: Department | None = None,
        **fields: Any,
    ) -> Document:
        register = register or self.incoming
        n = next(_numbers)
        values: dict[str, Any] = {
            "issuer_name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế",
            "issuer_code": "H57",
            "number": f"{n:02d}",
            "notation": "UBND-VX",
            "issued_on": at.date() - dt.timedelta(days=2),
            "doc_type": "CV",
            "page_count": 2,
        }
        values.update(fields)
        return _indexed(
            agency=agency or register.agency,
            direction=Direction.INCOMING,
            status=status,
            source=Source.ELECTRONIC,
            department=department,
            subject=subject,
            register=register,
            year=at.astimezone(TIMEZONE).year,
            register_number=self.next_number(register),
            registered_at=at,
            created_by=self.clerk if register.agency_id == self.agency.pk else self.clerk_b,
            **values,
        )

    def outgoing_doc(
        self,
        *,
        at: dt.datetime,
        subject: str = "Về việc tuyển dụng công chức năm 2026",
        register: Register | None = None,
        status: str = DocumentStatus.ISSUED,
        doc_type: str = "QĐ",
        **fields: Any,
    ) -> Document:
        register = register or self.outgoing
        number = self.next_number(register)
        values: dict[str, Any] = {
            "number": f"{number:02d}",
            "notation": f"{doc_type}-{self.agency.short_name}",
            "issued_on": at.astimezone(TIMEZONE).date(),
            "issuer_name": self.agency.name,
            "signer_name": "Trần Thị Ký",
            "signer_position": "Giám đốc",
            "copies": 3,
            "department": self.department,
            "page_count": 1,
        }
        values.update(fields)
        return _indexed(
            agency=register.agency,
            direction=Direction.OUTGOING,
            status=status,
            source=Source.ELECTRONIC,
            doc_type=doc_type,
            subject=subject,
            register=register,
            year=at.astimezone(TIMEZONE).year,
            register_number=number,
            registered_at=at,
            created_by=self.specialist,
            **values,
        )

    def draft(self, subject: str = "Dự thảo kế hoạch", **fields: Any) -> Document:
        return _indexed(
            agency=self.agency,
            direction=Direction.OUTGOING,
            status=DocumentStatus.DRAFT,
            source=Source.INTERNAL,
            doc_type="KH",
            subject=subject,
            issuer_name=self.agency.name,
            department=self.department,
            created_by=self.specialist,
            **fields,
        )

    def assign(
        self,
        d: Document,
        assignee: User,
        *,
        at: dt.datetime,
        department: Department | None = None,
        presentation: bool = False,
        role: str = AssignmentRole.MAIN,
        status: str = AssignmentStatus.WAITING,
    ) -> Assignment:
        return Assignment.objects.create(
            document=d,
            assignee=assignee,
            department=department,
            role=role,
            is_presentation=presentation,
            status=status,
            assigned_by=self.clerk,
            assigned_at=at,
        )

    def send_to(
        self, d: Document, name: str, *, at: dt.datetime | None, state: str = RecipientState.SENT
    ) -> Recipient:
        return Recipient.objects.create(
            document=d, name=name, is_internal=False, state=state, state_at=at
        )

    def store(self, user: User, content: bytes, name: str) -> StoredFile:
        return file_store(
            actor=user,
            upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        )

    def attach(self, d: Document, stored: StoredFile, role: str = FileRole.MAIN) -> DocumentFile:
        return DocumentFile.objects.create(
            document=d, file=stored, role=role, added_by=stored.uploaded_by
        )


def _indexed(**fields: Any) -> Document:
    """A document row with the folded text the services keep for search (`search_text`)."""
    d = Document(**fields)
    parts = (d.number, d.notation, d.reference, d.subject, d.issuer_name, d.issuer_code)
    d.search_text = fold(" ".join(p for p in parts if p))[:800]
    d.save()
    return d


def build_world() -> World:
    parent = make_agency(name="Ủy ban nhân dân tỉnh Thử Nghiệm", short_name="UBND")
    agency = make_agency(name="Sở Nội vụ Thử Nghiệm", short_name="SNV", parent=parent)
    department = make_department(agency=agency, name="Phòng Tổ chức cán bộ", short_name="TCCB")
    other_department = make_department(
        agency=agency, name="Phòng Văn thư lưu trữ", short_name="VTLT"
    )
    agency_b = make_agency(name="Sở Tài chính Thử Nghiệm", short_name="STC")
    clerk = official(Role.VAN_THU, agency=agency, full_name="Lê Thị Văn Thư", username="vt_a")
    return World(
        parent=parent,
        agency=agency,
        department=department,
        other_department=other_department,
        agency_b=agency_b,
        clerk=clerk,
        leader=official(Role.LANH_DAO, agency=agency, full_name="Trần Thị Ký", username="ld_a"),
        head=official(
            Role.LANH_DAO, department=department, full_name="Phạm Văn Trưởng", username="tp_a"
        ),
        specialist=official(
            Role.CHUYEN_VIEN, department=department, full_name="Nguyễn Văn Chuyên", username="cv_a"
        ),
        other_specialist=official(
            Role.CHUYEN_VIEN, department=other_department, full_name="Hồ Thị Khác", username="cv_a2"
        ),
        clerk_b=official(Role.VAN_THU, agency=agency_b, full_name="Võ Văn Thư B", username="vt_b"),
        specialist_b=official(Role.CHUYEN_VIEN, agency=agency_b, username="cv_b"),
        citizen=make_citizen(username="congdan"),
        incoming=Register.objects.create(
            agency=agency, direction=Direction.INCOMING, name="Sổ văn bản đến"
        ),
        outgoing=Register.objects.create(
            agency=agency, direction=Direction.OUTGOING, name="Sổ văn bản đi"
        ),
        incoming_b=Register.objects.create(
            agency=agency_b, direction=Direction.INCOMING, name="Sổ văn bản đến"
        ),
    )
