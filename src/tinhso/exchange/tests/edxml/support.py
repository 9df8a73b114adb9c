"""Test helpers for edXML: packages, strategies, keys and certificates made with `cryptography`,
and a way to re-sign a Signature after changing it (to test verify's rules one at a time)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import os
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from hypothesis import strategies as st
from lxml import etree

from tinhso.exchange import edxml
from tinhso.exchange.edxml.parse import DSIG_NS, guess_content_type

NS = edxml.NS
SAMPLES = Path("/work/shared/testdata/edxml")
VN = edxml.VN_TZ


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- Packages -------------------------------------------------------------------------------


def document(**changes: object) -> edxml.DocumentPackage:
    values: dict[str, object] = {
        "sender": edxml.Organ(
            "000.00.12.H57",
            "Sở Nội vụ",
            "UBND tỉnh Thừa Thiên Huế",
            "Số 1 Lê Lợi, Huế",
            "snv@hue.gov.vn",
            "0234 3822 000",
        ),
        "recipients": (edxml.Organ("000.00.13.H57", "Sở Tài chính"),),
        "code_number": "125",
        "code_notation": "SNV-VP",
        "promulgation_place": "Thừa Thiên Huế",
        "promulgation_date": dt.date(2025, 11, 3),
        "type_code": 1,
        "type_detail": 0,
        "type_name": "Công văn",
        "subject": "V/v triển khai liên thông văn bản điện tử",
        "content": "Đề nghị các cơ quan phối hợp.",
        "signer_competence": "KT. GIÁM ĐỐC",
        "signer_position": "Phó Giám đốc",
        "signer_name": "Hoàng Thị Thanh Tâm",
        "due_date": dt.date(2025, 11, 20),
        "to_places": ("Như trên", "Lưu: VT, VP"),
        "priority": 1,
        "sphere": "Liên thông văn bản",
        "typer_notation": "LTML",
        "promulgation_amount": 5,
        "page_amount": 2,
        "appendixes": ("Phụ lục I",),
        "steering_type": 0,
        "traces": (edxml.Trace("000.00.12.H57", dt.datetime(2025, 11, 3, 8, 30, tzinfo=VN)),),
        "business": edxml.Business(
            reason="Văn bản điện tử mới", staff=edxml.Staff("Văn phòng", "Lê Thị Mỹ Linh")
        ),
        "attachments": (
            edxml.Attachment(
                "cong-van-125.pdf", "application/pdf", b"%PDF-1.7 test", "Công văn", "cid:1"
            ),
        ),
    }
    values.update(changes)
    return edxml.DocumentPackage(**values)  # type: ignore[arg-type]


def status(**changes: object) -> edxml.StatusPackage:
    values: dict[str, object] = {
        "sender": edxml.Organ("000.00.13.H57", "Sở Tài chính"),
        "response_for": edxml.ResponseFor(
            "000.00.12.H57",
            "125/SNV-VP",
            dt.date(2025, 11, 3),
            "000.00.12.H57,2025/11/03,125/SNV-VP",
        ),
        "status_code": "03",
        "description": "Đã tiếp nhận",
        "timestamp": dt.datetime(2025, 11, 3, 9, 15, 2, tzinfo=VN),
        "staff": edxml.Staff("Văn phòng", "Nguyễn Văn An", "0912000001", "an@stc.gov.vn"),
        "recipients": (edxml.Organ("000.00.12.H57", "Sở Nội vụ"),),
    }
    values.update(changes)
    return edxml.StatusPackage(**values)  # type: ignore[arg-type]


def big_document(size: int = 100_000) -> edxml.DocumentPackage:
    """A document with one incompressible attachment of `size` bytes (~140 KB of edXML)."""
    attachment = edxml.Attachment(
        "quyet-dinh.pdf", "application/pdf", os.urandom(size), "Quyết định", "cid:1"
    )
    return document(attachments=(attachment,))


def zipped(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def with_encoded(data: bytes, payload: bytes, *, content_type: str | None = None) -> bytes:
    """`data` (an edXML document) with its first attachment's base64 replaced by `payload`."""
    root = etree.fromstring(data)
    element = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment")
    assert element is not None
    element.find(f"{{{NS}}}ContentTransferEncoded").text = base64.b64encode(payload).decode()
    if content_type is not None:
        element.find(f"{{{NS}}}ContentType").text = content_type
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# --- Hypothesis strategies ------------------------------------------------------------------
# Built once at import: strategies made inside @composite functions are validated anew on every
# draw, which made generation a hundred times slower than build() and parse() together.

_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "0123456789"
)
_PUNCTUATION = " .,;:-/()&<>\"'%#\t\n\r"
_COMBINING = "\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b"
_WORDS = (
    *[
        "Công",
        "văn",
        "Hoà",
        "Hòa",
        "Bình",
        "Quyết",
        "định",
        "số",
        "V/v",
        "triển",
        "khai",
        "liên",
        "thông",
        "UBND",
        "tỉnh",
        "Thừa",
        "Thiên",
        "Huế",
        "Đà",
        "Nẵng",
        "ưu",
        "tiên",
        "khẩn",
        "thượng",
        "hỏa",
        "tốc",
        "Phó",
        "Giám",
        "đốc",
        "Sở",
        "Nội",
        "vụ",
        "trích",
        "yếu",
        "nghiêng",
        "ỹ",
        "Ỵ",
        "A&B",
        "<b>",
        "1/2",
        '"trích"',
        "'dẫn'",
        "100%",
        "#1",
        "(a)",
        "Đ-ĐT",
    ],
    "\r\n",
    "\t",
    "\n",
    "&amp;",
    "]]>",
    "<!--x-->",
)
_WORD = st.sampled_from(_WORDS) | st.text(
    alphabet=_LETTERS + _PUNCTUATION + _COMBINING, min_size=1, max_size=3
)
_FORMS: st.SearchStrategy[Literal["as is", "NFC", "NFD"]] = st.sampled_from(["as is", "NFC", "NFD"])


def _join(
    drawn: tuple[list[str], Literal["as is", "NFC", "NFD"]], *, max_size: int, required: bool
) -> str:
    words, form = drawn
    text = " ".join(words)
    if form != "as is":
        text = unicodedata.normalize(form, text)
    text = text[:max_size].strip()
    return text or ("Hoà" if required else "")


@functools.cache
def vietnamese(*, max_size: int = 40, required: bool = False) -> st.SearchStrategy[str]:
    """Vietnamese text, composed or decomposed, with XML's special characters, no whitespace
    at either end (parse strips it); drawn word by word."""
    words = st.lists(_WORD, min_size=1 if required else 0, max_size=max(1, max_size // 6))
    return st.tuples(words, _FORMS).map(
        functools.partial(_join, max_size=max_size, required=required)
    )


organ_ids = st.builds(
    "{:03d}.{:02d}.{:02d}.{}{:02d}".format,
    st.integers(0, 999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from("ABGHKX"),
    st.integers(0, 99),
)
dates = st.dates(min_value=dt.date(1976, 1, 1), max_value=dt.date(2099, 12, 31))
moments = st.datetimes(
    min_value=dt.datetime(1976, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(VN)
).map(lambda value: value.replace(microsecond=0))
small = st.integers(min_value=0, max_value=10_000)

organs = st.builds(
    edxml.Organ,
    organ_id=organ_ids,
    name=vietnamese(),
    organization_in_charge=vietnamese(),
    address=vietnamese(),
    email=st.sampled_from(["", "vanthu@hue.gov.vn"]),
    telephone=st.sampled_from(["", "0234 3822 000"]),
    fax=st.sampled_from(["", "0234 3822 001"]),
    website=st.sampled_from(["", "https://hue.gov.vn"]),
)
staffs = st.builds(
    edxml.Staff,
    department=vietnamese(),
    staff=vietnamese(),
    mobile=st.sampled_from(["", "0912000001"]),
    email=st.sampled_from(["", "an@hue.gov.vn"]),
)


def _response_for(
    organ_id: str, day: dt.date | None, number: int, notation: str
) -> edxml.ResponseFor:
    identifier = edxml.document_id(organ_id, day or dt.date(2020, 1, 1), str(number), notation)
    return edxml.ResponseFor(organ_id, f"{number}/{notation}", day, identifier)


response_fors = st.builds(
    _response_for,
    organ_ids,
    st.none() | dates,
    st.integers(1, 9999),
    st.sampled_from(["UBND-VP", "SNV-TCCB", "VPCP-TTĐT"]),
)
_EXTENSIONS = st.sampled_from([".pdf", ".docx", ".doc", ".xlsx", ".txt", ".bin", ""])


def _attachment(stem: str, extension: str, data: bytes, description: str) -> edxml.Attachment:
    stem = "".join("-" if char in "/\\\t\n\r" else char for char in stem).strip() or "tep"
    name = stem + extension
    return edxml.Attachment(name, guess_content_type(name), data, description)


def _numbered(files: list[edxml.Attachment]) -> tuple[edxml.Attachment, ...]:
    return tuple(
        dataclasses.replace(file, content_id=f"cid:{index}") for index, file in enumerate(files, 1)
    )


attachments = st.lists(
    st.builds(
        _attachment,
        vietnamese(max_size=20, required=True),
        _EXTENSIONS,
        st.binary(max_size=3000),
        vietnamese(),
    ),
    max_size=3,
).map(_numbered)

businesses = st.builds(
    edxml.Business,
    business_type=st.integers(0, 3),
    reason=vietnamese(),
    document_id=st.sampled_from(["", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"]),
    paper=st.integers(0, 5),
    staff=st.none() | staffs,
    receivers=st.lists(st.builds(edxml.Receiver, organ_ids, st.integers(0, 1)), max_size=3).map(
        tuple
    ),
    replacements=st.lists(
        st.builds(
            edxml.Replacement,
            st.just("000.00.01.H01,2018/10/01,10/UBND"),
            st.lists(organ_ids, max_size=2).map(tuple),
        ),
        max_size=2,
    ).map(tuple),
)
_recipients = st.lists(organs, min_size=1, max_size=3, unique_by=lambda organ: organ.organ_id)
_texts = st.lists(vietnamese(required=True), max_size=3).map(tuple)

documents = st.builds(
    edxml.DocumentPackage,
    sender=organs,
    recipients=_recipients.map(tuple),
    code_number=st.integers(1, 99_999_999_999).map(str),
    code_notation=vietnamese(max_size=30, required=True),
    promulgation_place=vietnamese(max_size=50),
    promulgation_date=dates,
    type_code=small,
    type_detail=small,
    type_name=vietnamese(max_size=60),
    subject=vietnamese(max_size=500, required=True),
    content=vietnamese(max_size=120),
    signer_competence=vietnamese(),
    signer_position=vietnamese(),
    signer_name=vietnamese(),
    due_date=st.none() | dates,
    to_places=_texts,
    priority=st.integers(0, 4),
    sphere=vietnamese(max_size=60),
    typer_notation=vietnamese(max_size=10),
    promulgation_amount=st.none() | small,
    page_amount=st.none() | small,
    appendixes=_texts,
    steering_type=st.none() | st.integers(0, 3),
    response_for=st.lists(response_fors, max_size=2).map(tuple),
    traces=st.lists(st.builds(edxml.Trace, organ_ids, st.none() | moments), max_size=3).map(tuple),
    business=businesses,
    attachments=attachments,
    document_id=st.sampled_from(["", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"]),
)
statuses = st.builds(
    edxml.StatusPackage,
    sender=organs,
    response_for=response_fors,
    status_code=st.sampled_from(sorted(edxml.STATUS_CODES)),
    description=vietnamese(max_size=120),
    timestamp=st.none() | moments,
    staff=staffs,
    recipients=st.lists(organs, max_size=2, unique_by=lambda organ: organ.organ_id).map(tuple),
)


# --- Keys and certificates ------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """A root and a signer certificate (DER) with the signer's private key."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: bytes
    root: bytes
    chain: tuple[bytes, ...] = ()

    def sign_raw(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def sign(self, data: bytes) -> bytes:
        return edxml.sign(
            data, sign_raw=self.sign_raw, certificates=[self.certificate, *self.chain]
        )


def make_credentials(
    *,
    kind: str = "ec",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    agency_code: str = "000.00.12.H57",
    key_usage: str = "sign",
    sha1_leaf: bool = False,
) -> Credentials:
    """A root CA and a leaf issued by it (P-256 keys, or RSA 2048 for kind="rsa").

    `sha1_leaf`: the root (then RSA) signs the leaf with SHA-1, which `cryptography` no longer
    writes: the signature is made by hand.
    """
    now = dt.datetime.now(dt.UTC)
    root_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if sha1_leaf
        else ec.generate_private_key(ec.SECP256R1())
    )
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test edXML Root CA")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    signing = key_usage == "sign"
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "Sở Nội vụ"),
                    x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency_code),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(signing, signing, not signing, False, False, False, False, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    leaf_der = leaf.public_bytes(der)
    if sha1_leaf:
        assert isinstance(root_key, rsa.RSAPrivateKey)
        leaf_der = _resign_sha1(leaf_der, root_key)
    return Credentials(key=key, certificate=leaf_der, root=root.public_bytes(der))


def _resign_sha1(der: bytes, issuer_key: rsa.RSAPrivateKey) -> bytes:
    from asn1crypto import x509 as asn1_x509

    certificate = asn1_x509.Certificate.load(der)
    algorithm = asn1_x509.SignedDigestAlgorithm({"algorithm": "sha1_rsa"})
    tbs = certificate["tbs_certificate"]
    tbs["signature"] = algorithm
    certificate["signature_algorithm"] = algorithm
    signature = issuer_key.sign(tbs.dump(force=True), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    certificate["signature_value"] = signature
    return bytes(certificate.dump(force=True))


# --- Changing a signature -------------------------------------------------------------------


def dsig(tag: str) -> str:
    return f"{{{DSIG_NS}}}{tag}"


def resign(
    signed: bytes,
    credentials: Credentials,
    change: Callable[[etree._Element], None],
    *,
    digest: str | None = None,
    signature_hash: hashes.HashAlgorithm | None = None,
) -> bytes:
    """`signed` after `change(Signature)`, with the SignatureValue made again so that only the
    rule under test fails. `digest` ("sha1", "sha256") recomputes DigestValue (exclusive C14N
    of the document without the Signature) with that hash."""
    root = etree.fromstring(signed)
    signature = next(root.iter(dsig("Signature")))
    change(signature)
    signed_info = signature.find(dsig("SignedInfo"))
    assert signed_info is not None
    if digest is not None:
        parent = signature.getparent()
        assert parent is not None
        index = parent.index(signature)
        previous = signature.getprevious()
        saved = previous.tail if previous is not None else None
        tail = signature.tail
        parent.remove(signature)
        if previous is not None and tail:
            previous.tail = (previous.tail or "") + tail
        canonical = etree.tostring(root.getroottree(), method="c14n", exclusive=True)
        if previous is not None:
            previous.tail = saved
        parent.insert(index, signature)
        signature.tail = tail
        value = signed_info.find(f"{dsig('Reference')}/{dsig('DigestValue')}")
        assert value is not None
        value.text = base64.b64encode(hashlib.new(digest, canonical).digest()).decode()
    method = signed_info.find(dsig("CanonicalizationMethod"))
    exclusive = method is not None and "exc-c14n" in (method.get("Algorithm") or "")
    canonical_info = etree.tostring(signed_info, method="c14n", exclusive=exclusive)
    algorithm = signature_hash or hashes.SHA256()
    key = credentials.key
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(canonical_info, padding.PKCS1v15(), algorithm)
    else:
        from tinhso.exchange.edxml.dsig import _ecdsa_to_xmldsig

        raw = _ecdsa_to_xmldsig(key.sign(canonical_info, ec.ECDSA(algorithm)), key.curve.key_size)
    signature_value = signature.find(dsig("SignatureValue"))
    assert signature_value is not None
    signature_value.text = base64.b64encode(raw).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
