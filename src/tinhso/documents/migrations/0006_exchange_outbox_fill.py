"""Data: every existing exchange outbox row gets its own send id, its kind and its agency (the
schema step added them empty; the next one makes the send id required and unique); every issued
outgoing document gets its edXML DocumentId, by which the statuses of its recipients name it."""

import uuid
from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    outbox = apps.get_model("documents", "ExchangeOutbox")
    rows = outbox.objects.filter(send_id__isnull=True).select_related("document")
    for row in rows.iterator(chunk_size=500):
        row.send_id = uuid.uuid4()
        row.kind = "status" if row.status_code else "edoc"
        if row.document is not None:
            row.agency_id = row.document.agency_id
            if row.status_code == "13":
                row.description = row.document.recall_reason
        row.save(update_fields=["send_id", "kind", "agency", "description"])


def fill_document_ids(apps: Any, schema_editor: Any) -> None:
    documents = apps.get_model("documents", "Document")
    rows = (
        documents.objects.filter(
            direction="outgoing", edxml_document_id="", issued_on__isnull=False
        )
        .exclude(number="")
        .select_related("agency")
    )
    batch = []
    for d in rows.iterator(chunk_size=1000):
        # QCVN 102:2016: "{OrganId},{yyyy/MM/dd},{Number}/{Notation}".
        d.edxml_document_id = f"{d.agency.code},{d.issued_on:%Y/%m/%d},{d.number}/{d.notation}"
        batch.append(d)
        if len(batch) >= 1000:
            documents.objects.bulk_update(batch, ["edxml_document_id"])
            batch = []
    if batch:
        documents.objects.bulk_update(batch, ["edxml_document_id"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_exchange_node")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(fill_document_ids, migrations.RunPython.noop),
    ]
