"""A document's files are read by those who see the document (`tinhso.files.access.can_read_file`
with the rule `documents.access.reads_document_file`), and not by outsiders."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404

from tinhso.documents import services
from tinhso.documents.access import visible_documents
from tinhso.documents.models import Document, FileRole
from tinhso.files.access import access_file, can_read_file
from tinhso.files.models import StoredFile
from tinhso.testing.eoffice import EofficeWorld, upload

from .test_visibility import MATRIX, PERSONAS, actor

pytestmark = pytest.mark.django_db


def files_of(d: Document) -> list[StoredFile]:
    return [df.file for df in d.files.select_related("file")]


#: Personas with no part in the row's document: neither its agency nor a sender or recipient.
OUTSIDERS_OF_SNV_ALONE = (
    "commune_clerk",
    "commune_specialist",
    "finance_specialist",
    "citizen",
    "anonymous",
)


def outsiders(label: str) -> tuple[str, ...]:
    if label.startswith("outgoing"):
        # sent to Phú Xuân: once issued its officials may hold the same files through their copy
        return ("finance_specialist", "citizen", "anonymous")
    if label in ("incoming received", "incoming refused", "incoming recalled"):
        # sent by Sở Tài chính: its officials hold the files of the original
        return ("commune_clerk", "commune_specialist", "citizen", "anonymous")
    return OUTSIDERS_OF_SNV_ALONE


@pytest.mark.parametrize(
    ("label", "make"), [pytest.param(label, make, id=label) for label, make, _s, _e in MATRIX]
)
def test_files_follow_the_document(
    eoffice: EofficeWorld, label: str, make: Callable[[EofficeWorld], Document]
) -> None:
    # given Sở Nội vụ's document with its files
    d = make(eoffice)
    files = files_of(d)
    assert files, "every document of the matrix holds a file"
    for persona in PERSONAS:
        who = actor(eoffice, persona)
        # then whoever sees the document reads every file of it
        if visible_documents(who).filter(pk=d.pk).exists():
            for f in files:
                assert can_read_file(who, f), f"{persona} sees {label} but not its {f.name}"
                assert access_file(who, f.pk) == f
    # and the outsiders read none (404, as if the file did not exist)
    for persona in outsiders(label):
        who = actor(eoffice, persona)
        for f in files:
            assert not can_read_file(who, f), f"{persona} reads {f.name} of {label}"
            with pytest.raises(Http404):
                access_file(who, f.pk)


def test_the_recipient_reads_the_issued_files_through_its_copy(eoffice: EofficeWorld) -> None:
    # given a document issued with its signed PDF (not the draft's) and an attachment
    attachment = upload(eoffice.specialist, "phu-luc.pdf")
    approved = eoffice.approved(recipients=(eoffice.phu_xuan.pk,), attachments=(attachment,))
    d = services.outgoing_issue(
        actor=eoffice.clerk, document_id=approved.pk, file_id=upload(eoffice.clerk, "ban-ky.pdf")
    )
    issued = d.files.get(role=FileRole.ISSUED).file
    draft = d.files.get(role=FileRole.DRAFT).file
    assert issued.pk != draft.pk
    commune = actor(eoffice, "commune_clerk")
    assert can_read_file(commune, issued)
    assert can_read_file(commune, StoredFile.objects.get(pk=attachment))
    # but not the drafts, which never left Sở Nội vụ
    assert not can_read_file(commune, draft)
    # nor does Phú Xuân's specialist, who has not been given the copy
    assert not can_read_file(actor(eoffice, "commune_specialist"), issued)


@pytest.mark.parametrize("persona", ["other_department", "clerk"])
def test_an_official_who_does_not_see_the_draft_does_not_read_its_file(
    eoffice: EofficeWorld, persona: str
) -> None:
    d = eoffice.submitted(signer=eoffice.deputy.pk)
    who = actor(eoffice, persona)
    assert not visible_documents(who).filter(pk=d.pk).exists()
    draft = d.files.get(role=FileRole.DRAFT).file
    assert not can_read_file(who, draft)
