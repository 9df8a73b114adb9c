"""The plainly valid body of a busy call, read from its serializer's declarations without DRF.

DRF copies every declared field of a serializer (and of its nested ones) for each request
before it validates: about half a millisecond of a receipt's or a registration's CPU, a tenth
of the call. `plain_reader(Serializer)` builds, once per process, a reader of the same
declarations that accepts a body only when it is plainly valid — the right JSON types, within
the declared lengths and ranges — and then returns exactly what the serializer's
`validated_data` would hold. Anything unusual (a missing field, a wrong type, a value out of
range, a string that DRF would turn into a number, a date in another form …) makes the reader
decline (`Decline`); the caller then gives the body to the serializer, which decides and words
the errors. So the errors, and every rare case, stay DRF's.

A serializer the reader cannot mirror (its own `validate` or `validate_<field>`, validators,
sources, other kinds of fields, defaults that need the context) gets no reader (None): its
calls always go through DRF. Tests compare both on generated bodies
(`tinhso/api/tests/test_plaininput.py`, and per call where a view uses a reader).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator


class Decline(Exception):
    """The value is not plainly valid: let the serializer judge it."""


Reader = Callable[[Any], Any]

_CHAR_VALIDATORS = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: The one form of a date the reader takes (DRF's ISO 8601 also parses others: it judges them).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: What a field kind does with a value; a subclass that overrides none of them (a choice field
#: with its own messages and help) reads as its base.
_FIELD_METHODS = (
    "run_validation",
    "to_internal_value",
    "validate_empty_values",
    "run_validators",
    "get_value",
    "get_default",
)


def _validators_are(field: serializers.Field, kinds: tuple[type, ...]) -> bool:  # type: ignore[type-arg]
    return all(type(v) in kinds for v in field.validators)


def _char_reader(field: serializers.CharField) -> Reader | None:
    if field.allow_null or not _validators_are(field, _CHAR_VALIDATORS):
        return None
    allow_blank, trim = field.allow_blank, field.trim_whitespace
    longest, shortest = field.max_length, field.min_length

    def read(value: Any) -> str:
        if type(value) is not str:
            raise Decline
        text = value.strip() if trim else value
        if not text:  # DRF: "" or, when it trims, only white space
            if not allow_blank:
                raise Decline
            return ""
        if (longest is not None and len(text) > longest) or (
            shortest is not None and len(text) < shortest
        ):
            raise Decline
        if "\x00" in text or _SURROGATE.search(text):
            raise Decline
        return text

    return read


def _choice_reader(field: serializers.ChoiceField) -> Reader | None:
    if field.allow_null or field.validators:
        return None
    allow_blank, values = field.allow_blank, dict(field.choice_strings_to_values)

    def read(value: Any) -> Any:
        if type(value) is not str:
            raise Decline
        if value == "" and allow_blank:
            return ""
        if value not in values:
            raise Decline
        return values[value]

    return read


def _integer_reader(field: serializers.IntegerField) -> Reader | None:
    if not _validators_are(field, (MinValueValidator, MaxValueValidator)):
        return None
    lowest, highest = field.min_value, field.max_value

    def read(value: Any) -> int:
        if type(value) is not int:
            raise Decline
        if (lowest is not None and value < lowest) or (highest is not None and value > highest):
            raise Decline
        return value

    return read


def _boolean_reader(field: serializers.BooleanField) -> Reader | None:
    if field.validators:
        return None

    def read(value: Any) -> bool:
        if type(value) is not bool:
            raise Decline
        return value

    return read


def _date_reader(field: serializers.DateField) -> Reader | None:
    """`YYYY-MM-DD` only, as DRF's default ISO 8601 reads it."""
    formats = getattr(field, "input_formats", api_settings.DATE_INPUT_FORMATS)
    if field.validators or [f.lower() for f in formats] != [ISO_8601]:
        return None

    def read(value: Any) -> dt.date:
        if type(value) is not str or not _ISO_DATE.fullmatch(value):
            raise Decline
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise Decline from None

    return read


def _absent_reader(field: serializers.Field) -> Reader | None:  # type: ignore[type-arg]
    """A field read only when absent or null (its default, None): any value goes to DRF."""

    def read(value: Any) -> Any:
        raise Decline

    return read


def _list_reader(field: serializers.ListField) -> Reader | None:
    child = _reader(field.child)
    if child is None or not _validators_are(field, (MaxLengthValidator, MinLengthValidator)):
        return None
    allow_empty, longest, shortest = field.allow_empty, field.max_length, field.min_length

    def read(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Decline
        if (
            (not allow_empty and not value)
            or (longest is not None and len(value) > longest)
            or (shortest is not None and len(value) < shortest)
        ):
            raise Decline
        return [child(item) for item in value]

    return read


_BASE = serializers.Serializer


def plain_reader(serializer: type[serializers.Serializer]) -> Reader | None:  # type: ignore[type-arg]
    """A reader of the plainly valid input of `serializer` (raising `Decline` for the rest),
    or None when the serializer does something this module does not mirror."""
    declared: dict[str, serializers.Field] = serializer._declared_fields  # type: ignore[type-arg]
    if any(
        getattr(serializer, name) is not getattr(_BASE, name)
        for name in ("validate", "to_internal_value", "run_validation", "run_validators")
    ) or getattr(getattr(serializer, "Meta", None), "validators", None):
        return None
    fields: list[tuple[str, Reader, bool, Any, bool]] = []
    for name, field in declared.items():
        if field.read_only:
            continue
        if hasattr(serializer, f"validate_{name}") or field.source not in (None, name):
            return None
        field_reader = _reader(field)
        default = field.default
        if field_reader is None or (
            callable(default)
            and (getattr(default, "requires_context", False) or hasattr(default, "set_context"))
        ):
            return None
        fields.append((name, field_reader, field.required, default, field.allow_null))

    def read(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise Decline
        out: dict[str, Any] = {}
        for name, read_field, required, default, allow_null in fields:
            if name not in value:
                if required:
                    raise Decline
                if default is empty:
                    continue
                out[name] = default() if callable(default) else default
            elif value[name] is None:
                if not allow_null:
                    raise Decline
                out[name] = None
            else:
                out[name] = read_field(value[name])
        return out

    return read


#: Field kinds the reader mirrors, each with the maker of its reader.
_KINDS: tuple[tuple[type[serializers.Field], Callable[[Any], Reader | None]], ...] = (  # type: ignore[type-arg]
    (serializers.CharField, _char_reader),
    (serializers.ChoiceField, _choice_reader),
    (serializers.IntegerField, _integer_reader),
    (serializers.BooleanField, _boolean_reader),
    (serializers.DateField, _date_reader),
    (serializers.DateTimeField, _absent_reader),
    (serializers.ListField, _list_reader),
)


def _reads_as(kind: type, base: type) -> bool:
    """`kind` is `base`, or a subclass that changes none of the ways a value is read."""
    return kind is base or (
        issubclass(kind, base)
        and all(getattr(kind, name) is getattr(base, name) for name in _FIELD_METHODS)
    )


def _reader(field: serializers.Field) -> Reader | None:  # type: ignore[type-arg]
    kind = type(field)
    for base, make in _KINDS:
        if _reads_as(kind, base):
            return make(field)
    if isinstance(field, serializers.Serializer) and not isinstance(
        field, serializers.ListSerializer
    ):
        if field.validators or field.source not in (None, field.field_name):
            return None
        return plain_reader(type(field))
    return None
