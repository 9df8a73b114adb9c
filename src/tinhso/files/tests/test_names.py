"""File names: cleaning, extensions against content, the download header."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.files import detection
from tinhso.files.names import (
    NAME_MAX,
    ascii_fallback,
    content_disposition,
    extension_contradicts,
    sanitize_name,
    stored_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đơn đề nghị.pdf", "Đơn đề nghị.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\an\\Giấy tờ\\CCCD.jpg", "CCCD.jpg"),
        ("  hồ   sơ\t2025 .pdf", "hồ sơ 2025 .pdf"),
        ("bao-cao\u202efdp.exe", "bao-caofdp.exe"),  # no right-to-left override
        ("a<b>c:d|e?f*.pdf", "a_b_c_d_e_f_.pdf"),
        ("...", ""),
        ("", ""),
    ],
)
def test_sanitize_name(raw: str, expected: str) -> None:
    assert sanitize_name(raw) == expected


def test_a_decomposed_vietnamese_name_is_stored_composed() -> None:
    # macOS sends "Đơn" with combining marks (NFD)
    assert sanitize_name("Đo\u031bn.pdf") == "Đơn.pdf"


def test_a_long_name_keeps_its_extension() -> None:
    name = sanitize_name("Tờ khai " * 60 + ".docx")
    assert len(name) == NAME_MAX and name.endswith(".docx")


@given(st.text(max_size=600))
def test_sanitized_names_are_safe_and_stable(raw: str) -> None:
    name = sanitize_name(raw)
    assert len(name) <= NAME_MAX
    assert not set(name) & set('/\\<>:"|?*\x00')
    assert sanitize_name(name) == name


@pytest.mark.parametrize(
    ("name", "content_type", "contradiction"),
    [
        ("x.pdf", detection.PDF, None),
        ("x.PDF", detection.PDF, None),
        ("x.jpeg", detection.JPEG, None),
        ("x.jpg", detection.JPEG, None),
        ("x.tif", detection.TIFF, None),
        ("x.pdf", detection.PNG, "pdf"),
        ("x.doc", detection.DOCX, "doc"),
        ("x.html", detection.PDF, "html"),
        ("x.exe", detection.PDF, "exe"),
        ("x", detection.PDF, None),
        ("Quyết định 15.UBND", detection.PDF, None),
        ("", detection.PDF, None),
    ],
)
def test_extension_contradicts(name: str, content_type: str, contradiction: str | None) -> None:
    assert extension_contradicts(name, content_type) == contradiction


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("x.pdf", detection.PDF, "x.pdf"),
        ("anh chup", detection.PNG, "anh chup.png"),
        ("Quyết định 15.UBND", detection.PDF, "Quyết định 15.UBND.pdf"),
        ("", detection.DOCX, "tep-tin.docx"),
    ],
)
def test_stored_name_carries_the_contents_extension(
    name: str, content_type: str, expected: str
) -> None:
    assert stored_name(name, content_type) == expected


def test_content_disposition_has_an_ascii_name_and_the_exact_utf8_name() -> None:
    header = content_disposition('Đơn "đề nghị"; bản 2.pdf')
    assert header.startswith('attachment; filename="Don _de nghi__ ban 2.pdf"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and " " not in encoded and ";" not in encoded
    assert unquote(encoded) == 'Đơn "đề nghị"; bản 2.pdf'


def test_ascii_fallback_of_a_name_without_latin_letters() -> None:
    assert ascii_fallback("文件") == "tep-tin"
