"""The machine-readable marks printed on Mẫu 01: a QR code to the public tracking page and a
Code128 barcode of the dossier code, both as inline SVG (no image file, no network).

vn-onestop §2 (Mẫu 01: "mã hồ sơ, often also printed as a Code128 barcode and QR code") and §1
("Status lookup … by the QR code on the dossier").
"""

from __future__ import annotations

import io
import re

import barcode
import segno
from barcode.writer import SVGWriter

from tinhso.dossiers import notify
from tinhso.dossiers.models import Dossier

#: Printed size of the QR code, quiet zone included (ISO/IEC 18004 asks four modules).
QR_SIZE_MM = 24
QR_BORDER = 4
#: Narrowest bar of the barcode: 0,25 mm reads with any counter scanner at 10 cm.
BAR_WIDTH_MM = 0.25
BAR_HEIGHT_MM = 9.0

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: python-barcode paints with `style="fill:black;"`: a presentation attribute instead, which
#: an SVG inside HTML understands without going through the HTML style cascade.
_FILL_STYLE = re.compile(r'style="fill:\s*([#a-zA-Z0-9]+);?"')


def tracking_url(d: Dossier) -> str:
    """What the QR code of Mẫu 01 holds: the public tracking page of the dossier."""
    return notify.public_url(d)


def qr_code(payload: str) -> segno.QRCode:
    """The QR symbol for `payload`, error correction M (15 %): survives a stamp or a crease."""
    return segno.make_qr(payload, error="m", boost_error=False)


def qr_svg(payload: str) -> str:
    """`payload` as an inline `<svg>` element, QR_SIZE_MM wide, quiet zone included."""
    symbol = qr_code(payload)
    modules = symbol.symbol_size(scale=1, border=QR_BORDER)[0]
    out = io.BytesIO()
    symbol.save(
        out,
        kind="svg",
        scale=QR_SIZE_MM / modules,
        border=QR_BORDER,
        unit="mm",
        xmldecl=False,
        svgclass="qr",
        lineclass=None,
        nl=False,
    )
    return _inline(out.getvalue().decode("ascii"))


def barcode_svg(code: str) -> str:
    """`code` as a Code128 barcode, an inline `<svg>` element without the human-readable
    line (the form prints the code in its own font next to it)."""
    symbol = barcode.get("code128", code, writer=SVGWriter())
    out = io.BytesIO()
    symbol.write(
        out,
        options={
            "write_text": False,
            "module_width": BAR_WIDTH_MM,
            "module_height": BAR_HEIGHT_MM,
            "quiet_zone": 2.5,
            "margin_top": 0,
            "margin_bottom": 0,
        },
    )
    return _inline(out.getvalue().decode("utf-8"))


def _inline(document: str) -> str:
    """An SVG document as an element to put inside HTML: no XML declaration, DOCTYPE or
    comment (the comment names the generator's version, which would make output vary)."""
    element = _COMMENT.sub("", _PROLOGUE.sub("", document, count=1))
    return _FILL_STYLE.sub(r'fill="\1"', element).strip()
