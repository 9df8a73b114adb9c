"""Replacement and correction of an issued document (Nghị định 30, Điều 18.3)."""

from __future__ import annotations

import pytest

from tinhso.documents.models import Activity, Document, ExchangeOutbox
from tinhso.documents.services import ExternalRecipient
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

OUTSIDE = (ExternalRecipient(name="Bộ Nội vụ", code="000.00.11.G13"),)


@pytest.mark.parametrize(
    ("amendment", "action", "business"), [("replace", "replaced", 3), ("correct", "corrected", 2)]
)
def test_an_issued_replacement_tells_every_recipient(
    eoffice: EofficeWorld, amendment: str, action: str, business: int
) -> None:
    # given an issued document with one recipient inside and one outside the installation
    old = eoffice.issued(external_recipients=OUTSIDE)
    copy = Document.objects.get(origin=old)
    # when its replacement (or correction) is issued to the same recipients
    new = eoffice.issued(external_recipients=OUTSIDE, replaces=old.pk, amendment=amendment)
    # then the old document and the recipient's copy record it, the new copy points at the old
    assert Activity.objects.filter(document=old, action=action).exists()
    assert Activity.objects.filter(document=copy, action=action).exists()
    assert Document.objects.get(origin=new).replaces_id == copy.pk
    # and the outside recipient gets one package of the right edXML business type, not two
    packages = ExchangeOutbox.objects.filter(document=new).values_list("business_type", flat=True)
    assert list(packages) == [business]


def test_only_an_issued_document_can_be_replaced(eoffice: EofficeWorld) -> None:
    from django.core.exceptions import ValidationError

    draft = eoffice.draft()
    with pytest.raises(ValidationError) as caught:
        eoffice.draft(replaces=draft.pk)
    assert "replaces" in caught.value.message_dict
