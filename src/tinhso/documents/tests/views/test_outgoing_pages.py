"""The outgoing pages: the drafting form (recipients from the tree and outside, the draft file),
the draft's page (versions, comments, submit), approval and return, issue and recall."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.documents.models import (
    ApprovalStep,
    Comment,
    Document,
    DocumentStatus,
    DraftVersion,
    ExchangeOutbox,
    Recipient,
)
from tinhso.documents.tests.views.conftest import Login, page_text, pdf
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

NEW = "/van-ban/soan-thao/"


def _form(eoffice: EofficeWorld, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "doc_type": "CV",
        "subject": "Về việc báo cáo số lượng công chức năm 2026",
        "signer": str(eoffice.head.pk),
        "urgency": "thuong",
        "recipients": [str(eoffice.demo.ubnd.pk)],
        "external_name": ["Bộ Nội vụ", ""],
        "external_code": ["000.00.00.G12", ""],
        "unit": "",
        "due_on": "",
        "page_count": "",
        "copies": "",
        "note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _act(client: Any, d: Document, action: str, **fields: Any) -> Any:
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(reverse("documents:act", args=[d.pk, action]), data)


def _docx(name: str = "du-thao.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def test_the_specialist_drafts_with_recipients_and_a_pdf(
    eoffice: EofficeWorld, login: Login
) -> None:
    client = login("chuyenvien")
    page = client.get(NEW)
    text = page_text(page)
    # the organisation tree lists the other agencies, not one's own; signers are the leaders
    assert "Ủy ban nhân dân thành phố Huế" in text and "Sở Tài chính" in text
    assert f'value="{eoffice.snv.pk}" id="recipient-' not in page.content.decode()
    assert "Hoàng Thị Thanh Tâm (Trưởng phòng)" in text
    response = client.post(NEW, _form(eoffice, draft_file=pdf("du-thao.pdf")))
    d = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[d.pk])
    assert d.status == DocumentStatus.DRAFT and d.signer_id == eoffice.head.pk
    assert set(Recipient.objects.filter(document=d).values_list("name", "code", "is_internal")) == {
        ("Ủy ban nhân dân thành phố Huế", "", True),
        ("Bộ Nội vụ", "000.00.00.G12", False),
    }
    assert DraftVersion.objects.get(document=d).number == 1


def test_drafting_errors_are_named_and_nothing_is_saved(
    eoffice: EofficeWorld, login: Login
) -> None:
    client = login("chuyenvien")
    response = client.post(
        NEW,
        _form(
            eoffice,
            doc_type="",
            subject="",
            signer=str(eoffice.specialist.pk),
            external_code=["12345", ""],
            draft_file=pdf(),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["subject"] == ["Chưa nhập trích yếu nội dung."]
    assert "danh mục" in errors["doc_type"][0]
    assert errors["signer"] == ["Người ký phải là lãnh đạo của cơ quan."]
    assert errors["external_recipients"][0].startswith("Bộ Nội vụ:")
    assert "Bộ Nội vụ" in page_text(response)  # the outside recipient typed is kept
    assert not Document.objects.exists()


def test_a_draft_must_be_docx_or_pdf(eoffice: EofficeWorld, login: Login) -> None:
    png = SimpleUploadedFile(
        "anh.png",
        bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de")
        + bytes.fromhex("0000000c4944415408d763f8ffff3f0005fe02fea7d1a1c40000000049454e44ae426082"),
        content_type="image/png",
    )
    response = login("chuyenvien").post(NEW, _form(eoffice, draft_file=png))
    assert response.status_code == 200
    assert response.context["form"].errors["draft_file"] == ["Dự thảo phải là tệp DOCX hoặc PDF."]
    assert not Document.objects.exists()


def test_the_draft_page_versions_comments_and_submit(eoffice: EofficeWorld, login: Login) -> None:
    d = eoffice.draft()
    client = login("chuyenvien")
    page = client.get(reverse("documents:detail", args=[d.pk]))
    actions = [p.action for p in page.context["panels"]]
    assert actions == ["submit", "version", "comment"]
    assert "Phiên bản 1" in page_text(page)
    # a new version, a DOCX
    version = _act(client, d, "version", file=_docx(), note="Sửa theo góp ý")
    assert version.status_code == 302
    assert list(d.versions.values_list("number", flat=True)) == [1, 2]
    # a comment needs a text
    empty = _act(client, d, "comment", text=" ")
    panel = next(p for p in empty.context["panels"] if p.action == "comment")
    assert panel.form.errors["text"] == ["Chưa nhập nội dung góp ý."]
    assert _act(client, d, "comment", text="Bổ sung số liệu quý III").status_code == 302
    assert Comment.objects.get(document=d).text == "Bổ sung số liệu quý III"
    # submitted: the head of department's turn
    submitted = _act(client, d, "submit")
    assert submitted.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_REVIEW
    again = _act(client, d, "submit")
    assert again.status_code == 409
    assert "Dự thảo đã được trình hoặc đã phát hành." in page_text(again)


def test_a_version_is_converted_to_pdf_when_asked(
    eoffice: EofficeWorld, login: Login, settings: Any, tmp_path: Any
) -> None:
    # LibreOffice stands in as a script that writes a PDF (the conversion's own tests run
    # the real one): the page offers the box, the service converts.
    script = tmp_path / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        'out=""; prev=""\n'
        'for a in "$@"; do if [ "$prev" = "--outdir" ]; then out="$a"; fi; prev="$a"; done\n'
        'mkdir -p "$out"; printf "%%PDF-1.4\\n%%%%EOF\\n" > "$out/draft.pdf"\n'
    )
    script.chmod(0o755)
    settings.TINHSO_SOFFICE = str(script)
    d = eoffice.draft()
    client = login("chuyenvien")
    page = client.get(reverse("documents:detail", args=[d.pk]))
    assert "Chuyển sang PDF" in page_text(page)
    response = _act(client, d, "version", file=_docx(), convert="on")
    assert response.status_code == 302, page_text(response)
    v = d.versions.get(number=2)
    assert v.pdf is not None and v.pdf.content_type == "application/pdf"


def test_approve_and_return_from_the_queue(eoffice: EofficeWorld, login: Login) -> None:
    from tinhso.documents import services

    d = eoffice.draft()
    services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    head = login("lanhdao")
    queue = head.get(reverse("documents:approvals"))
    assert [r["d"].pk for r in queue.context["rows"]] == [d.pk]
    # returning needs a comment
    no_comment = _act(head, d, "return", comment="")
    panel = next(p for p in no_comment.context["panels"] if p.action == "return")
    assert panel.form.errors["comment"] == ["Cần ghi ý kiến khi trả lại dự thảo."]
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_REVIEW
    back = reverse("documents:approvals")
    returned = _act(head, d, "return", comment="Sửa số liệu", next=back)
    assert returned.status_code == 302 and returned["Location"] == back
    d.refresh_from_db()
    assert d.status == DocumentStatus.RETURNED
    # resubmitted and approved
    services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    # the specialist may not approve (not their turn): 403 with the reason
    refused = _act(login("chuyenvien"), d, "approve")
    assert refused.status_code == 403
    assert "Chưa đến lượt bạn duyệt văn bản này." in page_text(refused)
    approved = _act(head, d, "approve", comment="Đồng ý")
    assert approved.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.APPROVED
    assert ApprovalStep.objects.filter(document=d, decision="approved").count() == 1


def test_the_clerk_issues_and_the_page_shows_the_number(
    eoffice: EofficeWorld, login: Login
) -> None:
    d = eoffice.approved(external_recipients=())
    client = login("vanthu")
    queue = client.get(reverse("documents:clerk_issue"))
    assert d.subject in page_text(queue)
    response = _act(client, d, "issue", next=reverse("documents:clerk_issue"))
    # after issuing, the document's page (not the queue) with its number
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[d.pk])
    page = client.get(response["Location"])
    text = page_text(page)
    assert "Đã phát hành văn bản số 01/SNV-TCBC" in text
    assert 'data-testid="reference">01/SNV-TCBC<' in page.content.decode()
    assert "Đã đến" in text  # the recipient inside the installation has it


def test_recall_needs_a_reason_and_tells_outside_recipients(
    eoffice: EofficeWorld, login: Login
) -> None:
    from tinhso.documents.services import ExternalRecipient

    d = eoffice.issued(external_recipients=(ExternalRecipient("Bộ Nội vụ", "000.00.00.G12"),))
    # the specialist is offered no recall
    specialist_page = login("chuyenvien").get(reverse("documents:detail", args=[d.pk]))
    assert "recall" not in [p.action for p in specialist_page.context["panels"]]
    director = login("giamdoc.snv")
    assert "recall" in [
        p.action for p in director.get(reverse("documents:detail", args=[d.pk])).context["panels"]
    ]
    no_reason = _act(director, d, "recall", reason="")
    panel = next(p for p in no_reason.context["panels"] if p.action == "recall")
    assert panel.form.errors["reason"] == ["Cần ghi lý do thu hồi văn bản."]
    done = _act(director, d, "recall", reason="Ban hành sai thẩm quyền")
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.RECALLED
    assert ExchangeOutbox.objects.filter(document=d, business_type=1).count() == 1
    assert "Văn bản đã bị thu hồi" in page_text(
        director.get(reverse("documents:detail", args=[d.pk]))
    )


def test_issuing_without_a_pdf_asks_for_one(eoffice: EofficeWorld, login: Login) -> None:
    from tinhso.testing.eoffice import upload

    docx_id = upload(eoffice.specialist, "du-thao.docx", _docx().read())
    d = eoffice.approved(files=(docx_id,))
    client = login("vanthu")
    response = _act(client, d, "issue")
    assert response.status_code == 200
    panel = next(p for p in response.context["panels"] if p.action == "issue")
    assert "chưa có PDF" in panel.form.errors["file"][0]
    d.refresh_from_db()
    assert d.status == DocumentStatus.APPROVED and d.number == ""
    # with the signed PDF uploaded at the counter
    issued = _act(client, d, "issue", file=pdf("ban-ky.pdf"))
    assert issued.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.ISSUED and d.number == "01"
