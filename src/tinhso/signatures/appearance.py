"""Where a visible signature goes and what it shows: Nghị định 30/2020/NĐ-CP, Phụ lục I.

- The competent person (`person_signature`): the blue signature image, centred between the
  position title ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH") and the full name, found in the text layer of
  the last page; a configurable box on the last page when the text cannot be found.
- The agency on a main document (`seal`): the red seal image at its true size (about 36 mm),
  over about a third of the person's signature, on its left.
- The agency on an attachment or appendix in a separate file (`attachment_box`), or on an
  electronic copy (`copy_box`, Điều 25–27): no image, but a box at the top right of page 1 with
  the number and notation (or the form of copy and the copying agency) and the signing time in
  ISO 8601 with Vietnam's offset, in Times New Roman 10 pt, upright, black (Liberation Serif,
  metric-compatible, where Times is absent).

`place(...)` turns one of these into a `Placement` (page, box in PDF points, pyHanko stamp
style) for `signing.sign_pdf`. Pure module: no Django, no clock (the time comes from `now`).
The labels printed in the PDF stay Vietnamese whatever the reader's language: they are part
of an official document, so they are not wrapped in gettext.
"""

from __future__ import annotations

import functools
import io
import logging
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle, TextStampStyle

logger = logging.getLogger(__name__)

#: A rectangle in PDF user space: (left, bottom, right, top), in points (1/72 inch).
Box = tuple[float, float, float, float]

MM = 72 / 25.4
#: Vietnam keeps UTC+7 all year (no daylight saving time).
VIETNAM = timezone(timedelta(hours=7), "ICT")

#: Fonts for the attachment/copy box, best first: Times New Roman where installed, then
#: Liberation Serif 2 (metric-compatible, with the Vietnamese letters), then DejaVu Serif.
#: Liberation Serif 1.x (Debian's fonts-liberation) lacks most Vietnamese letters and is
#: skipped by the coverage check.
SERIF_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf"),
    Path("/usr/share/fonts/truetype/msttcorefonts/times.ttf"),
    Path("/usr/share/fonts/truetype/times/times.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)
_VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"

# Sizes (Nghị định 30/2020 Phụ lục I gives no sizes for the signature image; these fit the
# usual signature block of a 14 pt document).
SIGNATURE_MAX_WIDTH_MM = 50.0
SIGNATURE_MAX_HEIGHT_MM = 22.0
SIGNATURE_MIN_HEIGHT_MM = 10.0
SEAL_DIAMETER_MM = 36.0


# --- What the signer asks for ----------------------------------------------------------------


@dataclass(frozen=True)
class PersonSignature:
    """The competent person's signature image between the position title and the full name."""

    image: bytes
    signer_name: str
    title: str = ""
    #: Where to put it on the last page when the name cannot be found in the text.
    fallback: Box | None = None
    max_width_mm: float = SIGNATURE_MAX_WIDTH_MM
    max_height_mm: float = SIGNATURE_MAX_HEIGHT_MM


@dataclass(frozen=True)
class Seal:
    """The agency's seal over the left third of the person's signature."""

    image: bytes
    diameter_mm: float = SEAL_DIAMETER_MM
    #: How much of the person's signature the seal covers, from its left edge.
    overlap: float = 1 / 3
    #: The person who signed before, to find the signature block by name when that signature
    #: is not visible; the last visible signature on the last page is used first.
    signer_name: str = ""
    title: str = ""
    #: The person's signature box on the last page when none is found.
    fallback: Box | None = None


@dataclass(frozen=True)
class InfoBox:
    """A box of text at the top right of page 1 (attachments, appendices and copies)."""

    #: Lines as %-templates; `signed_at` is filled in with the signing time.
    lines: tuple[str, ...]
    values: tuple[tuple[str, str], ...] = ()
    font_size: int = 10
    margin_top_mm: float = 7.0
    margin_right_mm: float = 15.0
    font_path: Path | None = None


Appearance = PersonSignature | Seal | InfoBox


def person_signature(
    *, image: bytes, signer_name: str, title: str = "", fallback: Box | None = None
) -> PersonSignature:
    """The competent person's visible signature (Nghị định 30/2020, Phụ lục I)."""
    return PersonSignature(image=image, signer_name=signer_name, title=title, fallback=fallback)


def seal(
    *,
    image: bytes,
    diameter_mm: float = SEAL_DIAMETER_MM,
    signer_name: str = "",
    title: str = "",
    fallback: Box | None = None,
) -> Seal:
    """The agency's seal at its true size over a third of the person's signature (Phụ lục I)."""
    return Seal(
        image=image,
        diameter_mm=diameter_mm,
        signer_name=signer_name,
        title=title,
        fallback=fallback,
    )


def attachment_box(*, number_notation: str) -> InfoBox:
    """An attachment or appendix in its own file: number, notation and signing time (Phụ lục I)."""
    return InfoBox(
        lines=("Số, ký hiệu: %(number_notation)s", "Thời gian ký: %(signed_at)s"),
        values=(("number_notation", number_notation),),
    )


def copy_box(*, copy_form: str, agency_name: str, number_notation: str = "") -> InfoBox:
    """An electronic copy: form of copy, copying agency, signing time (Điều 25–27, Phụ lục I).

    `copy_form` is "SAO Y", "TRÍCH SAO" or "SAO LỤC"; `number_notation` that of the copy.
    """
    lines = ["%(copy_form)s", "%(agency_name)s"]
    if number_notation:
        lines.append("Số, ký hiệu: %(number_notation)s")
    lines.append("Thời gian ký: %(signed_at)s")
    return InfoBox(
        lines=tuple(lines),
        values=(
            ("copy_form", copy_form.upper()),
            ("agency_name", agency_name),
            ("number_notation", number_notation),
        ),
    )


def signing_time_text(moment: datetime) -> str:
    """The signing time as printed: ISO 8601 with Vietnam's offset, e.g. 2026-11-26T14:03:12+07:00."""
    if moment.tzinfo is None:
        raise ValueError("the signing time must carry its time zone")
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


# --- Where it goes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A visible signature ready for pyHanko: page index (-1 = last), box, stamp style."""

    page: int
    box: Box
    style: BaseStampStyle
    text_params: dict[str, str] = field(default_factory=dict)


def place(
    appearance: Appearance, *, data: bytes, reader: PdfFileReader, now: datetime
) -> Placement:
    """Decide the page, the box and the look of `appearance` on the PDF `data`.

    `reader` is pyHanko's reader of the same bytes (the signing writer's); the text layer is
    read with pypdf, only for the signature block on the last page.
    """
    if isinstance(appearance, InfoBox):
        return _place_info_box(appearance, reader=reader, now=now)
    page_box = _page_box(reader, -1)
    if isinstance(appearance, PersonSignature):
        image = _prepared_image(appearance.image)
        box = _person_box(
            image,
            block=_signature_block(
                data, page_box, name=appearance.signer_name, title=appearance.title
            ),
            page_box=page_box,
            fallback=appearance.fallback,
            max_width=appearance.max_width_mm * MM,
            max_height=appearance.max_height_mm * MM,
        )
        return Placement(page=-1, box=box, style=ImageStampStyle(image=image))
    image = _prepared_image(appearance.image)
    person = _last_visible_signature(reader)
    if person is None:
        block = _signature_block(
            data, page_box, name=appearance.signer_name, title=appearance.title
        )
        if block is None and appearance.fallback is not None:
            person = appearance.fallback
        else:
            person = _person_box(
                None,
                block=block,
                page_box=page_box,
                fallback=None,
                max_width=SIGNATURE_MAX_WIDTH_MM * MM,
                max_height=SIGNATURE_MAX_HEIGHT_MM * MM,
            )
    return Placement(
        page=-1,
        box=_seal_box(person, diameter=appearance.diameter_mm * MM, overlap=appearance.overlap),
        style=ImageStampStyle(image=image, multiply=True),
    )


def _seal_box(person: Box, *, diameter: float, overlap: float) -> Box:
    left, bottom, right, top = person
    seal_right = left + (right - left) * overlap
    middle = (bottom + top) / 2
    return (seal_right - diameter, middle - diameter / 2, seal_right, middle + diameter / 2)


@dataclass(frozen=True)
class SignatureBlock:
    """The free space for a signature: between the title (if found) and the name."""

    centre_x: float
    bottom: float  # the top of the name
    top: float | None  # the bottom of the title


def _person_box(
    image: PreparedImage | None,
    *,
    block: SignatureBlock | None,
    page_box: Box,
    fallback: Box | None,
    max_width: float,
    max_height: float,
) -> Box:
    aspect = image.width / image.height if image is not None else max_width / max_height
    if block is None:
        target = fallback or _default_person_box(page_box, max_width, max_height)
        # Keep the picture's proportions inside the configured box.
        left, bottom, right, top = target
        width, height = _fit(aspect, right - left, top - bottom)
        centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
    else:
        room = (block.top - block.bottom) if block.top is not None else max_height
        height = max(min(room - 2, max_height), SIGNATURE_MIN_HEIGHT_MM * MM)
        width, height = _fit(aspect, max_width, height)
        centre_x = block.centre_x
        centre_y = block.bottom + (room / 2 if block.top is not None else height / 2 + 2)
    return (
        centre_x - width / 2,
        centre_y - height / 2,
        centre_x + width / 2,
        centre_y + height / 2,
    )


def _fit(aspect: float, width: float, height: float) -> tuple[float, float]:
    if width / height > aspect:
        return height * aspect, height
    return width, width / aspect


def _default_person_box(page_box: Box, width: float, height: float) -> Box:
    # The right column of the signature block, about a third up the last page.
    left, bottom, right, top = page_box
    centre_x = left + (right - left) * 0.7
    centre_y = bottom + (top - bottom) * 0.3
    return (
        centre_x - width / 2,
        centre_y - height / 2,
        centre_x + width / 2,
        centre_y + height / 2,
    )


def _place_info_box(box: InfoBox, *, reader: PdfFileReader, now: datetime) -> Placement:
    values = dict(box.values)
    values["signed_at"] = signing_time_text(now)
    lines = [line % values for line in box.lines]
    font_path = box.font_path or serif_font_path()
    metrics = _font_metrics(font_path)
    padding = 2.0
    leading = round(box.font_size * 1.2)
    width = max(metrics.width(line, box.font_size) for line in lines) + 2 * padding + 1
    height = leading * len(lines) + 2 * padding + 2
    _left, _bottom, right, top = _page_box(reader, 0)
    box_right = right - box.margin_right_mm * MM
    box_top = top - box.margin_top_mm * MM
    style = TextStampStyle(
        border_width=0,
        stamp_text="\n".join(box.lines),
        text_box_style=TextBoxStyle(
            font=CachedFontFactory(font_path, box.font_size),
            font_size=box.font_size,
            leading=leading,
            text_color=(0, 0, 0),
            # pyHanko's default keeps 10 pt around the text inside the text box.
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins(),
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(int(padding)),  # type: ignore[no-untyped-call]
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )
    return Placement(
        page=0,
        box=(box_right - width, box_top - height, box_right, box_top),
        style=style,
        text_params=values,
    )


# --- The text layer of the last page ---------------------------------------------------------


@dataclass
class TextLine:
    """A run of text on one baseline, normalised (NFC, lower case, single spaces), with the
    horizontal extent of each of its characters, in PDF user space."""

    text: str
    spans: list[tuple[float, float]]
    baseline: float
    size: float

    @property
    def left(self) -> float:
        return self.spans[0][0]

    @property
    def right(self) -> float:
        return self.spans[-1][1]

    def find(self, needle: str) -> tuple[float, float] | None:
        """The horizontal extent of the last occurrence of `needle` (normalised) in the line."""
        at = self.text.rfind(needle)
        if at < 0 or not needle:
            return None
        return self.spans[at][0], self.spans[at + len(needle) - 1][1]


def normalise(text: str) -> str:
    """NFC, lower case, whitespace collapsed: how names are compared with the text layer."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def text_lines(data: bytes, page_index: int = -1) -> list[TextLine]:
    """The lines of text on a page with their positions (pypdf's text extraction).

    Text that is rotated or mirrored is left out: a signature block is upright.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    page = reader.pages[page_index]
    collector = _TextCollector()
    page.extract_text(visitor_text=collector.visit)
    return _merge_runs(collector.runs)


@dataclass
class _Run:
    origin: tuple[float, float]
    size: float
    chars: list[tuple[str, float, float]] = field(default_factory=list)
    cursor: float = 0.0
    closed: bool = False


class _TextCollector:
    def __init__(self) -> None:
        self.runs: list[_Run] = []
        self._fonts: dict[int, Any] = {}

    def visit(
        self, text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: Any
    ) -> None:
        if not text or not font:
            return
        try:
            font_size = float(size)
        except (TypeError, ValueError):
            return
        # The text space → user space matrix (Tm × CTM), without the font size.
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        origin = (round(x, 2), round(y, 2))
        run = self.runs[-1] if self.runs else None
        # pypdf reports the text matrix at the start of a line for every piece of it (a font
        # change splits a line, e.g. a glyph taken from a fallback font): pieces with the same
        # origin continue the run where the last one ended.
        if run is None or run.closed or run.origin != origin:
            # pypdf puts a space of its own before text drawn after a gap on the same line;
            # the text's origin is that of its first glyph, so the space goes.
            text = text.lstrip(" ")
            run = _Run(origin=origin, size=font_size * d, cursor=x)
            self.runs.append(run)
        widths = self._widths(font)
        scale = font_size * a / 1000
        for char in text:
            if char == "\n":
                run.closed = True
                continue
            advance = widths(char) * scale
            run.chars.append((char, run.cursor, run.cursor + advance))
            run.cursor += advance

    def _widths(self, font: Any) -> Any:
        key = id(font)
        if key not in self._fonts:
            self._fonts[key] = _glyph_widths(font)
        return self._fonts[key]


def _glyph_widths(font: Any) -> Any:
    """A function: character → advance in 1/1000 em, from the PDF font's widths.

    pypdf's `Font` (a private class of pypdf 6–7) keys the widths by character code and maps
    codes to Unicode; where it is missing or fails, half an em per character is close enough
    to centre a signature on a name.
    """
    try:
        from pypdf.generic._font import Font

        parsed = Font.from_font_resource(font)
        widths: dict[str, float] = dict(parsed.character_widths)
        codes = {text: code for code, text in (parsed.character_map or {}).items()}
        default = float(widths.get("default", 500) or 500)
    except Exception:  # a font pypdf cannot read: fall back to an average width
        logger.debug("font widths unavailable", exc_info=True)
        return lambda char: 500.0

    def width(char: str) -> float:
        value = widths.get(codes.get(char, char))
        return float(value) if value else default

    return width


def _merge_runs(runs: Iterable[_Run]) -> list[TextLine]:
    # Runs on one baseline (within a third of the font size) form a row; in a row, runs that
    # follow each other closely (less than an em apart) are one line, others (the cells of a
    # table: "Nơi nhận" on the left, the title on the right) stay apart.
    rows: list[list[_Run]] = []
    for run in sorted((run for run in runs if run.chars), key=lambda run: -run.origin[1]):
        if rows and abs(rows[-1][0].origin[1] - run.origin[1]) < 0.3 * max(
            rows[-1][0].size, run.size
        ):
            rows[-1].append(run)
        else:
            rows.append([run])
    result = []
    for row in rows:
        row.sort(key=lambda run: run.chars[0][1])
        chars = list(row[0].chars)
        size = row[0].size
        for run in row[1:]:
            gap = run.chars[0][1] - chars[-1][2]
            size = max(size, run.size)
            if -0.5 * size < gap < size:
                if gap > 0.2 * size and chars[-1][0] != " " and run.chars[0][0] != " ":
                    chars.append((" ", chars[-1][2], run.chars[0][1]))
                chars.extend(run.chars)
                continue
            line = _normalised_line(chars, row[0].origin[1], size)
            if line is not None:
                result.append(line)
            chars, size = list(run.chars), run.size
        line = _normalised_line(chars, row[0].origin[1], size)
        if line is not None:
            result.append(line)
    return result


def _normalised_line(
    chars: Sequence[tuple[str, float, float]], baseline: float, size: float
) -> TextLine | None:
    text: list[str] = []
    spans: list[tuple[float, float]] = []
    for char, left, right in chars:
        if char.isspace():
            if text and text[-1] != " ":
                text.append(" ")
                spans.append((left, right))
            continue
        if unicodedata.combining(char) and text:
            # A decomposed letter (e + ̂ + ́): composed with the one before, as NFC does.
            composed = unicodedata.normalize("NFC", text[-1] + char)
            if len(composed) == 1:
                text[-1] = composed
                spans[-1] = (spans[-1][0], max(spans[-1][1], right))
                continue
        lowered = unicodedata.normalize("NFC", char).lower()
        text.append(lowered if len(lowered) == 1 else char)
        spans.append((left, right))
    while text and text[-1] == " ":
        text.pop()
        spans.pop()
    if not text:
        return None
    return TextLine(text="".join(text), spans=spans, baseline=baseline, size=size)


def _signature_block(data: bytes, page_box: Box, *, name: str, title: str) -> SignatureBlock | None:
    try:
        lines = text_lines(data, -1)
    except Exception:  # an unreadable text layer: the configured box is used instead
        logger.info("no text layer for the signature block", exc_info=True)
        return None
    return find_signature_block(lines, page_box=page_box, name=name, title=title)


def find_signature_block(
    lines: Sequence[TextLine], *, page_box: Box, name: str, title: str = ""
) -> SignatureBlock | None:
    """The space between the position title and the full name (the lowest such on the page).

    The name is looked up first; without it (not given, or typed otherwise in the document),
    the lowest line in the right half of the page with a large gap above it is taken as the
    name line of the signature block.
    """
    wanted = normalise(name)
    found: tuple[TextLine, float, float] | None = None
    if wanted:
        for line in lines:
            extent = line.find(wanted)
            if extent is not None and (found is None or line.baseline < found[0].baseline):
                found = (line, *extent)
    if found is None:
        found = _name_line_by_gap(lines, page_box)
    if found is None:
        return None
    name_line, left, right = found
    centre_x = (left + right) / 2
    above = _title_line(
        lines, name_line, centre_x=centre_x, half_width=(right - left) / 2, title=title
    )
    name_top = name_line.baseline + 0.8 * name_line.size
    if above is None:
        return SignatureBlock(centre_x=centre_x, bottom=name_top, top=None)
    return SignatureBlock(
        centre_x=centre_x, bottom=name_top, top=above.baseline - 0.25 * above.size
    )


def _title_line(
    lines: Sequence[TextLine],
    name_line: TextLine,
    *,
    centre_x: float,
    half_width: float,
    title: str,
) -> TextLine | None:
    reach = 16 * name_line.size
    candidates = [
        line
        for line in lines
        if name_line.baseline < line.baseline <= name_line.baseline + reach
        and line.left - half_width <= centre_x <= line.right + half_width
    ]
    wanted = normalise(title)
    if wanted:
        titled = [line for line in candidates if wanted in line.text]
        if titled:
            return min(titled, key=lambda line: line.baseline)
    return min(candidates, key=lambda line: line.baseline, default=None)


def _name_line_by_gap(
    lines: Sequence[TextLine], page_box: Box
) -> tuple[TextLine, float, float] | None:
    middle = (page_box[0] + page_box[2]) / 2
    best: TextLine | None = None
    for line in lines:
        if (line.left + line.right) / 2 <= middle:
            continue
        above = [
            other
            for other in lines
            if other.baseline > line.baseline
            and other.left <= (line.left + line.right) / 2 <= other.right
        ]
        if not above:
            continue
        nearest = min(above, key=lambda other: other.baseline)
        gap = nearest.baseline - line.baseline
        if 3 * line.size <= gap <= 16 * line.size and (
            best is None or line.baseline < best.baseline
        ):
            best = line
    if best is None:
        return None
    return best, best.left, best.right


# --- The PDF side: pages, earlier signatures -------------------------------------------------


def _page_box(reader: PdfFileReader, page_index: int) -> Box:
    page = reader.find_page_for_modification(page_index)[0].get_object()  # type: ignore[no-untyped-call]
    media = _inherited(page, "/MediaBox")
    crop = _inherited(page, "/CropBox")
    box = _as_box(media) or (0.0, 0.0, 595.28, 841.89)  # A4 when the page says nothing
    cropped = _as_box(crop)
    if cropped is not None:
        box = (
            max(box[0], cropped[0]),
            max(box[1], cropped[1]),
            min(box[2], cropped[2]),
            min(box[3], cropped[3]),
        )
    return box


def _inherited(page: generic.DictionaryObject, key: str) -> Any:
    node: Any = page
    for _ in range(64):  # a cyclic /Parent chain ends here
        if not isinstance(node, generic.DictionaryObject):
            return None
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _as_box(value: Any) -> Box | None:
    try:
        numbers = [float(item) for item in value]
    except (TypeError, ValueError):
        return None
    if len(numbers) != 4:
        return None
    left, right = sorted((numbers[0], numbers[2]))
    bottom, top = sorted((numbers[1], numbers[3]))
    if right - left < 1 or top - bottom < 1:
        return None
    return (left, bottom, right, top)


def _last_visible_signature(reader: PdfFileReader) -> Box | None:
    """The box of the last signed, visible signature widget on the last page."""
    page = reader.find_page_for_modification(-1)[0].get_object()  # type: ignore[no-untyped-call]
    annotations = page.get("/Annots")
    if annotations is None:
        return None
    found: Box | None = None
    for reference in annotations.get_object():
        widget = reference.get_object()
        if not isinstance(widget, generic.DictionaryObject):
            continue
        if widget.get("/Subtype") != "/Widget":
            continue
        field_dict = widget
        if "/FT" not in widget and "/Parent" in widget:
            field_dict = widget["/Parent"].get_object()
        if field_dict.get("/FT") != "/Sig" or "/V" not in field_dict:
            continue
        box = _as_box(widget.get("/Rect"))
        if box is not None:
            found = box
    return found


# --- Drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedImage:
    """A PNG decoded once: deflated RGB samples and alpha mask, ready to embed in any PDF."""

    width: int
    height: int
    rgb: bytes
    alpha: bytes | None


class UnreadableImage(ValueError):
    """The signature or seal image is not a picture Pillow can read."""


@functools.lru_cache(maxsize=64)
def _prepared_image(png: bytes) -> PreparedImage:
    try:
        picture = Image.open(io.BytesIO(png))
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableImage("the signature image cannot be read") from exc
    rgba = picture.convert("RGBA")
    alpha = rgba.getchannel("A")
    opaque = alpha.getextrema() == (255, 255)
    return PreparedImage(
        width=rgba.width,
        height=rgba.height,
        rgb=zlib.compress(rgba.convert("RGB").tobytes(), 6),
        alpha=None if opaque else zlib.compress(alpha.tobytes(), 6),
    )


def _number(value: int) -> generic.NumberObject:
    return generic.NumberObject(value)  # type: ignore[no-untyped-call]


def _image_xobject(image: PreparedImage, writer: BasePdfFileWriter) -> generic.IndirectObject:
    def stream(colour_space: str, data: bytes) -> generic.StreamObject:
        return generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): _number(image.width),
                pdf_name("/Height"): _number(image.height),
                pdf_name("/ColorSpace"): pdf_name(colour_space),
                pdf_name("/BitsPerComponent"): _number(8),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            },
            encoded_data=data,
        )

    picture = stream("/DeviceRGB", image.rgb)
    if image.alpha is not None:
        picture[pdf_name("/SMask")] = writer.add_object(stream("/DeviceGray", image.alpha))
    return writer.add_object(picture)


@dataclass(frozen=True)
class ImageStampStyle(BaseStampStyle):
    """A signature appearance that is only a picture, filling the widget.

    `multiply`: blend like ink on paper, so a seal over a signature lets it show through.
    """

    image: PreparedImage | None = None
    multiply: bool = False
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> ImageStamp:
        return ImageStamp(writer=writer, style=self, box=box)


class ImageStamp(BaseStamp):
    style: ImageStampStyle

    def render(self) -> bytes:
        image = self.style.image
        assert image is not None and self.writer is not None
        self.set_resource(
            category=ResourceType.XOBJECT,
            name=pdf_name("/Img"),
            value=_image_xobject(image, self.writer),
        )
        commands = [b"q"]
        if self.style.multiply:
            self.set_resource(
                category=ResourceType.EXT_G_STATE,
                name=pdf_name("/Ink"),
                value=generic.DictionaryObject(  # type: ignore[no-untyped-call]
                    {pdf_name("/BM"): pdf_name("/Multiply")}
                ),
            )
            commands.append(b"/Ink gs")
        commands.append(b"%g 0 0 %g 0 0 cm /Img Do" % (self.box.width, self.box.height))
        commands.append(b"Q")
        return b" ".join(commands)


# --- Fonts -----------------------------------------------------------------------------------


def serif_font_path() -> Path:
    """Times New Roman if installed, else the first serif font with the Vietnamese letters."""
    return _serif_font_path(SERIF_FONTS)


@functools.lru_cache(maxsize=4)
def _serif_font_path(candidates: tuple[Path, ...]) -> Path:
    for path in candidates:
        if path.exists() and _font_metrics(path).covers(_VIETNAMESE):
            return path
    raise FileNotFoundError(
        "no serif font with the Vietnamese letters: install fonts-liberation2 (Debian)"
    )


@dataclass(frozen=True)
class FontMetrics:
    data: bytes
    units_per_em: int
    advances: dict[int, int]  # code point → advance width in font units

    def covers(self, text: str) -> bool:
        return all(ord(char) in self.advances for char in text)

    def width(self, text: str, size: float) -> float:
        fallback = self.units_per_em // 2
        return (
            sum(self.advances.get(ord(char), fallback) for char in text) * size / self.units_per_em
        )


@functools.lru_cache(maxsize=8)
def _font_metrics(path: Path) -> FontMetrics:
    from fontTools.ttLib import TTFont

    data = path.read_bytes()
    font = TTFont(io.BytesIO(data), lazy=True)
    metrics = font["hmtx"].metrics
    advances = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
    return FontMetrics(data=data, units_per_em=font["head"].unitsPerEm, advances=advances)


class CachedFontFactory(FontEngineFactory):
    """pyHanko's OpenType glyph accumulator over font bytes read once per process.

    (pyHanko's `GlyphAccumulatorFactory` opens the file for every signature and leaves it open.)
    """

    def __init__(self, path: Path, font_size: int) -> None:
        self.path = path
        self.font_size = font_size

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return ThousandthsGlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_metrics(self.path).data),
            font_size=self.font_size,
            bcp47_lang_code="vi",
            obj_stream=obj_stream,
        )


class ThousandthsGlyphAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator with glyph widths in thousandths of an em.

    PDF wants the /W widths of a CIDFont and the TJ adjustments in 1/1000 text space units;
    pyHanko 0.38 writes font units, right only for fonts of 1000 units per em (most CFF fonts).
    TrueType fonts such as Times New Roman and Liberation Serif have 2048, and their text came
    out twice as widely spaced. Shaping and widths are scaled to 1000 units per em here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._to_thousandths = 1000 / self.units_per_em
        self.units_per_em = 1000
        self.hb_font.scale = (1000, 1000)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        cached = self._glyphs.get(glyph_id)
        if cached is not None:
            return cached
        cid, width = super()._get_cid_and_width(glyph_id)
        self._glyphs[glyph_id] = result = (cid, round(width * self._to_thousandths))
        return result
