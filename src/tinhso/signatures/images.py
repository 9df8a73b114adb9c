"""Demo signature and seal images, drawn with Pillow: deterministic, transparent PNGs.

Nghị định 30/2020/NĐ-CP, Phụ lục I: the competent person's signature image is a blue PNG
with a transparent background; the agency seal image is a red PNG with a transparent
background, shown at its true size. Real agencies scan their signatures and seals; the demo
and the tests draw look-alikes from a name, the same picture for the same name every time.

Pure module: no Django, no clock, no randomness but a generator seeded by the name.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: Ink of a ballpoint pen, and of a seal pad.
SIGNATURE_BLUE = (20, 50, 170)
SEAL_RED = (214, 24, 32)

#: A seal of a state agency is round, about 36 mm across (Nghị định 99/2016/NĐ-CP on seals
#: leaves the exact size to the Ministry of Public Security; 35–36 mm is the usual size).
SEAL_DIAMETER_MM = 36.0
#: Resolution of the generated PNGs (written into the file, so a viewer knows the true size).
DEFAULT_DPI = 300

# Fonts with the Vietnamese letters, the first one present wins (Liberation 1.x lacks most of
# them: Debian's fonts-liberation2 has them, fonts-dejavu-core is everywhere).
_FONTS = Path("/usr/share/fonts/truetype")
_ITALIC_FONTS = (
    _FONTS / "liberation2/LiberationSerif-Italic.ttf",
    _FONTS / "dejavu/DejaVuSerif-Italic.ttf",
)
_BOLD_FONTS = (
    _FONTS / "liberation2/LiberationSans-Bold.ttf",
    _FONTS / "dejavu/DejaVuSans-Bold.ttf",
)
_SUPERSAMPLE = 3


def signature_image(name: str, *, dpi: int = DEFAULT_DPI, width_mm: float = 50.0) -> bytes:
    """A blue, handwriting-like signature for `name`, on a transparent background (PNG).

    The picture is `width_mm` wide and 2/5 as high at `dpi`; the same name gives the same bytes.
    """
    return _signature_image(unicodedata.normalize("NFC", name.strip()), dpi, width_mm)


def seal_image(
    agency_name: str, *, dpi: int = DEFAULT_DPI, diameter_mm: float = SEAL_DIAMETER_MM
) -> bytes:
    """A red round seal with `agency_name` around the ring and a star in the middle (PNG).

    Transparent outside the ink; `diameter_mm` across at `dpi` (the true size of a seal).
    """
    return _seal_image(unicodedata.normalize("NFC", agency_name.strip()), dpi, diameter_mm)


def pixels_for(mm: float, dpi: int) -> int:
    """How many pixels `mm` millimetres are at `dpi`."""
    return max(1, round(mm / 25.4 * dpi))


@functools.lru_cache(maxsize=64)
def _signature_image(name: str, dpi: int, width_mm: float) -> bytes:
    rng = random.Random(hashlib.sha256(name.encode("utf-8")).digest())  # noqa: S311 - a drawing, not a secret
    width = pixels_for(width_mm, dpi) * _SUPERSAMPLE
    height = width * 2 // 5
    stroke = max(2, width // 110)
    ink = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(ink)

    # The given name (last word of a Vietnamese full name) written large and slanted, the
    # initials of the other words small before it: how many officials sign.
    words = name.split() or ["?"]
    initials = "".join(word[0] for word in words[:-1])
    font = _font(_ITALIC_FONTS, height // 2)
    small = _font(_ITALIC_FONTS, height * 7 // 20)
    text_layer = Image.new("L", (width, height), 0)
    text_draw = ImageDraw.Draw(text_layer)
    x = width // 8
    baseline = height * 7 // 10
    if initials:
        text_draw.text((x, baseline), initials, font=small, fill=255, anchor="ls")
        x += int(small.getlength(initials)) + width // 40
    given = words[-1]
    text_draw.text((x, baseline), given, font=font, fill=255, anchor="ls", stroke_width=stroke // 3)
    text_end = x + int(font.getlength(given))
    slanted = text_layer.transform(
        text_layer.size, Image.Transform.AFFINE, (1, 0.25, -0.25 * height / 2, 0, 1, 0)
    )
    ink.paste(255, (0, 0), slanted)

    # A flourish: from the end of the name down and back under it, ending in a small hook.
    start = (text_end + width * 0.02, baseline - height * rng.uniform(0.1, 0.25))
    end = (width * rng.uniform(0.08, 0.11), height * rng.uniform(0.74, 0.8))
    sweep = [
        start,
        (text_end + width * rng.uniform(0.12, 0.2), height * rng.uniform(0.85, 0.95)),
        (width * rng.uniform(0.3, 0.45), height * rng.uniform(0.88, 0.95)),
        end,
    ]
    draw.line(_bezier(sweep), fill=255, width=stroke, joint="curve")
    hook = [
        end,
        (end[0] - width * 0.03, end[1] - height * 0.08),
        (end[0] + width * 0.01, end[1] - height * rng.uniform(0.15, 0.22)),
        (end[0] + width * 0.05, end[1] - height * rng.uniform(0.12, 0.18)),
    ]
    draw.line(_bezier(hook), fill=255, width=max(1, stroke * 2 // 3), joint="curve")

    return _png(_coloured(ink, SIGNATURE_BLUE), _SUPERSAMPLE, dpi, crop=True)


@functools.lru_cache(maxsize=64)
def _seal_image(agency_name: str, dpi: int, diameter_mm: float) -> bytes:
    size = pixels_for(diameter_mm, dpi) * _SUPERSAMPLE
    centre = size / 2
    outer = size / 2 - 1
    ring = size * 0.045
    inner = outer * 0.66
    ink = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(ink)
    draw.ellipse(_circle(centre, outer), outline=255, width=round(ring))
    draw.ellipse(_circle(centre, inner), outline=255, width=max(1, round(size * 0.012)))

    # The name runs clockwise around the ring, centred on the top, in capitals; the bottom
    # of the ring keeps a small star between its two ends.
    text = agency_name.upper() or "?"
    band = outer - ring - inner
    # The letters stand on a circle near the inner ring: capitals with Vietnamese marks above
    # them (Ủ, Ệ) need almost the whole band.
    text_radius = inner + band * 0.16
    available = math.radians(290) * text_radius
    font_size = round(band * 0.6)
    font = _font(_BOLD_FONTS, font_size)
    tracking = font_size * 0.12
    while font_size > 6 and _arc_length(font, text, tracking) > available:
        font_size -= 1
        font = _font(_BOLD_FONTS, font_size)
        tracking = font_size * 0.12
    _text_on_arc(ink, text, font, tracking, centre, text_radius)
    _star(draw, (centre, centre + text_radius), font_size * 0.45)
    _star(draw, (centre, centre), inner * 0.55)

    return _png(_coloured(ink, SEAL_RED), _SUPERSAMPLE, dpi)


def _arc_length(font: ImageFont.FreeTypeFont, text: str, tracking: float) -> float:
    return sum(font.getlength(char) + tracking for char in text)


def _text_on_arc(
    ink: Image.Image,
    text: str,
    font: ImageFont.FreeTypeFont,
    tracking: float,
    centre: float,
    radius: float,
) -> None:
    total = _arc_length(font, text, tracking)
    angle = -total / radius / 2  # radians from the top, clockwise
    cell = int(font.size * 2)
    for char in text:
        advance = font.getlength(char) + tracking
        middle = angle + advance / radius / 2
        glyph = Image.new("L", (cell, cell), 0)
        # Drawn with its baseline through the cell's middle, so that rotating about the
        # middle keeps the letters' feet on the circle.
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), char, font=font, fill=255, anchor="ms")
        rotated = glyph.rotate(-math.degrees(middle), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(middle) - cell / 2
        y = centre - radius * math.cos(middle) - cell / 2
        ink.paste(255, (round(x), round(y)), rotated)
        angle += advance / radius


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float) -> None:
    cx, cy = centre
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        a = math.pi / 5 * i
        points.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    draw.polygon(points, fill=255)


def _bezier(points: Sequence[tuple[float, float]], steps: int = 80) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    curve = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        curve.append(
            (
                u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
            )
        )
    return curve


def _circle(centre: float, radius: float) -> tuple[float, float, float, float]:
    return (centre - radius, centre - radius, centre + radius, centre + radius)


def _coloured(ink: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    picture = Image.new("RGBA", ink.size, (*colour, 0))
    picture.putalpha(ink)
    return picture


def _png(picture: Image.Image, supersample: int, dpi: int, *, crop: bool = False) -> bytes:
    if crop:
        # The picture is as large as its ink (plus a pen's width): the widget that shows it
        # is then centred on what a reader sees.
        box = picture.getchannel("A").getbbox()
        if box is not None:
            margin = 2 * supersample
            picture = picture.crop(
                (
                    max(0, box[0] - margin),
                    max(0, box[1] - margin),
                    min(picture.width, box[2] + margin),
                    min(picture.height, box[3] + margin),
                )
            )
    small = picture.resize(
        (picture.width // supersample, picture.height // supersample), Image.Resampling.LANCZOS
    )
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


@functools.lru_cache(maxsize=32)
def _font(candidates: tuple[Path, ...], size: int) -> ImageFont.FreeTypeFont:
    for path in candidates:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    default = ImageFont.load_default(size)  # Pillow's own, with FreeType: no Vietnamese marks
    if not isinstance(default, ImageFont.FreeTypeFont):
        raise FileNotFoundError("no TrueType font for the demo images: install fonts-dejavu-core")
    return default
