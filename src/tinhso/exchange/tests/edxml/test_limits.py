"""Field limits and formats: validate() lists them, build() refuses, parse() warns."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from tinhso.exchange import edxml
from tinhso.exchange.tests.edxml.support import NS, document, status

# (field of DocumentPackage, edXML field, limit)
LENGTHS = [
    ("code_number", "Code/CodeNumber", 11),
    ("code_notation", "Code/CodeNotation", 30),
    ("subject", "Subject", 500),
    ("content", "Content", 500),
    ("promulgation_place", "PromulgationInfo/Place", 50),
    ("type_name", "DocumentType/TypeName", 100),
    ("sphere", "OtherInfo/SphereOfPromulgation", 100),
    ("typer_notation", "OtherInfo/TyperNotation", 10),
]


def _codes(problems: list[edxml.Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in problems]


@pytest.mark.parametrize(("attribute", "field", "limit"), LENGTHS)
def test_length_limits(attribute: str, field: str, limit: int) -> None:
    # given: "ệ" is one character; decomposed it would be three code points
    at_limit = document(**{attribute: "ệ" * limit, "document_id": "X,2025/11/03,1/A"})
    over = document(**{attribute: "ệ" * (limit + 1), "document_id": "X,2025/11/03,1/A"})
    # then
    assert edxml.validate(at_limit) == []
    assert edxml.parse(edxml.build(at_limit)).package == at_limit
    problems = edxml.validate(over)
    assert _codes(problems) == [("too_long", field)]
    assert problems[0].message.endswith(f"{limit} ký tự.")
    with pytest.raises(edxml.EdxmlInvalid) as raised:
        edxml.build(over)
    assert _codes(raised.value.problems) == [("too_long", field)]


@pytest.mark.parametrize(("attribute", "field", "limit"), LENGTHS)
def test_parse_warns_about_a_long_field(attribute: str, field: str, limit: int) -> None:
    # given: a file written by someone else with a field over its limit
    marker = "ĐÁNHDẤU"
    data = edxml.build(document(**{attribute: marker, "document_id": "X,2025/11/03,1/A"}))
    data = data.replace(marker.encode(), ("ệ" * (limit + 1)).encode())
    # when
    parsed = edxml.parse(data)
    # then: read, kept whole, warned about
    assert getattr(parsed.package, attribute) == "ệ" * (limit + 1)
    assert ("too_long", field) in _codes(parsed.warnings)


@pytest.mark.parametrize("attribute", ["code_number", "code_notation", "subject"])
def test_required_fields(attribute: str) -> None:
    problems = edxml.validate(document(**{attribute: "  ", "document_id": "X,2025/11/03,1/A"}))
    assert [p.code for p in problems] == ["required"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"priority": -1}, ("not_integer", "OtherInfo/Priority")),
        ({"priority": 5}, ("out_of_range", "OtherInfo/Priority")),
        ({"priority": True}, ("not_integer", "OtherInfo/Priority")),
        (
            {"business": edxml.Business(business_type=4)},
            ("out_of_range", "Bussiness/BussinessDocType"),
        ),
        (
            {"business": edxml.Business(business_type=-1)},
            ("not_integer", "Bussiness/BussinessDocType"),
        ),
        (
            {"business": edxml.Business(receivers=(edxml.Receiver("A", 2),))},
            ("out_of_range", "ReceiverList/Receiver/ReceiverType"),
        ),
        ({"recipients": ()}, ("required", "To")),
        ({"page_amount": -3}, ("not_integer", "OtherInfo/PageAmount")),
        ({"due_date": dt.datetime(2025, 1, 1)}, ("not_date", "DueDate")),
        ({"subject": "Trích yếu\x00"}, ("invalid_char", "Subject")),
        ({"content": "a\x1bb"}, ("invalid_char", "Content")),
        ({"to_places": ("",)}, ("required", "ToPlaces/Place")),
        ({"appendixes": (" ",)}, ("required", "OtherInfo/Appendixes/Appendix")),
        ({"sender": edxml.Organ("")}, ("required", "From/OrganId")),
        ({"sender": edxml.Organ("A,B")}, ("bad_format", "From/OrganId")),
        (
            {"traces": (edxml.Trace("X", dt.date(2025, 1, 1)),)},  # type: ignore[arg-type]
            ("not_datetime", "TraceHeader/Timestamp"),
        ),
        (
            {"attachments": (edxml.Attachment("../etc/passwd", "text/plain", b""),)},
            ("bad_name", "Attachment/AttachmentName"),
        ),
        (
            {"attachments": (edxml.Attachment("a\nb.pdf", "text/plain", b""),)},
            ("bad_name", "Attachment/AttachmentName"),
        ),
        (
            {
                "attachments": (
                    edxml.Attachment("a.pdf", "application/pdf", b"", content_id="cid:1"),
                    edxml.Attachment("b.pdf", "application/pdf", b"", content_id="cid:1"),
                )
            },
            ("duplicate", "Attachment/ContentId"),
        ),
    ],
)
def test_document_formats(changes: dict[str, object], expected: tuple[str, str]) -> None:
    pkg = document(**changes)
    assert _codes(edxml.validate(pkg)) == [expected]
    with pytest.raises(edxml.EdxmlInvalid):
        edxml.build(pkg)


def test_priority_and_business_type_bounds_are_accepted() -> None:
    for value in range(5):
        assert edxml.validate(document(priority=value)) == []
    for value in range(4):
        assert edxml.validate(document(business=edxml.Business(business_type=value))) == []


def test_duplicate_to_is_refused() -> None:
    pkg = document(
        recipients=(
            edxml.Organ("000.00.13.H57"),
            edxml.Organ("000.00.14.H57"),
            edxml.Organ("000.00.13.H57"),
        )
    )
    assert _codes(edxml.validate(pkg)) == [("duplicate_recipient", "To")]
    with pytest.raises(edxml.EdxmlInvalid) as raised:
        edxml.build(pkg)
    assert "nhiều lần" in str(raised.value)


def test_duplicate_to_in_a_file_is_dropped_with_a_warning() -> None:
    data = edxml.build(
        document(recipients=(edxml.Organ("000.00.13.H57"), edxml.Organ("000.00.99.H57")))
    )
    data = data.replace(b"000.00.99.H57", b"000.00.13.H57")
    parsed = edxml.parse(data)
    assert [o.organ_id for o in parsed.package.recipients] == ["000.00.13.H57"]
    assert ("duplicate_recipient", "To") in _codes(parsed.warnings)


@pytest.mark.parametrize("code", sorted(edxml.STATUS_CODES))
def test_known_status_codes(code: str) -> None:
    assert edxml.validate(status(status_code=code)) == []


@pytest.mark.parametrize("code", ["00", "07", "12", "14", "1", "5", "", "05 "])
def test_unknown_status_codes(code: str) -> None:
    assert _codes(edxml.validate(status(status_code=code))) == [("bad_status_code", "StatusCode")]
    with pytest.raises(edxml.EdxmlInvalid):
        edxml.build(status(status_code=code))


def test_parse_warns_about_an_unknown_status_code() -> None:
    data = edxml.build(status(status_code="05")).replace(
        b"<edXML:StatusCode>05<", b"<edXML:StatusCode>09<"
    )
    parsed = edxml.parse(data)
    assert parsed.package.status_code == "09"  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [("bad_status_code", "StatusCode")]


def test_status_duplicate_to_and_required_response_for() -> None:
    pkg = status(recipients=(edxml.Organ("A"), edxml.Organ("A")))
    assert _codes(edxml.validate(pkg)) == [("duplicate_recipient", "To")]
    answered = dataclasses.replace(status().response_for, document_id="")
    assert _codes(edxml.validate(status(response_for=answered))) == [
        ("required", "ResponseFor/DocumentId")
    ]


def test_dates_are_written_yyyy_mm_dd() -> None:
    root = etree.fromstring(edxml.build(document(promulgation_date=dt.date(2025, 1, 2))))
    assert root.findtext(f".//{{{NS}}}PromulgationDate") == "2025/01/02"
    assert root.findtext(f".//{{{NS}}}DueDate") == "2025/11/20"
