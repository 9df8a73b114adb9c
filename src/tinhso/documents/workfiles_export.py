"""A closed work file as a ZIP package for the agency archive (Nghị định 30/2020, Điều 31).

Layout::

    metadata.json            the file's fields and, per document, the Phụ lục VI fields and
                             every packed file (path, name, sha256, size, content type)
    muc_luc.csv              the list of documents (mục lục văn bản), UTF-8 with BOM
    van_ban/001_15-QĐ-UBND/  one folder per document, in the order they were filed
        Quyết định 15.pdf    the stored originals (main text, attachments, issued copy)

The package is written to a temporary file, each original copied from storage in chunks, so a
file of large scans never sits in memory; the caller streams it and closing it deletes it.
Every original is hashed while it is copied and checked against the sha256 recorded when it
was uploaded: a package never carries a silently damaged file. Names inside the archive are
made safe (no directories, no "..", no control characters) and unique per folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, Any, Final

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tinhso.documents.errors import DocumentConflict
from tinhso.documents.kinds import TYPES_BY_CODE, Urgency
from tinhso.documents.models import (
    Document,
    DocumentFile,
    WorkFile,
    WorkFileItem,
    WorkFileStatus,
)
from tinhso.documents.selectors_workfiles import PACKAGE_ROLES
from tinhso.documents.services.workfiles import retention_label
from tinhso.files.names import sanitize_name, split_extension
from tinhso.workcalendar.arithmetic import TIMEZONE

_CHUNK: Final = 1024 * 1024
FORMAT_VERSION: Final = 1
EXPORTABLE: Final = (WorkFileStatus.CLOSED, WorkFileStatus.SUBMITTED)
#: Folder names stay short: Windows paths beyond 260 characters are trouble.
_FOLDER_MAX: Final = 60


class PackageIntegrityError(Exception):
    """A stored original no longer matches the sha256 recorded at upload."""


@dataclass(frozen=True, slots=True)
class PackedFile:
    path: str
    name: str
    sha256: str
    size: int
    content_type: str
    role: str


def safe_component(raw: str, *, fallback: str) -> str:
    """One path component safe inside a ZIP: no separators, no "." or "..", no leading dot,
    no control characters, at most 255 characters (`files.names.sanitize_name`)."""
    name = sanitize_name(raw.replace("/", "-").replace("\\", "-"))
    name = name.lstrip(".").strip()
    if not name or set(name) <= {"."}:
        return fallback
    return name


def _unique(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        taken.add(name.lower())
        return name
    stem, extension = split_extension(name)
    n = 2
    while True:
        candidate = f"{stem} ({n}).{extension}" if extension else f"{stem} ({n})"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        n += 1


def _folder(index: int, d: Document) -> str:
    label = d.reference or f"van-ban-{d.pk}"
    return f"{index:03d}_{safe_component(label, fallback=f'van-ban-{d.pk}')[:_FOLDER_MAX]}"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(TIMEZONE).isoformat()
    return value.isoformat()


def _type_name(code: str) -> str:
    kind = TYPES_BY_CODE.get(code)
    return kind.name if kind is not None else code


def _document_metadata(index: int, d: Document, files: list[PackedFile]) -> dict[str, Any]:
    """Phụ lục VI fields of a document (with the edXML names of vn-eoffice.md §3.4)."""
    return {
        "index": index,
        "id": d.pk,
        "direction": d.direction,
        "organ_name": d.issuer_name,
        "organ_code": d.issuer_code,
        "code_number": d.number,
        "code_notation": d.notation,
        "reference": d.reference,
        "issued_date": _iso(d.issued_on),
        "type_code": d.doc_type,
        "type_name": _type_name(d.doc_type),
        "subject": d.subject,
        "urgency": d.urgency,
        "urgency_name": str(Urgency(d.urgency).label) if d.urgency in Urgency.values else "",
        "page_amount": d.page_count,
        "signer_name": d.signer_name,
        "signer_position": d.signer_position,
        "register_number": d.register_number,
        "registered_at": _iso(d.registered_at),
        "status": d.status,
        "files": [
            {
                "path": f.path,
                "name": f.name,
                "sha256": f.sha256,
                "size": f.size,
                "content_type": f.content_type,
                "role": f.role,
            }
            for f in files
        ],
    }


def _file_metadata(wf: WorkFile, count: int, exported_at: dt.datetime) -> dict[str, Any]:
    return {
        "format": "tinhso.workfile",
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(exported_at),
        "agency": {"code": wf.agency.code, "name": wf.agency.name},
        "department": wf.department.name if wf.department else None,
        "year": wf.year,
        "code": wf.code,
        "title": wf.title,
        "retention_years": wf.retention_years,
        "retention_permanent": wf.retention_years is None,
        "retention": retention_label(wf.retention_years),
        "owner": (wf.owner.full_name or wf.owner.username) if wf.owner else None,
        "status": wf.status,
        "opened_on": _iso(wf.opened_on),
        "closed_on": _iso(wf.closed_on),
        "archive_due_on": _iso(wf.archive_due_on),
        "submitted_at": _iso(wf.submitted_at),
        "document_count": count,
        "note": wf.note,
    }


def _copy(zf: zipfile.ZipFile, arcname: str, stored: Any) -> tuple[str, int]:
    """Copy a stored original into the archive in chunks; (sha256, size) of what was copied."""
    digest, size = hashlib.sha256(), 0
    info = zipfile.ZipInfo(arcname, date_time=_zip_time(stored.created_at))
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        default_storage.open(stored.storage_name, "rb") as source,
        zf.open(info, "w", force_zip64=True) as target,
    ):
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    at = moment.astimezone(TIMEZONE)
    at = max(at, dt.datetime(1980, 1, 1, tzinfo=TIMEZONE))
    return (at.year, at.month, at.day, at.hour, at.minute, at.second)


def _write_text(zf: zipfile.ZipFile, arcname: str, text: str, moment: dt.datetime) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_zip_time(moment))
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text.encode("utf-8"))


_CSV_HEADER: Final = (
    "STT",
    "Số, ký hiệu văn bản",
    "Ngày tháng năm văn bản",
    "Tác giả văn bản",
    "Trích yếu nội dung văn bản",
    "Số trang",
    "Tệp trong gói",
    "Ghi chú",
)


def _muc_luc(rows: list[dict[str, Any]]) -> str:
    """Mục lục văn bản of the file: UTF-8 with a BOM, so that Excel reads the diacritics."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_CSV_HEADER)
    for r in rows:
        issued = dt.date.fromisoformat(r["issued_date"]) if r["issued_date"] else None
        writer.writerow(
            [
                r["index"],
                r["reference"],
                f"{issued:%d/%m/%Y}" if issued else "",
                r["organ_name"],
                f"{r['type_name']} – {r['subject']}",
                r["page_amount"] if r["page_amount"] is not None else "",
                "; ".join(f["path"] for f in r["files"]),
                _("Đã thu hồi") if r["status"] == "recalled" else "",
            ]
        )
    return "\ufeff" + out.getvalue()


def write_package(wf: WorkFile, out: IO[bytes], *, now: dt.datetime | None = None) -> int:
    """Write the package of a closed (or submitted) file to `out`; the number of originals.

    Raises `DocumentConflict` for a file not closed yet and `PackageIntegrityError` when a
    stored original does not match its recorded sha256.
    """
    if wf.status not in EXPORTABLE:
        raise DocumentConflict(
            _("Chỉ xuất gói hồ sơ đã đóng; hồ sơ này đang ở trạng thái “%(status)s”.")
            % {"status": WorkFileStatus(wf.status).label},
            code="workfile_not_closed",
        )
    exported_at = now or timezone.now()
    files_qs = DocumentFile.objects.filter(role__in=PACKAGE_ROLES).select_related("file")
    items = list(
        WorkFileItem.objects.filter(work_file=wf)
        .select_related("document")
        .prefetch_related(
            Prefetch("document__files", queryset=files_qs.order_by("role", "id"), to_attr="packed")
        )
        .order_by("added_at", "id")
    )
    documents: list[dict[str, Any]] = []
    packed = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for index, item in enumerate(items, start=1):
            d = item.document
            folder = _folder(index, d)
            taken: set[str] = set()
            seen_files: set[int] = set()
            entries: list[PackedFile] = []
            for link in d.packed:  # type: ignore[attr-defined]
                stored = link.file
                if stored.pk in seen_files:
                    continue  # the same upload under two roles: packed once
                seen_files.add(stored.pk)
                name = _unique(safe_component(stored.name, fallback=f"tep-{stored.pk}"), taken)
                path = f"van_ban/{folder}/{name}"
                sha256, size = _copy(zf, path, stored)
                if sha256 != stored.sha256 or size != stored.size:
                    raise PackageIntegrityError(
                        f"stored file {stored.pk} ({stored.storage_name}) does not match its "
                        f"recorded sha256/size"
                    )
                entries.append(
                    PackedFile(path, stored.name, sha256, size, stored.content_type, link.role)
                )
                packed += 1
            documents.append(_document_metadata(index, d, entries))
        metadata = {**_file_metadata(wf, len(items), exported_at), "documents": documents}
        _write_text(
            zf, "metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2), exported_at
        )
        with override("vi"):
            _write_text(zf, "muc_luc.csv", _muc_luc(documents), exported_at)
    return packed


def package_tempfile(wf: WorkFile, *, now: dt.datetime | None = None) -> IO[bytes]:
    """The package in an anonymous temporary file, rewound; closing it deletes it."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — handed to the response, which closes it
    try:
        write_package(wf, spool, now=now)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def package_filename(wf: WorkFile) -> str:
    """ASCII: `ho-so-<agency code>-<year>-<code>.zip`."""
    code = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in wf.code)
    return f"ho-so-{wf.agency.code}-{wf.year}-{code.strip('-') or wf.pk}.zip"
