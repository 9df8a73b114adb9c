"""Parsers for the flattened text of national-catalogue records (dichvucong.gov.vn pages).

A scraped record squashes each table of the catalogue page into one string, cells glued
together without separators:

- `cach_thuc_thuc_hien`: "Hình thức nộpThời gianPhí, lệ phíMô tả" then, per channel,
  "Trực tiếp3 Ngày làm việc1,500,000 VNĐ(note)description", "Trực tuyến1Miễn phí", …
- `thanh_phan_ho_so`: section titles ("* Giấy tờ phải nộp:", "--", "a) Đối với …:"), the
  header "Tên giấy tờMẫu đơn, tờ khaiSố lượng", then items "name[form file]1 bản chính" or
  "…0 bản chính,1 bản sao";
- `cap_thuc_hien`: "Cấp tỉnh, Cấp xã";
- `ket_qua_xu_ly`: "Giấy khai sinhMã: KQ.G15.000031Từ khóa…".

Pure functions of strings: no database, no clock. What cannot be read is reported, never
guessed silently (the importer turns it into a note or an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

NO_INFORMATION: Final = "Không có thông tin"
CHANNEL_HEADER: Final = "Hình thức nộpThời gianPhí, lệ phíMô tả"
COMPONENT_HEADER: Final = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER: Final = "Tên văn bản pháp lýMã văn bản"

COUNTER: Final = "Trực tiếp"
ONLINE: Final = "Trực tuyến"
POST: Final = "Dịch vụ bưu chính"

# A channel name starts a block only when a time or a fee follows it: a description may
# mention "Trực tiếp" in a sentence.
_CHANNEL = re.compile(rf"({ONLINE}|{COUNTER}|{POST})(?=\s*(?:\d|Miễn|Không))")
_CURRENCY = r"(VNĐ|VND|Việt Nam Đồng|đồng|USD)"
_AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d{1,2})?)"
_FEE_AT_START = re.compile(rf"\s*{_AMOUNT}\s*{_CURRENCY}", re.IGNORECASE)
_TIME_AT_START = re.compile(
    r"\s*(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng)?", re.IGNORECASE
)
_UNITS: Final = {
    "ngày làm việc": "working_days",
    "giờ làm việc": "working_hours",
    "giờ": "working_hours",
    "ngày": "calendar_days",
    "tháng": "months",
}
_LEVELS: Final = {
    "bộ": "central",
    "bộ, ngành": "central",
    "trung ương": "central",
    "tỉnh": "province",
    "huyện": "district",
    "xã": "commune",
}
_LEVEL = re.compile(r"Cấp\s+(bộ, ngành|bộ|trung ương|tỉnh|huyện|xã)", re.IGNORECASE)
_ITEM = re.compile(
    r"(?P<body>.*?)(?:(?P<originals>\d+)\s*bản chính(?:\s*,\s*(?P<copies>\d+)\s*bản sao)?"
    r"|(?P<copies_only>\d+)\s*bản sao)",
    re.DOTALL,
)
_FORM_EXTENSION = re.compile(r"\.(docx?|pdf|xlsx?|rtf|odt)$", re.IGNORECASE)
_RESULT_CODE = re.compile(r"Mã:\s*(KQ\.[A-Z]\d+\.\d+)")
_RESULT_END = re.compile(r"Mã:|Từ khóa|Chọn cơ quan thực hiện")


def clean(text: object) -> str:
    """The text trimmed; "" for the catalogue's "Không có thông tin" and for non-strings."""
    if not isinstance(text, str):
        return ""
    value = text.strip()
    return "" if value == NO_INFORMATION else value


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """One channel of `cach_thuc_thuc_hien`: its time (None when absent) and fee text."""

    channel: str
    amount: Decimal | None
    unit: str | None  # a TimeUnit value, None when the catalogue gives no unit
    fee_text: str


def parse_amount(text: str) -> Decimal | None:
    """ "1,500,000" and "1.500.000" as 1500000, "25" as 25, "0,5" as 0.5; None if unreadable."""
    raw = text.strip()
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        raw = raw.replace(",", "").replace(".", "")
    else:
        raw = raw.replace(",", ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def parse_channels(text: str) -> list[ChannelInfo]:
    """The channels of `cach_thuc_thuc_hien` in the order the page lists them."""
    body = clean(text).replace(CHANNEL_HEADER, "")
    parts = _CHANNEL.split(body)
    channels: list[ChannelInfo] = []
    for name, block in zip(parts[1::2], parts[2::2], strict=True):
        amount: Decimal | None = None
        unit: str | None = None
        rest = block
        if not _FEE_AT_START.match(block):
            match = _TIME_AT_START.match(block)
            if match and match.group(1):
                amount = parse_amount(match.group(1))
                unit = _UNITS[match.group(2).lower()] if match.group(2) else None
                rest = block[match.end() :]
        channels.append(ChannelInfo(name, amount, unit, rest.strip()))
    return channels


@dataclass(frozen=True, slots=True)
class ParsedFee:
    name: str
    amount: Decimal
    currency: str
    note: str


def _balanced(text: str) -> tuple[str, str]:
    """(the parenthetical at the start of `text` without its outer brackets, the rest)."""
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[1:index].strip(), text[index + 1 :]
    return text[1:].strip(), ""  # unbalanced: the note runs to the end


def _fee_name(note: str) -> str:
    lowered = note.lower()
    if "lệ phí" in lowered:
        return "Lệ phí"
    if "phí" in lowered:
        return "Phí"
    return "Phí, lệ phí"


def parse_fees(text: str) -> list[ParsedFee]:
    """The fees at the start of a channel's fee text; [] for "Miễn phí" or no information."""
    rest = clean(text)
    fees: list[ParsedFee] = []
    while True:
        match = _FEE_AT_START.match(rest)
        if match is None:
            return fees
        amount = parse_amount(match.group(1))
        rest = rest[match.end() :].lstrip()
        note = ""
        if rest.startswith("("):
            note, rest = _balanced(rest)
        if amount is None:
            return fees
        currency = "USD" if match.group(2).upper() == "USD" else "VND"
        fees.append(ParsedFee(_fee_name(note), amount, currency, " ".join(note.split())))


def parse_levels(text: str) -> tuple[list[str], str]:
    """(ProcedureLevel values in text order without repeats, what was not understood)."""
    value = clean(text)
    levels: list[str] = []
    for match in _LEVEL.finditer(value):
        level = _LEVELS[match.group(1).lower()]
        if level not in levels:
            levels.append(level)
    leftover = _LEVEL.sub("", value)
    leftover = ", ".join(part.strip() for part in leftover.split(",") if part.strip())
    return levels, leftover


@dataclass(frozen=True, slots=True)
class ParsedComponent:
    name: str
    originals: int
    copies: int
    form_template: str
    shown_only: bool  # a paper shown at the desk ("giấy tờ phải xuất trình"), not handed in


def _split_form(body: str) -> tuple[str, str]:
    """(name, form file) of an item whose text ends with a form's file name.

    The file name follows the item's text without a space: after a sentence mark
    ("…Bộ Công an.NA5 (1).doc", "Tờ khai theo mẫu;Mau 6.6.docx") or glued to the last word
    ("theo mẫuTK 1.010702.docx"). The split is the right-most such place; a dot between two
    digits belongs to a number ("6.6"), and the extension's own dot is not a split.
    """
    extension = _FORM_EXTENSION.search(body)
    if extension is None:
        return body, ""
    stem_end = extension.start()
    split = -1
    for index in range(stem_end - 1):
        char, following = body[index], body[index + 1]
        if following.isspace():
            continue
        if (
            char in ".;:" and not (index > 0 and body[index - 1].isdigit() and following.isdigit())
        ) or (char.islower() and following.isupper()):
            split = index + 1
    if split <= 0:
        return body[:stem_end], body
    return body[:split], body[split:]


def _clean_name(text: str) -> str:
    name = " ".join(text.split())
    name = name.lstrip("-+*• ").strip()
    return name.rstrip(";:,. ").strip()


def parse_components(text: str) -> list[ParsedComponent]:
    """The papers of `thanh_phan_ho_so`, in order.

    Items with no original and no copy are notes of the page (conditions, explanations) and
    are left out, as are the items of a "Lưu ý" section; the items of a "phải xuất trình"
    section are marked `shown_only`.
    """
    sections = clean(text).split(COMPONENT_HEADER)
    title = sections[0]
    components: list[ParsedComponent] = []
    for section in sections[1:]:
        lowered = title.lower()
        shown_only = "xuất trình" in lowered
        notes_only = "lưu ý" in lowered
        end = 0
        for match in _ITEM.finditer(section):
            end = match.end()
            originals = int(match.group("originals") or 0)
            copies = int(match.group("copies") or match.group("copies_only") or 0)
            if notes_only or (originals == 0 and copies == 0):
                continue
            name, form = _split_form(match.group("body").strip())
            name = _clean_name(name)
            if not name:
                continue
            components.append(ParsedComponent(name, originals, copies, form.strip(), shown_only))
        title = section[end:]
    return components


def parse_result(text: str) -> tuple[str, str]:
    """(result name, result code such as KQ.G15.000031) of `ket_qua_xu_ly`."""
    value = clean(text)
    code_match = _RESULT_CODE.search(value)
    end = _RESULT_END.search(value)
    name = value[: end.start()] if end else value
    return _clean_name(name), code_match.group(1) if code_match else ""


def strip_header(text: str, header: str) -> str:
    return clean(text).replace(header, "", 1).strip()
