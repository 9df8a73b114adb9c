from __future__ import annotations

import pytest

from tinhso.documents.demo import load_demo_documents
from tinhso.documents.models import Document, DocumentStatus
from tinhso.testing.fixtures import DemoProvince

pytestmark = pytest.mark.django_db


def test_demo_documents_cover_every_screen(demo_province: DemoProvince) -> None:
    assert load_demo_documents() == 11
    statuses = set(
        Document.objects.filter(agency=demo_province.snv).values_list("status", flat=True)
    )
    assert {
        DocumentStatus.REGISTERED,
        DocumentStatus.PRESENTED,
        DocumentStatus.IN_PROGRESS,
        DocumentStatus.COMPLETED,
        DocumentStatus.DRAFT,
        DocumentStatus.IN_REVIEW,
        DocumentStatus.APPROVED,
        DocumentStatus.ISSUED,
    } <= statuses
    # the issued documents reached the People's Committee's clerk
    assert (
        Document.objects.filter(agency=demo_province.ubnd, status=DocumentStatus.RECEIVED).count()
        == 2
    )
    # a second run adds nothing
    assert load_demo_documents() == 0
