"""The binary form of the hub's take answer: what is encoded is decoded, and a damaged answer
is refused rather than read as shorter or shifted bodies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.exchange import takeframe

ITEM = {"id": 7, "document_id": "H57.02,2026/11/20,12/QĐ-SNV", "attempts": 1}


@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(["id", "to", "note"]), st.text(max_size=30)),
            st.binary(max_size=2000),
        ),
        max_size=6,
    )
)
def test_what_is_encoded_is_decoded(pairs: list[tuple[dict[str, str], bytes]]) -> None:
    items, bodies = [item for item, _ in pairs], [body for _, body in pairs]
    assert takeframe.decode(takeframe.encode(items, bodies)) == pairs


def test_the_layout_is_the_magic_a_json_line_and_the_bodies() -> None:
    data = takeframe.encode([ITEM, {"id": 8}], [b"<edXML/>\n", b"\x00\xff"])
    head, _, rest = data[len(takeframe.MAGIC) :].partition(b"\n")
    assert data.startswith(b"tinhso-take/1\n")
    assert json.loads(head)["items"][0] == ITEM | {"body_bytes": 9}
    assert rest == b"<edXML/>\n\x00\xff"


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda d: d[:-1], "ends inside a body"),
        (lambda d: d + b"x", "bytes after"),
        (lambda d: b"tinhso-take/1\n{not json}\n", "not JSON"),
        (lambda d: b'tinhso-take/1\n{"items": 3}\n', "no list"),
        (lambda d: b'tinhso-take/1\n{"items": [{"id": 1}]}\n', "length"),
        (lambda d: b'tinhso-take/1\n{"items": [{"body_bytes": -1}]}\n', "length"),
        (lambda d: b'tinhso-take/1\n{"items": []}', "no end"),
        (lambda d: b'{"items": []}', "not a binary"),
    ],
)
def test_a_damaged_answer_is_refused(damage: object, why: str) -> None:
    data = takeframe.encode([ITEM], [b"0123456789"])
    with pytest.raises(takeframe.TakeFrameError, match=why):
        takeframe.decode(damage(data))  # type: ignore[operator]


def test_one_body_per_item() -> None:
    with pytest.raises(ValueError, match="one body per item"):
        takeframe.encode([ITEM], [])
