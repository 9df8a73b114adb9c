"""The data step of the documents migration that came with the node: issued documents get
their edXML DocumentId (statuses of their recipients name them by it)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tinhso.documents import services
from tinhso.documents.models import Document
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db


def test_issued_documents_get_their_document_id(eoffice: EofficeWorld) -> None:
    # given an issued document from before the field, and a draft
    issued = eoffice.issued(
        external_recipients=(services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12"),)
    )
    draft = eoffice.draft()
    Document.objects.filter(pk=issued.pk).update(edxml_document_id="")
    # when the data step runs
    step = importlib.import_module("tinhso.documents.migrations.0006_exchange_outbox_fill")
    step.fill_document_ids(apps, None)
    # then the issued one has it, the draft not
    issued.refresh_from_db()
    draft.refresh_from_db()
    assert issued.edxml_document_id == (
        f"H57.02,{issued.issued_on:%Y/%m/%d},{issued.number}/{issued.notation}"
    )
    assert draft.edxml_document_id == ""
