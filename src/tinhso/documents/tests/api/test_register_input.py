"""Registration's happy path (`api.serializers.incoming_register_input`) reads a body exactly as
`IncomingRegisterSerializer` would, or declines and leaves it to the serializer (whose errors
the API then answers: test_incoming.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.documents.api.serializers import IncomingRegisterSerializer, incoming_register_input

from .helpers import register_body

TEXT = st.one_of(
    st.sampled_from(
        ["", " ", "x", " x ", "15", "QĐ-UBND", "Ủy ban nhân dân tỉnh", "a" * 100, "a" * 101]
    ),
    st.text(max_size=6),
)
DATE = st.sampled_from(["2026-11-20", "2026-02-29", "2024-02-29", "20261120", "2026-11-20T08:00"])
COUNT = st.one_of(st.none(), st.integers(min_value=-1, max_value=3))
VALID = st.fixed_dictionaries(
    {
        "issuer_name": TEXT,
        "number": TEXT,
        "notation": TEXT,
        "date": DATE,
        "type": st.sampled_from(["QĐ", "CV", "TB", "QD", "XX"]),
        "subject": TEXT,
    },
    optional={
        "urgency": st.sampled_from(["thuong", "khan", "hoa_toc_hen_gio", "Khẩn", ""]),
        "deadline_at": st.sampled_from([None, "2026-11-21T08:00:00+07:00"]),
        "files": st.lists(COUNT, max_size=3),
        "attachments": st.lists(COUNT, max_size=3),
        "issuer_code": TEXT,
        "page_count": COUNT,
        "signer_name": TEXT,
        "signer_position": TEXT,
        "due_on": st.one_of(st.none(), DATE),
        "source": st.sampled_from(["paper", "electronic", "internal"]),
        "secrecy": TEXT,
        "register": COUNT,
        "agency": COUNT,
        "note": TEXT,
        "confirm_duplicate": st.one_of(st.booleans(), st.sampled_from(["true", 1, None])),
        "unknown": TEXT,
    },
)
JUNK = st.sampled_from([None, True, 0, 1, 1.5, "", "x", [], {}, [1], {"a": 1}, "\x00", "a\ud800"])
BODY = st.one_of(
    VALID,
    st.builds(
        lambda body, key, value: {**body, key: value},
        VALID,
        st.sampled_from(
            ["issuer_name", "number", "date", "type", "files", "page_count", "confirm_duplicate"]
        ),
        JUNK,
    ),
    JUNK,
)


def _drf(body: Any) -> Any:
    serializer = IncomingRegisterSerializer(data=body)
    if not serializer.is_valid():
        return None
    return serializer.to_input(), serializer.validated_data["confirm_duplicate"]


@settings(max_examples=600, deadline=None)
@given(BODY)
def test_it_accepts_only_what_the_serializer_accepts_and_reads_it_alike(body: Any) -> None:
    # given any body; when both read it
    plain = incoming_register_input(body)
    drf = _drf(body)

    # then the happy path declines, or agrees with the serializer
    assert plain is None or plain == drf


def test_it_reads_well_formed_registrations() -> None:
    # given the smallest registration, and one with every field
    full = register_body(
        file_id=7,
        issuer_code=" H57 ",
        urgency="hoa_toc_hen_gio",
        deadline_at=None,
        attachments=[8, 9],
        page_count=3,
        signer_name="Nguyễn Văn A",
        signer_position="Chủ tịch",
        due_on="2026-12-01",
        source="electronic",
        secrecy="",
        register=None,
        agency=4,
        note="  ",
        confirm_duplicate=True,
    )

    # when / then: the happy path reads both, as the serializer does
    for body in (register_body(), full):
        plain = incoming_register_input(body)
        assert plain is not None
        assert plain == _drf(body)
    read = incoming_register_input(full)
    assert read is not None and read[1] is True and read[0].issuer_code == "H57"
