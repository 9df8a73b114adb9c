"""Signed PDFs for validation tests and benchmarks: one page, then N incremental signatures.

`pdf_with_signatures(10)` gives the 10-signature PDF of the issue's target (validated in
≤ 2 s); the benchmark imports it. Signatures are PAdES (ETSI.CAdES.detached) made with
pyHanko's SimpleSigner and software keys of a `LocalCA`, at the level asked:
B-B, B-T (a timestamp of the local TSA), B-LT (CRLs in the DSS), B-LTA (and a document
timestamp).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from typing import Literal

import pypdf
from asn1crypto import crl as asn1_crl
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from tinhso.signatures.tests.local_ca import Issued, LocalCA

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]

AGENCY_CODE = "H57.01"


def blank_pdf(text: str = "Van ban thu nghiem") -> bytes:
    """A one-page A4 PDF with a line of text (Helvetica; ASCII only), written out by hand."""
    line = text.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    content = b"BT /F1 14 Tf 72 770 Td (" + line + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def sign(
    data: bytes,
    *,
    ca: LocalCA,
    person: Issued,
    field_name: str,
    level: Level = "B-T",
    timestamp_at: dt.datetime | None = None,
) -> bytes:
    """Sign `data` once more, as an incremental update, at the given PAdES level."""
    long_term = level in ("B-LT", "B-LTA")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=long_term,
        use_pades_lta=level == "B-LTA",
        validation_context=(
            ValidationContext(
                trust_roots=[ca.root.asn1],
                crls=ca.crls(this_update=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)),
                allow_fetching=False,
            )
            if long_term
            else None
        ),
    )
    timestamper = ca.timestamper(at=timestamp_at) if level != "B-B" else None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        meta,
        signer=ca.signer(person),
        timestamper=timestamper,
    )
    return bytes(out.getvalue())


@dataclass(frozen=True)
class SignedSample:
    data: bytes
    ca: LocalCA
    signers: tuple[Issued, ...]

    @property
    def trust_roots(self) -> list[bytes]:
        return [self.ca.root.pem]


@functools.cache
def default_ca() -> LocalCA:
    """One CA per process (RSA key generation is the slow part), valid from yesterday."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    return LocalCA.build(start=start)


@functools.cache
def default_signers(count: int = 10) -> tuple[Issued, ...]:
    ca = default_ca()
    return tuple(
        ca.issue(f"Người ký {index + 1}", agency_code=AGENCY_CODE) for index in range(count)
    )


def pdf_with_signatures(count: int = 10, *, level: Level = "B-T") -> SignedSample:
    """A one-page PDF signed `count` times by different officials of agency H57.01."""
    ca = default_ca()
    people = default_signers(max(count, 1))[:count]
    data = blank_pdf()
    for index, person in enumerate(people):
        data = sign(data, ca=ca, person=person, field_name=f"Signature{index + 1}", level=level)
    return SignedSample(data=data, ca=ca, signers=people)


def encrypted_pdf() -> bytes:
    """`blank_pdf()` encrypted (AES-128, empty user password) by pypdf."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(blank_pdf()))
    writer.encrypt(user_password="", owner_password="chủ", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_crls(data: bytes, crls: list[asn1_crl.CertificateList]) -> bytes:
    """Put CRLs into the document security store in a new revision (as a B-LT update does)."""
    buffer = io.BytesIO(data)
    DocumentSecurityStore.add_dss(buffer, None, crls=crls, force_write=True)
    return buffer.getvalue()


def append_update(
    data: bytes, objects: dict[int, bytes], *, catalog_extra: bytes | None = None
) -> bytes:
    """Append a hand-written incremental update (classic cross-reference section).

    `objects` maps object numbers to their bodies (new numbers, or existing ones to replace);
    with `catalog_extra` the catalog is rewritten with its /Type, /Pages and /AcroForm plus
    these entries. For PDFs no library would write: the hostile ones.
    """
    reader = PdfFileReader(io.BytesIO(data))
    root_ref = reader.trailer.raw_get("/Root").reference
    bodies = dict(objects)
    if catalog_extra is not None:
        catalog = reader.root
        pages = catalog.raw_get("/Pages").reference.idnum
        form = catalog.raw_get("/AcroForm")
        form_entry = (
            b"/AcroForm %d 0 R" % form.reference.idnum
            if isinstance(form, generic.IndirectObject)
            else b""
        )
        bodies[root_ref.idnum] = b"<< /Type /Catalog /Pages %d 0 R %s %s >>" % (
            pages,
            form_entry,
            catalog_extra,
        )
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(bodies.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    size = max(int(reader.trailer["/Size"]), max(bodies) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        root_ref.idnum,
        reader.last_startxref or 0,
        start,
    )
    return bytes(out)


def next_object_number(data: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(data)).trailer["/Size"])
