"""Helpers for e-office tests: the demo Sở Nội vụ's clerk, specialist, head and director,
uploads, and one-call incoming and outgoing documents in any state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.accounts.models import User
from tinhso.documents import services
from tinhso.documents.models import Assignment, Document
from tinhso.files.services import file_store
from tinhso.organizations import demo
from tinhso.organizations.models import Agency
from tinhso.testing.fixtures import DemoProvince
from tinhso.testing.onestop import MINIMAL_PDF


def upload(user: User, name: str = "van-ban.pdf", content: bytes = MINIMAL_PDF) -> int:
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    return file_store(actor=user, upload=SimpleUploadedFile(name, content, content_type=kind)).pk


@dataclass
class EofficeWorld:
    demo: DemoProvince

    @property
    def snv(self) -> Agency:
        return self.demo.snv

    @property
    def clerk(self) -> User:
        return self.demo.user("vanthu")

    @property
    def specialist(self) -> User:
        return self.demo.user("chuyenvien")

    @property
    def head(self) -> User:
        return self.demo.user("lanhdao")

    @property
    def director(self) -> User:
        return self.demo.user("giamdoc.snv")

    @property
    def commune_clerk(self) -> User:
        return self.demo.user("vanthu.xa")

    def incoming_input(self, **overrides: Any) -> services.IncomingInput:
        base = services.IncomingInput(
            issuer_name="Ủy ban nhân dân thành phố Huế",
            issuer_code=demo.UBND_CODE,
            number="15",
            notation="QĐ-UBND",
            issued_on=dt.date(2026, 11, 20),
            doc_type="QĐ",
            subject="Quyết định bổ nhiệm cán bộ lãnh đạo phòng",
            files=(upload(self.clerk),),
        )
        return replace(base, **overrides)

    def register(self, **overrides: Any) -> Document:
        confirm = overrides.pop("confirm_duplicate", True)
        return services.incoming_register(
            actor=self.clerk, data=self.incoming_input(**overrides), confirm_duplicate=confirm
        )

    def assigned(self, **overrides: Any) -> tuple[Document, Assignment]:
        d = self.register(**overrides)
        services.incoming_present(actor=self.clerk, document_id=d.pk, leader_id=self.director.pk)
        (main,) = services.incoming_assign(
            actor=self.director,
            document_id=d.pk,
            data=services.AssignInput(main=self.specialist.pk, direction="Đề nghị xử lý"),
        )
        d.refresh_from_db()
        return d, main

    def draft_input(self, **overrides: Any) -> services.DraftInput:
        base = services.DraftInput(
            doc_type="CV",
            subject="Về việc báo cáo tình hình biên chế năm 2026",
            signer=self.head.pk,
            recipients=(self.demo.ubnd.pk,),
            files=(upload(self.specialist, "du-thao.pdf"),),
        )
        return replace(base, **overrides)

    def draft(self, **overrides: Any) -> Document:
        return services.outgoing_draft(actor=self.specialist, data=self.draft_input(**overrides))

    def approved(self, **overrides: Any) -> Document:
        d = self.draft(**overrides)
        services.outgoing_submit(actor=self.specialist, document_id=d.pk)
        d.refresh_from_db()
        while d.status == "in_review":
            step = d.approvals.filter(decision="waiting").order_by("-round", "order").first()
            assert step is not None and step.approver is not None
            services.outgoing_approve(actor=step.approver, document_id=d.pk)
            d.refresh_from_db()
        return d

    def issued(self, **overrides: Any) -> Document:
        d = self.approved(**overrides)
        return services.outgoing_issue(actor=self.clerk, document_id=d.pk)


@pytest.fixture
def eoffice(demo_province: DemoProvince) -> EofficeWorld:
    return EofficeWorld(demo_province)
