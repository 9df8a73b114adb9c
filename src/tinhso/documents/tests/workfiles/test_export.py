"""The package of a closed file: the originals with their sha256, metadata.json, muc_luc.csv,
safe names inside the archive, and a damaged original refused."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import FileRole, WorkFile
from tinhso.documents.services.workfiles import (
    workfile_add_document,
    workfile_close,
    workfile_open,
    workfile_plan,
)
from tinhso.documents.tests.registers.world import World, local
from tinhso.documents.workfiles_export import (
    PackageIntegrityError,
    package_filename,
    package_tempfile,
    safe_component,
    write_package,
)
from tinhso.files.models import StoredFile
from tinhso.files.tests import samples

pytestmark = pytest.mark.django_db

NOW = local(2026, 5, 15, 10)


def closed_file(w: World) -> tuple[WorkFile, dict[str, StoredFile]]:
    wf = workfile_plan(
        actor=w.clerk,
        agency_id=w.agency.pk,
        year=2026,
        code="05/VT",
        title="Hồ sơ hội nghị cán bộ, công chức",
        retention_years=None,
        now=NOW,
    )
    wf = workfile_open(actor=w.clerk, work_file=wf, opened_on=dt.date(2026, 5, 1), now=NOW)
    incoming = w.incoming_doc(
        at=local(2026, 5, 4), subject="Về việc tổ chức hội nghị", page_count=3, number="12"
    )
    outgoing = w.outgoing_doc(at=local(2026, 5, 8), subject="Kế hoạch tổ chức hội nghị")
    files = {
        "main": w.store(w.clerk, samples.pdf("Công văn"), "Công văn 12.pdf"),
        "attachment": w.store(w.clerk, samples.png(), "Phụ lục.png"),
        "same_name": w.store(w.clerk, samples.pdf("Bản khác"), "Công văn 12.pdf"),
        "draft": w.store(w.clerk, samples.pdf("Dự thảo"), "Dự thảo.pdf"),
        "issued": w.store(w.specialist, samples.pdf("Quyết định"), "Quyết định.pdf"),
    }
    w.attach(incoming, files["main"])
    w.attach(incoming, files["attachment"], FileRole.ATTACHMENT)
    w.attach(incoming, files["same_name"], FileRole.ATTACHMENT)
    w.attach(outgoing, files["draft"], FileRole.DRAFT)
    w.attach(outgoing, files["issued"], FileRole.ISSUED)
    for d in (incoming, outgoing):
        workfile_add_document(actor=w.clerk, work_file=wf, document_id=d.pk, now=NOW)
    wf = workfile_close(actor=w.clerk, work_file=wf, now=NOW)
    return wf, files


def read_zip(wf: WorkFile) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_package(wf, out, now=NOW)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_package_holds_the_originals_and_their_metadata(w: World) -> None:
    wf, files = closed_file(w)
    archive = read_zip(wf)
    names = archive.namelist()

    # the originals, not the draft
    assert sorted(names) == sorted(
        [
            "van_ban/001_12-UBND-VX/Công văn 12.pdf",
            "van_ban/001_12-UBND-VX/Phụ lục.png",
            "van_ban/001_12-UBND-VX/Công văn 12 (2).pdf",
            "van_ban/002_01-QĐ-SNV/Quyết định.pdf",
            "metadata.json",
            "muc_luc.csv",
        ]
    )
    assert archive.testzip() is None

    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["code"] == "05/VT" and metadata["retention_permanent"] is True
    assert metadata["retention"] == "Vĩnh viễn"
    assert metadata["agency"] == {"code": w.agency.code, "name": "Sở Nội vụ Thử Nghiệm"}
    assert metadata["closed_on"] == "2026-05-15" and metadata["archive_due_on"] == "2027-05-15"
    assert metadata["document_count"] == 2
    first, second = metadata["documents"]
    assert first["organ_name"] == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert first["type_name"] == "Công văn" and first["subject"] == "Về việc tổ chức hội nghị"
    assert first["page_amount"] == 3 and first["urgency"] == "thuong"
    assert second["signer_name"] == "Trần Thị Ký" and second["type_code"] == "QĐ"
    assert second["code_notation"] == "QĐ-SNV"
    packed = {f["sha256"]: f for doc in metadata["documents"] for f in doc["files"]}
    assert len(packed) == 4
    for key in ("main", "attachment", "same_name", "issued"):
        stored = files[key]
        entry = packed[stored.sha256]
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == stored.sha256
        assert entry["size"] == len(data) == stored.size
        assert entry["content_type"] == stored.content_type
        assert entry["path"] in names
    assert {f["role"] for f in second["files"]} == {"issued"}
    # two files named alike in one folder are both kept
    paths = [f["path"] for f in first["files"]]
    assert len(set(paths)) == 3 and any(p.endswith("Công văn 12 (2).pdf") for p in paths)


def test_muc_luc_is_utf8_with_bom(w: World) -> None:
    wf, _files = closed_file(w)
    raw = read_zip(wf).read("muc_luc.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "STT",
        "Số, ký hiệu văn bản",
        "Ngày tháng năm văn bản",
        "Tác giả văn bản",
        "Trích yếu nội dung văn bản",
    ]
    assert len(rows) == 3
    assert rows[1][0] == "1" and rows[1][2] == "02/05/2026"
    assert rows[1][4] == "Công văn – Về việc tổ chức hội nghị"
    assert rows[2][4] == "Quyết định – Kế hoạch tổ chức hội nghị"


def test_names_inside_the_archive_are_safe(w: World) -> None:
    wf, files = closed_file(w)
    StoredFile.objects.filter(pk=files["main"].pk).update(name="../../etc/passwd.pdf")
    StoredFile.objects.filter(pk=files["attachment"].pk).update(name="..\\..\\win.ini")
    StoredFile.objects.filter(pk=files["issued"].pk).update(name="..")
    names = read_zip(wf).namelist()
    for name in names:
        assert not name.startswith("/") and "\\" not in name
        assert ".." not in name.split("/"), name
        assert name in ("metadata.json", "muc_luc.csv") or name.startswith("van_ban/")
        assert name.count("/") in (0, 2), name
    assert safe_component("../../etc/passwd", fallback="x") == "-..-etc-passwd"
    assert safe_component("..", fallback="x") == "x"
    assert safe_component("\u202egpj.exe", fallback="x") == "gpj.exe"


def test_only_a_closed_file_is_packed(w: World) -> None:
    wf = workfile_plan(
        actor=w.clerk,
        agency_id=w.agency.pk,
        year=2026,
        code="9",
        title="T",
        retention_years=5,
        now=NOW,
    )
    with pytest.raises(DocumentConflict) as exc:
        write_package(wf, io.BytesIO())
    assert exc.value.message == (
        "Chỉ xuất gói hồ sơ đã đóng; hồ sơ này đang ở trạng thái “Trong danh mục, chưa mở”."
    )


def test_a_damaged_original_is_refused(w: World, media_root: Path) -> None:
    wf, files = closed_file(w)
    path = Path(default_storage.path(files["attachment"].storage_name))
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(PackageIntegrityError):
        write_package(wf, io.BytesIO())


def test_package_is_written_to_a_temporary_file(w: World) -> None:
    wf, _files = closed_file(w)
    spool = package_tempfile(wf, now=NOW)
    try:
        assert not isinstance(spool, io.BytesIO)
        assert zipfile.ZipFile(spool).read("metadata.json")
    finally:
        spool.close()
    assert package_filename(wf) == f"ho-so-{w.agency.code}-2026-05-VT.zip"
