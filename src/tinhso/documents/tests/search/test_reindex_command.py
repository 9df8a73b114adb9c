"""`manage.py documents_reindex`: a full rebuild with progress."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection
from django.utils import translation

from tinhso.documents.models.search import FileText, SearchEntry, TextStatus
from tinhso.documents.search import search_documents
from tinhso.documents.search.indexing import FTS_TABLE
from tinhso.documents.tests.search.conftest import PDF, World, attach, make_document


def test_reindex_rebuilds_every_row_and_reads_failed_files_again_on_request(
    world: World,
) -> None:
    # given documents never indexed, and a row of the index left by a deleted document
    documents = [
        make_document(
            agency=world.agency_a,
            created_by=world.clerk_a,
            subject=f"Báo cáo tổng kết công tác năm {2020 + n}",
            index=False,
        )
        for n in range(5)
    ]
    gone = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Đã xóa")
    SearchEntry.objects.filter(pk=gone.pk).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, subject) VALUES (%s, 'da xoa')",  # noqa: S608
                [gone.pk],
            )
    gone.delete()
    broken = attach(documents[0], b"%PDF-1.4\n%%EOF\n", name="hong.pdf", content_type=PDF)
    assert FileText.objects.get(sha256=broken.sha256).status == TextStatus.FAILED
    out = io.StringIO()

    # when
    with translation.override("vi"):
        call_command("documents_reindex", "--batch-size", "2", "--retry", stdout=out)

    # then every document is found, the progress was told, the orphan row is gone
    page = search_documents(world.actor(world.clerk_a), "bao cao tong ket")
    assert {hit.id for hit in page.hits} == {d.pk for d in documents}
    output = out.getvalue()
    assert "Đọc lại 1 tệp." in output
    assert "2/5 văn bản (40,0%)" in output and "5/5 văn bản (100,0%)" in output
    assert "Xong: 5 văn bản" in output
    assert SearchEntry.objects.count() == 5
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE}")  # noqa: S608
            assert cursor.fetchone()[0] == 5
    # and the failed file was read again (still failing, with its reason)
    again = FileText.objects.get(sha256=broken.sha256)
    assert again.status == TextStatus.FAILED and again.reason == "malformed"
