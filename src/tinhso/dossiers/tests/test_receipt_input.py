"""The receipt's happy path (`api.serializers.receipt_input`) reads a body exactly as
`DossierReceiptSerializer` would, or declines and leaves it to the serializer."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.api.plaininput import plain_reader
from tinhso.dossiers.api.serializers import (
    DossierActionSerializer,
    DossierComponentInputSerializer,
    DossierReceiptSerializer,
    receipt_input,
)

# Values of every JSON type, and the strings DRF treats apart: blank, white space to trim,
# NUL, a lone surrogate, over-long ones, numbers as text.
JUNK = st.sampled_from(
    [
        None, True, False, 0, 1, -1, 2, 100, 101, 10**12, 1.0, 1.5, "", " ", " x ", "x",
        "1", "1.0", "true", "\x00", "a\ud800", "a" * 61, "a" * 1001, "a" * 2001, [], {},
        [1], {"a": 1}, "counter", "citizen", "paid", "cash", "reject", "request_supplement",
    ]
)  # fmt: skip

GOOD_APPLICANT: dict[str, Any] = {
    "kind": "citizen",
    "name": "Nguyễn Văn An",
    "id_number": "046090001234",
    "phone": "0912345678",
    "email": "an@example.vn",
    "address": "12 Lê Lợi",
}
GOOD: dict[str, Any] = {
    "procedure_code": "1.000001",
    "channel": "counter",
    "applicant": GOOD_APPLICANT,
    "components": [{"component": 1, "file": 2}, {"component": 2, "file": 3}],
}


TEXT = st.one_of(
    st.sampled_from(["", " ", "x", " x ", "Nguyễn Văn An", "1.000001", "a" * 50, "a" * 51]),
    st.text(max_size=6),
)
COUNT = st.one_of(st.none(), st.integers(min_value=-1, max_value=101))
VALID_COMPONENT = st.fixed_dictionaries(
    {},
    optional={
        "component": COUNT,
        "file": COUNT,
        "name": TEXT,
        "originals": COUNT,
        "copies": COUNT,
        "paper": st.booleans(),
    },
)
VALID_APPLICANT = st.fixed_dictionaries(
    {"kind": st.sampled_from(["citizen", "enterprise", "organization"]), "name": TEXT},
    optional={key: TEXT for key in ("id_number", "phone", "email", "address")},
)
VALID_BODY = st.fixed_dictionaries(
    {
        "procedure_code": TEXT,
        "channel": st.sampled_from(["counter", "online", "post"]),
        "applicant": VALID_APPLICANT,
    },
    optional={
        "components": st.lists(VALID_COMPONENT, max_size=3),
        "subject": TEXT,
        "sets": COUNT,
        "agency": COUNT,
        "on_incomplete": st.sampled_from(["reject", "request_supplement"]),
        "fee_status": st.sampled_from(["", "none", "unpaid", "paid", "exempt"]),
        "fee_method": st.sampled_from(["", "cash", "transfer", "online"]),
        "fee_receipt_number": TEXT,
        "unknown": JUNK,
    },
)
#: Where a change may land: a key of the body, of the applicant, or of the first component.
WHERE = st.sampled_from(
    [(key,) for key in ["procedure_code", "channel", "applicant", "components", "subject",
                         "sets", "agency", "on_incomplete", "fee_status", "fee_method",
                         "fee_receipt_number"]]
    + [("applicant", key) for key in ["kind", "name", "id_number", "phone", "email", "address"]]
    + [("components", key) for key in ["component", "file", "name", "originals", "copies", "paper"]]
)  # fmt: skip
DELETE = object()


def _changed(body: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]) -> Any:
    """`body` with each change applied: a key set to a value, or deleted."""
    for path, value in changes:
        target: Any = body
        *parents, key = path
        for parent in parents:
            target = target.get(parent) if isinstance(target, dict) else None
            if isinstance(target, list):
                target = target[0] if target else None
        if isinstance(target, dict):
            if value is DELETE:
                target.pop(key, None)
            else:
                target[key] = value
    return body


BODY = st.one_of(
    st.builds(
        _changed,
        VALID_BODY,
        st.lists(
            st.tuples(
                WHERE,
                st.one_of(
                    JUNK,
                    st.just(DELETE),
                    st.lists(st.just({"component": 1}), min_size=100, max_size=101),
                ),
            ),
            max_size=2,
        ),
    ),
    JUNK,
)


def _drf(body: Any) -> Any:
    incoming = DossierReceiptSerializer(data=body)
    return incoming.to_input() if incoming.is_valid() else None


@settings(max_examples=600, deadline=None)
@given(BODY)
def test_it_accepts_only_what_the_serializer_accepts_and_reads_it_alike(body: Any) -> None:
    # given any body; when both read it
    plain = receipt_input(body)
    drf = _drf(body)

    # then the happy path either declines or agrees with the serializer
    assert plain is None or plain == drf


def test_it_reads_well_formed_receipts() -> None:
    # given well-formed receipts: the smallest, and one with every field
    full = {
        **GOOD,
        "procedure_code": "  1.000001 ",
        "applicant": {**GOOD_APPLICANT, "kind": "enterprise", "address": "  "},
        "components": [
            {"component": None, "file": None, "name": " Giấy tờ khác ", "paper": True},
            {"component": 1, "file": 2, "originals": 0, "copies": 100},
        ],
        "subject": "Xin cấp phép",
        "sets": 2,
        "agency": None,
        "on_incomplete": "request_supplement",
        "fee_status": "paid",
        "fee_method": "cash",
        "fee_receipt_number": "BL-01",
        "unknown": "ignored",
    }

    # when / then: the happy path reads them, as the serializer does
    for body in (GOOD, full):
        plain = receipt_input(body)
        assert plain is not None
        assert plain == _drf(body)
    assert receipt_input(full).procedure_code == "1.000001"  # type: ignore[union-attr]


def test_the_receipts_serializers_have_readers_and_the_actions_has_none() -> None:
    # given the receipt's serializers, and the actions' (a decimal amount: not mirrored)
    # when / then (`tinhso/api/tests/test_plaininput.py` tests the reader itself)
    assert plain_reader(DossierReceiptSerializer) is not None
    assert plain_reader(DossierComponentInputSerializer) is not None
    assert plain_reader(DossierActionSerializer) is None
