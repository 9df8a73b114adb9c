"""The fast hex-string reader and the memoised name preparation return exactly what pyHanko's
and asn1crypto's own functions return, errors and stream position included."""

from __future__ import annotations

from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from tinhso.signatures import speedups

_pieces = st.lists(
    st.one_of(
        st.sampled_from([b"0", b"7", b"a", b"F", b"e9", b"DEADbeef"]),
        st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"\x00", b"\f"]),
        st.sampled_from([b"%comment\n", b"z", b"<", b"%"]),
    ),
    max_size=40,
)


def _outcome(reader: object, data: bytes) -> tuple[object, int]:
    stream = BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except Exception as exc:
        return (type(exc).__name__, str(exc)), -1
    return (type(value).__name__, bytes(value.original_bytes)), stream.tell()


@settings(max_examples=400, deadline=None)
@given(body=_pieces, closed=st.booleans(), tail=st.binary(max_size=8))
def test_the_fast_reader_agrees_with_pyhanko(body: list[bytes], closed: bool, tail: bytes) -> None:
    data = b"<" + b"".join(body) + (b">" if closed else b"") + tail
    assert _outcome(speedups.read_hex_string_from_stream, data) == _outcome(
        speedups._original_read_hex, data
    )


def test_a_signature_sized_string_spanning_chunks() -> None:
    payload = bytes(range(256)) * 200  # 51,200 bytes → 102,400 hex digits, two chunks
    data = b"<" + payload.hex().encode() + b"\n>rest"
    stream = BytesIO(data)
    value = speedups.read_hex_string_from_stream(stream)
    assert bytes(value.original_bytes) == payload
    assert stream.read() == b"rest"


@pytest.mark.parametrize("text", ["  Sở   Nội  Vụ ", "ABC", "Hoà", "Ho\u0300a", "x\u00adz"])
def test_name_preparation_is_the_same(text: str) -> None:
    assert speedups._prepared(text) == speedups._original_string_prep(None, text)


def test_they_are_installed_where_pyhanko_and_asn1crypto_look() -> None:
    assert speedups.installed()
    assert generic.read_hex_string_from_stream is speedups.read_hex_string_from_stream
    name = asn1_x509.NameTypeAndValue
    assert name._ldap_string_prep is speedups._ldap_string_prep
