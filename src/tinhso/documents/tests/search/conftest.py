"""Fixtures of the search tests: two agencies with their officials, documents built with the
ORM (not through the documents' services), files put in storage as they arrived."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Role, User
from tinhso.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    FileRole,
    Source,
)
from tinhso.documents.search import index_document
from tinhso.files.models import StoredFile, storage_name_for
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_agency, make_department, official

DATA = Path(__file__).parent / "data"
PDF = "application/pdf"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    dept_a1: Department
    dept_a2: Department
    clerk_a: User
    leader_a: User
    specialist_a1: User
    specialist_a2: User
    clerk_b: User

    def actor(self, user: User) -> Actor:
        return actor_for(user)


@pytest.fixture
def world(db: None) -> World:
    agency_a = make_agency(name="Sở Nội vụ thử nghiệm")
    agency_b = make_agency(name="Sở Tài chính thử nghiệm")
    dept_a1 = make_department(agency=agency_a, name="Phòng Tổ chức, biên chế")
    dept_a2 = make_department(agency=agency_a, name="Phòng Công chức, viên chức")
    return World(
        agency_a=agency_a,
        agency_b=agency_b,
        dept_a1=dept_a1,
        dept_a2=dept_a2,
        clerk_a=official(Role.VAN_THU, agency=agency_a),
        leader_a=official(Role.LANH_DAO, agency=agency_a),
        specialist_a1=official(Role.CHUYEN_VIEN, department=dept_a1),
        specialist_a2=official(Role.CHUYEN_VIEN, department=dept_a2),
        clerk_b=official(Role.VAN_THU, agency=agency_b),
    )


def make_document(
    *,
    agency: Agency,
    created_by: User,
    subject: str,
    direction: str = Direction.INCOMING,
    status: str = DocumentStatus.REGISTERED,
    doc_type: str = "CV",
    number: str = "",
    notation: str = "",
    issuer_name: str = "Ủy ban nhân dân tỉnh",
    issued_on: dt.date | None = None,
    department: Department | None = None,
    index: bool = True,
    **fields: Any,
) -> Document:
    document = Document.objects.create(
        agency=agency,
        direction=direction,
        status=status,
        source=Source.ELECTRONIC,
        doc_type=doc_type,
        number=number,
        notation=notation,
        subject=subject,
        issuer_name=issuer_name,
        issued_on=issued_on,
        department=department,
        created_by=created_by,
        **fields,
    )
    if index:
        index_document(document.pk)
    return document


def store_bytes(
    data: bytes, *, name: str, content_type: str, uploaded_by: User, agency: Agency | None = None
) -> StoredFile:
    """A stored file as it would stand in storage, written without the upload checks (a file
    received before them, or through another channel): the indexer must cope anyway."""
    sha256 = hashlib.sha256(data).hexdigest()
    storage_name = storage_name_for(sha256)
    if not default_storage.exists(storage_name):
        default_storage.save(storage_name, ContentFile(data))
    return StoredFile.objects.create(
        sha256=sha256,
        size=len(data),
        content_type=content_type,
        name=name,
        storage_name=storage_name,
        uploaded_by=uploaded_by,
        agency=agency,
    )


def attach(
    document: Document,
    data: bytes,
    *,
    name: str,
    content_type: str,
    role: str = FileRole.MAIN,
    index: bool = True,
) -> StoredFile:
    stored = store_bytes(
        data,
        name=name,
        content_type=content_type,
        uploaded_by=document.created_by,
        agency=document.agency,
    )
    DocumentFile.objects.create(
        document=document, file=stored, role=role, added_by=document.created_by
    )
    if index:
        index_document(document.pk)
    return stored


def stored_bytes(stored: StoredFile) -> bytes:
    with default_storage.open(stored.storage_name, "rb") as handle:
        data: bytes = handle.read()
    return data


# --- Files built in code ------------------------------------------------------------------


def text_pdf(*paragraphs: str) -> bytes:
    """A PDF with a text layer (WeasyPrint, the DejaVu font), one paragraph each."""
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = f'<html lang="vi"><body style="font-family: \'DejaVu Sans\'">{body}</body></html>'
    data: bytes = HTML(string=html).write_pdf()
    return data


def scan_image(lines: list[str], *, image_format: str = "PNG") -> bytes:
    """Vietnamese text drawn on a white page at 300 dpi, as a scanner would give it."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 56)
    image = Image.new("L", (2480, 300 + 140 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((160, 150 + 140 * i), line, font=font, fill=0)
    out = io.BytesIO()
    if image_format == "PDF":
        image.save(out, format="PDF", resolution=300)
    else:
        image.save(out, format=image_format, dpi=(300, 300))
    return out.getvalue()


def encrypted_pdf(data: bytes) -> bytes:
    """`data` encrypted with a user password: it opens only with the password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def on_commit(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> Callable[[], Any]:
    """Run the after-commit callbacks (the index task) of the block, as a commit would."""

    def capture() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return capture


@pytest.fixture
def legal_texts() -> Iterator[dict[str, str]]:
    yield {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(DATA.glob("*.md"))
        if path.name != "README.md"
    }
