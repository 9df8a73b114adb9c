"""Small PDFs for the signing tests, made in code: an official document with its signature
block (WeasyPrint), a plain page without text (pypdf), an encrypted and a broken one; and a
software test PKI (keys in memory) for tests that need no token."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfWriter

LEADER_NAME = "Nguyễn Văn An"
LEADER_TITLE = "PHÓ CHỦ TỊCH"
AGENCY_NAME = "Ủy ban nhân dân tỉnh Thử Nghiệm"

_STYLE = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: 'Liberation Serif', 'Times New Roman', 'DejaVu Serif', serif; font-size: 14pt; }
table { width: 100%; border-collapse: collapse; }
td { vertical-align: top; }
.c { text-align: center; }
.block p { margin: 0; }
"""


@functools.cache
def official_document(*, pages: int = 1, gap_mm: int = 30, name: str = LEADER_NAME) -> bytes:
    """A decision of a provincial People's Committee (Nghị định 30/2020, Phụ lục I layout):
    the signature block at the bottom right, "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", a gap, the name."""
    from weasyprint import HTML

    filler = "".join(
        f"<p>Điều {i}. Nội dung quy định thứ {i} của quyết định.</p>"
        + '<div style="page-break-after: always"></div>'
        for i in range(1, pages)
    )
    html = f"""<html lang="vi"><head><meta charset="utf-8"><style>{_STYLE}</style></head><body>
<table><tr>
<td class="c" style="width:40%"><b>ỦY BAN NHÂN DÂN<br>TỈNH THỬ NGHIỆM</b><br>Số: 15/QĐ-UBND</td>
<td class="c"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><br>
<i>Thử Nghiệm, ngày 26 tháng 11 năm 2026</i></td></tr></table>
<p class="c"><b>QUYẾT ĐỊNH</b><br><b>Về việc phê duyệt kế hoạch chuyển đổi số năm 2026</b></p>
{filler}
<p>Điều {pages}. Phê duyệt kế hoạch chuyển đổi số năm 2026 của tỉnh.</p>
<table class="block"><tr>
<td style="width:50%; font-size:12pt"><b><i>Nơi nhận:</i></b><br>- Như Điều 3;<br>- Lưu: VT.</td>
<td class="c"><p><b>KT. CHỦ TỊCH</b></p><p><b>{LEADER_TITLE}</b></p>
<div style="height:{gap_mm}mm"></div><p><b>{name}</b></p></td></tr></table>
</body></html>"""
    return bytes(HTML(string=html).write_pdf())


@functools.cache
def blank_pages(count: int = 1) -> bytes:
    """A4 pages without any text (a scan without OCR, for instance)."""
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=595.28, height=841.89)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted() -> bytes:
    """A PDF protected with a user password."""
    writer = PdfWriter()
    writer.add_blank_page(width=595.28, height=841.89)
    writer.encrypt(user_password="matkhau", owner_password="chu", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def broken_xref() -> bytes:
    """A PDF header and trailer pointing at a cross-reference table that is not there."""
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"xref\n0 2\n0000000000 65535 f \n00000000zz 00000 n \n"
        b"trailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n999999\n%%EOF\n"
    )


def word_by_word() -> bytes:
    """A signature block written word by word, each word placed on its own (as some word
    processors do), in Helvetica (a standard font: widths from its metrics, not the file):
    "Noi nhan:" and the title on one baseline at both ends, the name in two pieces."""
    content = (
        b"BT /F1 12 Tf 1 0 0 1 60 620 Tm (Noi nhan:) Tj ET\n"
        b"BT /F1 14 Tf 1 0 0 1 380 620 Tm (PHO CHU TICH) Tj ET\n"
        b"BT /F1 14 Tf 1 0 0 1 370 520 Tm (Nguyen) Tj ET\n"
        b"BT /F1 14 Tf 1 0 0 1 422.13 520 Tm (Van An) Tj ET\n"
    )
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]
    )


def cyclic_page_tree() -> bytes:
    """A page tree whose /Kids point back at itself."""
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]
    )


def _raw_pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# --- Software keys (until the SoftHSM fixtures are used) --------------------------------------


@dataclass(frozen=True)
class SoftwarePki:
    """A throw-away CA with a person, an agency and a timestamp authority, keys in memory."""

    root: Any  # asn1crypto x509.Certificate
    root_pem: bytes
    crl: bytes  # DER, empty, from the root
    person: Any  # pyhanko SimpleSigner
    agency: Any
    tsa_cert: Any
    tsa_key: Any

    def timestamper(self, at: datetime) -> Any:
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        return DummyTimeStamper(tsa_cert=self.tsa_cert, tsa_key=self.tsa_key, fixed_dt=at)

    def validation_context(self, at: datetime | None = None) -> Any:
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(
            trust_roots=[self.root], crls=[self.crl], allow_fetching=False, moment=at
        )


@functools.cache
def software_pki() -> SoftwarePki:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    start = datetime(2020, 1, 1, tzinfo=UTC)
    end = datetime(2040, 1, 1, tzinfo=UTC)

    def name(common_name: str, organisation: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = name("CA thử nghiệm của tinhso", "tinhso (thử nghiệm)")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip

    def issue(serial: int, subject: x509.Name, *, tsa: bool = False) -> tuple[Any, Any]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if tsa:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        else:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
        certificate = builder.sign(root_key, hashes.SHA256())
        der_key = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return (
            asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(der_key),
        )

    root_asn1 = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    registry = SimpleCertificateStore.from_certs([root_asn1])  # type: ignore[no-untyped-call]
    person_cert, person_key = issue(2, name(LEADER_NAME, AGENCY_NAME))
    agency_cert, agency_key = issue(3, name(AGENCY_NAME, AGENCY_NAME))
    tsa_cert, tsa_key = issue(4, name("TSA thử nghiệm", "tinhso (thử nghiệm)"), tsa=True)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(start)
        .next_update(end)
        .sign(root_key, hashes.SHA256())
    )

    class KeptKeySigner(SimpleSigner):
        """pyHanko's SimpleSigner parses its private key at every signature (tens of ms for
        RSA): here once, as a token keeps its key loaded."""

        @functools.cached_property
        def _private_key(self) -> Any:
            return serialization.load_der_private_key(self.signing_key.dump(), password=None)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
            from pyhanko.sign.general import (  # type: ignore[attr-defined]
                get_pyca_cryptography_hash,
            )

            return bytes(
                self._private_key.sign(
                    data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
                )
            )

    return SoftwarePki(
        root=root_asn1,
        root_pem=root.public_bytes(serialization.Encoding.PEM),
        crl=crl.public_bytes(serialization.Encoding.DER),
        person=KeptKeySigner(
            signing_cert=person_cert, signing_key=person_key, cert_registry=registry
        ),
        agency=KeptKeySigner(
            signing_cert=agency_cert, signing_key=agency_key, cert_registry=registry
        ),
        tsa_cert=tsa_cert,
        tsa_key=tsa_key,
    )
