"""The data of an edXML package (QCVN 102:2016) as plain frozen dataclasses, and its errors.

Text is carried as given: build() writes it and parse() reads it back without Unicode
normalisation, so a decomposed "Hoà" (NFD) stays decomposed and an XML signature over what a
sender wrote is never disturbed by a re-encoding. Normalise (NFC) where text enters the e-office;
search is insensitive to the form anyway (`tinhso.text.fold`). parse() strips whitespace around
each field value (senders pretty-print their files); build() writes values as given.

Times are aware datetimes in Asia/Ho_Chi_Minh; the file holds them naive, in Vietnam time
("yyyy/MM/dd HH:mm:ss"). A naive datetime given to build() is taken as Vietnam time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "NS",
    "STATUS_CODES",
    "VN_TZ",
    "Attachment",
    "Business",
    "DocumentPackage",
    "EdxmlInvalid",
    "EdxmlRefused",
    "Limits",
    "Organ",
    "Package",
    "Parsed",
    "Problem",
    "Receiver",
    "Replacement",
    "ResponseFor",
    "SignatureCheck",
    "Staff",
    "StatusPackage",
    "Trace",
    "document_id",
    "gettext_noop",
    "split_document_id",
    "translate",
]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

#: Status codes seen in QCVN 102:2016 practice (vn-eoffice.md §2.4); 07–12 and 14 never occur.
STATUS_CODES = frozenset({"01", "02", "03", "04", "05", "06", "13", "15", "16"})

MiB = 1024 * 1024


def _vietnam_tz() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no tz database on this host: Vietnam keeps UTC+7 all year since 1975
        return dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")


VN_TZ = _vietnam_tz()


def gettext_noop(message: str) -> str:
    """Mark a message for makemessages without importing Django (which needs settings)."""
    return message


def translate(message: str) -> str:
    """`message` (a gettext_noop msgid) in the active language when Django is configured."""
    try:
        from django.conf import settings

        if not settings.configured:
            return message
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # Django absent or not set up: a pure caller
        return message


# --- Package data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Organ:
    """An agency in From/To (vn-eoffice.md §2.2): `organ_id` is its code (QĐ 20/2020/QĐ-TTg)."""

    organ_id: str
    name: str = ""
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Staff:
    """StaffInfo: the official who handled the package."""

    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class ResponseFor:
    """The document a package answers: `code` is "number/notation"."""

    organ_id: str
    code: str
    promulgation_date: dt.date | None
    document_id: str


@dataclass(frozen=True)
class Attachment:
    """A file carried by the package; `data` is the file itself (unzipped)."""

    name: str
    content_type: str
    data: bytes
    description: str = ""
    content_id: str = ""


@dataclass(frozen=True)
class Trace:
    """TraceHeader: one hop of the package."""

    organ_id: str
    timestamp: dt.datetime | None


@dataclass(frozen=True)
class Receiver:
    """An update's change of the recipient list: receiver_type 0 removed, 1 added."""

    organ_id: str
    receiver_type: int


@dataclass(frozen=True)
class Replacement:
    """ReplacementInfo: the document replaced and the agencies concerned."""

    document_id: str
    organ_ids: tuple[str, ...]


@dataclass(frozen=True)
class Business:
    """Bussiness (sic): 0 new document, 1 revoke, 2 update, 3 replace (vn-eoffice.md §2.3)."""

    business_type: int = 0
    reason: str = ""
    document_id: str = ""
    paper: int = 0
    staff: Staff | None = None
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclass(frozen=True)
class DocumentPackage:
    """A document package (messagetype edoc).

    `document_id` "" is computed at construction from the sender, promulgation date, number and
    notation (`document_id()`); note that `dataclasses.replace` keeps the computed value.
    """

    sender: Organ
    recipients: tuple[Organ, ...]
    code_number: str
    code_notation: str
    promulgation_place: str
    promulgation_date: dt.date
    type_code: int
    type_detail: int
    type_name: str
    subject: str
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: dt.date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = 0
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: tuple[str, ...] = ()
    steering_type: int | None = None
    response_for: tuple[ResponseFor, ...] = ()
    traces: tuple[Trace, ...] = ()
    business: Business = Business()
    attachments: tuple[Attachment, ...] = ()
    document_id: str = ""

    def __post_init__(self) -> None:
        if not self.document_id and isinstance(self.promulgation_date, dt.date):
            object.__setattr__(
                self,
                "document_id",
                document_id(
                    self.sender.organ_id,
                    self.promulgation_date,
                    self.code_number,
                    self.code_notation,
                ),
            )


@dataclass(frozen=True)
class StatusPackage:
    """A status package (messagetype status): no body (vn-eoffice.md §2.4)."""

    sender: Organ
    response_for: ResponseFor
    status_code: str
    description: str = ""
    timestamp: dt.datetime | None = None
    staff: Staff = Staff()
    recipients: tuple[Organ, ...] = ()


Package = DocumentPackage | StatusPackage


@dataclass(frozen=True)
class Limits:
    """What parse() accepts. `max_total_attachment_bytes` bounds all unzipped files together."""

    max_package_bytes: int = 60 * MiB
    max_attachment_bytes: int = 40 * MiB
    max_attachments: int = 100
    max_unzip_ratio: int = 200
    max_total_attachment_bytes: int = 120 * MiB


@dataclass(frozen=True)
class Problem:
    """A finding: `code` stable, `field` the edXML element, `message` a Vietnamese msgid."""

    code: str
    field: str
    message: str

    @property
    def text(self) -> str:
        """The message in the active language (display time)."""
        return translate(self.message)


class EdxmlInvalid(ValueError):
    """build(): the package breaks a limit or format of QCVN 102:2016."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.text}" for p in self.problems)


class EdxmlRefused(ValueError):
    """parse(): the data is malformed, hostile or too large to be read.

    `code` is one of "too_large", "not_xml", "forbidden_dtd", "not_edxml", "missing_field",
    "bad_attachment"; `message` is a Vietnamese msgid; `detail` names what was wrong (never
    content of the package beyond an element name).
    """

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        self.code = code
        self.message = message
        self.detail = detail
        super().__init__(f"{code}: {message}" + (f" ({detail})" if detail else ""))

    def __str__(self) -> str:
        text = translate(self.message)
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Parsed:
    package: Package
    warnings: list[Problem]
    kind: Literal["document", "status"]
    signature_present: bool


@dataclass(frozen=True)
class SignatureCheck:
    """verify(): `valid` only when nothing is in `reasons`; `certificate` is the signer's DER."""

    present: bool
    valid: bool
    reasons: list[Problem] = field(default_factory=list)
    certificate: bytes | None = None
    agency_code: str | None = None


# --- Document identifiers -------------------------------------------------------------------


def format_date(value: dt.date) -> str:
    """yyyy/MM/dd, zero-padded (strftime's %Y is not padded below year 1000 everywhere)."""
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def document_id(organ_id: str, promulgation_date: dt.date, number: str, notation: str) -> str:
    """DocumentId "{OrganId},{yyyy/MM/dd},{Number}/{Notation}" (vn-eoffice.md §2.2)."""
    return f"{organ_id},{format_date(promulgation_date)},{number}/{notation}"


_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[/-](?P<m>\d{1,2})[/-](?P<y>\d{4})"),
)


def split_document_id(value: str) -> tuple[str, dt.date | None, str] | None:
    """(organ id, date or None, "number/notation") of a DocumentId, or None when it has no shape.

    Liberal: the date may also be written dd/MM/yyyy or with dashes; an impossible date
    (2014/02/30 in a vendor sample) gives None for the date, the rest is still returned.
    """
    parts = value.strip().split(",", 2)
    if len(parts) != 3:
        return None
    organ, date_text, code = (part.strip() for part in parts)
    if not organ or not code:
        return None
    return organ, _loose_date(date_text), code


def _loose_date(text: str) -> dt.date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None
