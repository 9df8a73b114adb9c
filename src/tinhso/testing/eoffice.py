"""Helpers for e-office tests: the demo Sở Nội vụ's clerk, specialist, head and director,
uploads, and one-call incoming and outgoing documents in any state.

The cast (all demo accounts, `tinhso.organizations.demo`): in Sở Nội vụ (SNV) the clerk
`vanthu` (Văn phòng Sở), the specialist `chuyenvien`, his colleague `snv.tcbc.cv` and their
head `lanhdao` (Phòng Tổ chức, biên chế: short name TCBC), a specialist of another department
`snv.ccvc.cv`, the director `giamdoc.snv` and his deputy `phogiamdoc.snv`; in Phường Phú
Xuân the clerk `vanthu.xa`, the specialist `xa19753.kt.cv` and the chairman
`xa19753.chutich`; the Sở Tài chính specialist `stc.qlns.cv`; the citizen `congdan`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import (
    Activity,
    ApprovalStep,
    Assignment,
    Comment,
    Document,
    DocumentFile,
    DraftVersion,
    ExchangeOutbox,
    NumberCounter,
    Recipient,
    Register,
)
from tinhso.documents.numbering import VIETNAM
from tinhso.files.services import file_store
from tinhso.organizations import demo
from tinhso.organizations.models import Agency, Department
from tinhso.testing.fixtures import DemoProvince
from tinhso.testing.onestop import MINIMAL_PDF

#: The tables an e-office service writes: `row_counts()` snapshots them, so a refused call
#: can be shown to have written nothing.
EOFFICE_TABLES: tuple[type[Model], ...] = (
    Document,
    DocumentFile,
    DraftVersion,
    Register,
    NumberCounter,
    Activity,
    Assignment,
    ApprovalStep,
    Comment,
    Recipient,
    ExchangeOutbox,
    AuditEvent,
)


def row_counts() -> dict[str, int]:
    """The row count of every e-office table (and the audit trail), by model name."""
    return {model.__name__: model._base_manager.count() for model in EOFFICE_TABLES}


def vietnam_time(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> dt.datetime:
    """An aware moment given as Hà Nội wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM)


def upload(user: User, name: str = "van-ban.pdf", content: bytes = MINIMAL_PDF) -> int:
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    return file_store(actor=user, upload=SimpleUploadedFile(name, content, content_type=kind)).pk


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_bytes(text: str = "Về việc báo cáo biên chế") -> bytes:
    """A small, valid DOCX holding one paragraph."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()


def docx_bomb_past_upload() -> bytes:
    """A DOCX whose text part inflates 6 MB from a few kB (ratio ~1000), padded with stored
    random bytes so that the archive as a whole stays under the upload check's ratio: the
    upload accepts it, the draft check (one part's ratio) must refuse it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES, zipfile.ZIP_DEFLATED)
        archive.writestr("word/document.xml", b"<" + b"0" * (6 * 1024 * 1024), zipfile.ZIP_DEFLATED)
        archive.writestr("word/media/padding.bin", os.urandom(120 * 1024), zipfile.ZIP_STORED)
    return buffer.getvalue()


@dataclass
class EofficeWorld:
    demo: DemoProvince

    @property
    def snv(self) -> Agency:
        return self.demo.snv

    @property
    def phu_xuan(self) -> Agency:
        return self.demo.phu_xuan

    @property
    def tcbc(self) -> Department:
        """The specialist's department (short name TCBC)."""
        return self.demo.department(demo.SNV_CODE, demo.SNV_PHONG)

    @property
    def clerk(self) -> User:
        return self.demo.user("vanthu")

    @property
    def specialist(self) -> User:
        return self.demo.user("chuyenvien")

    @property
    def colleague(self) -> User:
        """Another specialist of the specialist's department."""
        return self.demo.user("snv.tcbc.cv")

    @property
    def other_specialist(self) -> User:
        """A specialist of another department of Sở Nội vụ (Phòng Công chức, viên chức)."""
        return self.demo.user("snv.ccvc.cv")

    @property
    def head(self) -> User:
        return self.demo.user("lanhdao")

    @property
    def director(self) -> User:
        return self.demo.user("giamdoc.snv")

    @property
    def deputy(self) -> User:
        return self.demo.user("phogiamdoc.snv")

    @property
    def commune_clerk(self) -> User:
        return self.demo.user("vanthu.xa")

    @property
    def commune_specialist(self) -> User:
        return self.demo.user("xa19753.kt.cv")

    @property
    def commune_chairman(self) -> User:
        return self.demo.user("xa19753.chutich")

    @property
    def finance_specialist(self) -> User:
        """A specialist of Sở Tài chính (another provincial agency)."""
        return self.demo.user("stc.qlns.cv")

    @property
    def citizen(self) -> User:
        return self.demo.user("congdan")

    # --- Incoming ------------------------------------------------------------------------------

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
        """A paper document registered by the clerk (`now=` sets the moment)."""
        confirm = overrides.pop("confirm_duplicate", True)
        now: dt.datetime | None = overrides.pop("now", None)
        return services.incoming_register(
            actor=self.clerk,
            data=self.incoming_input(**overrides),
            confirm_duplicate=confirm,
            now=now,
        )

    def presented(self, **overrides: Any) -> Document:
        d = self.register(**overrides)
        services.incoming_present(actor=self.clerk, document_id=d.pk, leader_id=self.director.pk)
        d.refresh_from_db()
        return d

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

    def in_progress(self, **overrides: Any) -> tuple[Document, Assignment]:
        d, main = self.assigned(**overrides)
        services.assignment_start(actor=self.specialist, assignment_id=main.pk)
        d.refresh_from_db()
        return d, main

    def completed(self, **overrides: Any) -> Document:
        d, main = self.in_progress(**overrides)
        services.assignment_complete(
            actor=self.specialist, assignment_id=main.pk, result_note="Đã tham mưu xử lý"
        )
        d.refresh_from_db()
        return d

    # --- Outgoing ------------------------------------------------------------------------------

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

    def submitted(self, **overrides: Any) -> Document:
        d = self.draft(**overrides)
        services.outgoing_submit(actor=self.specialist, document_id=d.pk)
        d.refresh_from_db()
        return d

    def decider(self, d: Document) -> User:
        """Someone who may decide the document's current review step (never its drafter)."""
        step = d.approvals.filter(decision="waiting").order_by("-round", "order").first()
        assert step is not None, "the document waits for no review step"
        if step.approver is not None:
            return step.approver
        if step.department_id is not None:
            role_holders = User.objects.filter(
                memberships__department_id=step.department_id,
                memberships__role=Role.LANH_DAO,
                memberships__is_active=True,
            )
        else:
            role_holders = User.objects.filter(
                memberships__agency_id=d.agency_id,
                memberships__department__isnull=True,
                memberships__role=Role.LANH_DAO,
                memberships__is_active=True,
            )
        user = role_holders.exclude(pk=d.created_by_id).order_by("pk").first()
        assert user is not None, "nobody may decide this step"
        return user

    def approved(self, **overrides: Any) -> Document:
        d = self.submitted(**overrides)
        while d.status == "in_review":
            services.outgoing_approve(actor=self.decider(d), document_id=d.pk)
            d.refresh_from_db()
        return d

    def issued(self, **overrides: Any) -> Document:
        now: dt.datetime | None = overrides.pop("now", None)
        d = self.approved(**overrides)
        return services.outgoing_issue(actor=self.clerk, document_id=d.pk, now=now)

    def recalled(self, **overrides: Any) -> Document:
        d = self.issued(**overrides)
        return services.outgoing_recall(
            actor=self.clerk, document_id=d.pk, reason="Ban hành nhầm nơi nhận"
        )

    # --- Between agencies ---------------------------------------------------------------------

    def issued_elsewhere(
        self, drafter: User, signer: User, clerk: User, **overrides: Any
    ) -> Document:
        """An outgoing document of the drafter's agency, signed by `signer` (after the agency's
        chain), issued by `clerk`, sent to Sở Nội vụ unless told otherwise."""
        base = services.DraftInput(
            doc_type="CV",
            subject="Về việc đề nghị bổ sung biên chế công chức",
            signer=signer.pk,
            recipients=(self.snv.pk,),
            files=(upload(drafter, "cong-van-den.pdf"),),
        )
        d = services.outgoing_draft(actor=drafter, data=replace(base, **overrides))
        services.outgoing_submit(actor=drafter, document_id=d.pk)
        d.refresh_from_db()
        while d.status == "in_review":
            services.outgoing_approve(actor=self.decider(d), document_id=d.pk)
            d.refresh_from_db()
        return services.outgoing_issue(actor=clerk, document_id=d.pk)

    def commune_issued(self, **overrides: Any) -> Document:
        """An outgoing document of Phường Phú Xuân (drafted by its specialist, signed by its
        chairman, issued by its clerk `vanthu.xa`) sent to Sở Nội vụ unless told otherwise."""
        return self.issued_elsewhere(
            self.commune_specialist, self.commune_chairman, self.commune_clerk, **overrides
        )

    def finance_issued(self, **overrides: Any) -> Document:
        """An outgoing document of Sở Tài chính (drafted by `stc.qlns.cv`, reviewed by its
        head, signed by its director, issued by its clerk `stc.vp.vanthu`) sent to Sở Nội vụ
        unless told otherwise."""
        return self.issued_elsewhere(
            self.finance_specialist,
            self.demo.user("giamdoc.stc"),
            self.demo.user("stc.vp.vanthu"),
            **overrides,
        )

    def received(self, *, sender: str = "commune", **overrides: Any) -> Document:
        """Sở Nội vụ's incoming copy (status `received`) of a document Phú Xuân (`sender=
        "commune"`) or Sở Tài chính (`sender="finance"`) issued to it."""
        issue = self.commune_issued if sender == "commune" else self.finance_issued
        original = issue(**overrides)
        return Document.objects.get(origin=original, agency=self.snv)


@pytest.fixture
def eoffice(demo_province: DemoProvince) -> EofficeWorld:
    return EofficeWorld(demo_province)
