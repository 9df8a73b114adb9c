"""`plain_reader`: a serializer's plainly valid input read as DRF reads it, or declined."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from tinhso.api.plaininput import Decline, Reader, plain_reader


class Part(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=5)
    count = serializers.IntegerField(required=False, min_value=1, max_value=9)


class Kind(serializers.ChoiceField):
    """A choice field that only brings its own message, as the documents' type field does."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": "Không hợp lệ."})
        super().__init__(choices=[("a", "A"), ("b", "B")], **kwargs)


class Every(serializers.Serializer):  # type: ignore[type-arg]
    """One field of every kind the reader mirrors, required or not, with or without null."""

    text = serializers.CharField(max_length=8)
    blank = serializers.CharField(required=False, allow_blank=True, default="", max_length=3)
    raw = serializers.CharField(required=False, trim_whitespace=False, min_length=2)
    kind = Kind()
    choice = serializers.ChoiceField(
        choices=["x", "y"], required=False, allow_blank=True, default="x"
    )
    number = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    flag = serializers.BooleanField(required=False, default=False)
    day = serializers.DateField()
    later = serializers.DateField(required=False, allow_null=True, default=None)
    moment = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=3
    )
    parts = serializers.ListField(child=Part(), required=False, allow_empty=False)
    part = Part(required=False)


READ = plain_reader(Every)

JUNK = st.sampled_from(
    [
        None, True, False, 0, 1, -1, 9, 10, 1.0, "", " ", " x ", "x", "y", "a", "b", "ab",
        "1", "true", "\x00", "a\ud800", "a" * 9, [], {}, [1], [0], [1, 2, 3, 4], {"name": "n"},
        [{"name": "n"}], "2026-12-01", "2026-12-1", "20261201", "2026-02-30", "2026-W48-1",
        "2026-12-01T08:00", "2026-12-01T08:00:00+07:00", " 2026-12-01",
    ]
)  # fmt: skip
FIELDS = ["text", "blank", "raw", "kind", "choice", "number", "flag", "day", "later", "moment",
          "ids", "parts", "part", "other"]  # fmt: skip
BODY = st.one_of(
    st.dictionaries(
        st.sampled_from(FIELDS),
        JUNK,
    ),
    JUNK,
)


def _drf(body: Any) -> Any:
    serializer = Every(data=body)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def _plain(read: Reader, body: Any) -> Any:
    try:
        return read(body)
    except Decline:
        return None


def _normalised(value: Any) -> Any:
    """Nested serializers give OrderedDicts and dicts alike: compare them as plain dicts."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


@settings(max_examples=800, deadline=None)
@given(BODY)
def test_it_accepts_only_what_drf_accepts_and_reads_it_alike(body: Any) -> None:
    # given any body; when both read it
    assert READ is not None
    plain = _plain(READ, body)
    drf = _drf(body)

    # then the reader declines, or agrees with DRF
    assert plain is None or _normalised(plain) == _normalised(drf)


def test_it_reads_a_well_formed_body_of_every_kind() -> None:
    # given a plainly valid body, every field given, and one with only the required fields
    full = {
        "text": " Hòa ",
        "blank": "   ",
        "raw": " ab ",
        "kind": "b",
        "choice": "",
        "number": 0,
        "flag": True,
        "day": "2026-12-01",
        "later": None,
        "moment": None,
        "ids": [1, 2],
        "parts": [{"name": "n", "count": 9}],
        "part": {"name": "m"},
        "other": "ignored",
    }
    smallest = {"text": "t", "kind": "a", "day": "2024-02-29"}

    # when the reader reads them / then it reads what DRF reads
    assert READ is not None
    for body in (full, smallest):
        assert _normalised(READ(body)) == _normalised(_drf(body))
    assert READ(full)["day"] == dt.date(2026, 12, 1)
    assert READ(full)["text"] == "Hòa" and READ(full)["raw"] == " ab "
    assert READ(smallest) == {
        "text": "t",
        "blank": "",
        "kind": "a",
        "choice": "x",
        "number": None,
        "flag": False,
        "day": dt.date(2024, 2, 29),
        "later": None,
        "moment": None,
        "ids": [],
    }


def test_it_leaves_dates_in_other_forms_and_any_moment_to_drf() -> None:
    # given bodies DRF accepts in a form the reader does not take
    assert READ is not None
    base = {"text": "t", "kind": "a", "day": "2026-12-01"}
    for change in ({"day": "20261201"}, {"moment": "2026-12-01T08:00:00+07:00"}):
        body = {**base, **change}

        # when / then: DRF accepts them, the reader declines
        assert _drf(body) is not None
        try:
            READ(body)
        except Decline:
            continue
        raise AssertionError(f"the reader took {change}")


def test_it_declines_serializers_it_does_not_mirror() -> None:
    # given serializers with their own validation, validators or fields it does not read
    class Checked(Part):
        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            return attrs

    class Validated(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField()

        def validate_name(self, value: str) -> str:
            return value

    class Mailed(serializers.Serializer):  # type: ignore[type-arg]
        email = serializers.EmailField()

    class Priced(serializers.Serializer):  # type: ignore[type-arg]
        amount = serializers.DecimalField(max_digits=5, decimal_places=0)

    class Formatted(serializers.Serializer):  # type: ignore[type-arg]
        day = serializers.DateField(input_formats=["%d/%m/%Y"])

    class Picky(serializers.ChoiceField):
        def to_internal_value(self, data: Any) -> Any:
            return super().to_internal_value(str(data).lower())

    class Lowered(serializers.Serializer):  # type: ignore[type-arg]
        kind = Picky(choices=["a"])

    class Renamed(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(source="title")

    class Nested(serializers.Serializer):  # type: ignore[type-arg]
        part = Checked()

    # when / then: no reader (their bodies always go to DRF)
    for serializer in (Checked, Validated, Mailed, Priced, Formatted, Lowered, Renamed, Nested):
        assert plain_reader(serializer) is None, serializer.__name__
    assert plain_reader(Part) is not None
