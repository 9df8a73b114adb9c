"""Reading untrusted XML: no DTD, no entities, no network, a size limit before parsing.

A DOCTYPE is refused outright (billion laughs, external entities such as file:///etc/passwd,
external DTD URLs): an edXML package never needs one. The parser is also told never to resolve
entities, load a DTD or touch the network, so a DOCTYPE the byte scan could not see (a UTF-16
file) is still harmless, and is refused after parsing.

libxml2 caps a text node at 10 MB unless XML_PARSE_HUGE is set, and a base64 attachment above
~7.5 MB is one such node. The huge mode is therefore used only for packages above 8 MiB that
are in an ASCII-compatible encoding (so the DOCTYPE scan before parsing is reliable) and carry
no DOCTYPE; everything else is parsed with huge_tree=False.
"""

from __future__ import annotations

from lxml import etree

from tinhso.exchange.edxml.model import NS, EdxmlRefused, gettext_noop

__all__ = ["ROOT_TAG", "load", "refuse_too_large"]

ROOT_TAG = f"{{{NS}}}edXML"

_HUGE_ABOVE = 8 * 1024 * 1024

MSG_TOO_LARGE = gettext_noop("Gói tin vượt quá dung lượng cho phép.")
MSG_NOT_XML = gettext_noop("Gói tin không phải là tài liệu XML hợp lệ.")
MSG_DTD = gettext_noop("Gói tin chứa khai báo DOCTYPE/DTD, không được phép vì lý do an toàn.")
MSG_NOT_EDXML = gettext_noop("Gói tin không phải là gói tin edXML (QCVN 102:2016).")


def _parser(huge: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        collect_ids=False,
        remove_blank_text=False,
    )


def refuse_too_large(size: int, limit: int) -> None:
    if size > limit:
        raise EdxmlRefused("too_large", MSG_TOO_LARGE, f"{size} > {limit} bytes")


def load(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of `data`, an edXML document; raises EdxmlRefused otherwise."""
    if not isinstance(data, bytes):
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        else:
            raise TypeError("edXML data must be bytes")
    refuse_too_large(len(data), max_bytes)
    if b"<!DOCTYPE" in data:
        raise EdxmlRefused("forbidden_dtd", MSG_DTD)
    wide = _wide_encoding(data[:4])
    if wide is not None and "<!DOCTYPE" in data.decode(wide, errors="replace"):
        raise EdxmlRefused("forbidden_dtd", MSG_DTD)
    ascii_compatible = wide is None
    huge = ascii_compatible and len(data) > _HUGE_ABOVE
    try:
        # Parsers are cheap to create and not thread-safe to share: one per call.
        root = etree.fromstring(data, _parser(huge))
    except etree.XMLSyntaxError as error:
        raise EdxmlRefused("not_xml", MSG_NOT_XML, _first_line(str(error))) from None
    except (ValueError, etree.LxmlError) as error:
        raise EdxmlRefused("not_xml", MSG_NOT_XML, type(error).__name__) from None
    if root is None:
        raise EdxmlRefused("not_xml", MSG_NOT_XML)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise EdxmlRefused("forbidden_dtd", MSG_DTD)
    if root.tag != ROOT_TAG:
        raise EdxmlRefused("not_edxml", MSG_NOT_EDXML, _tag_name(root.tag))
    return root


def _wide_encoding(start: bytes) -> str | None:
    """The codec of a UTF-16/UTF-32 document (by its BOM or its first "<"), else None."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if start.startswith(bom):
            return codec
    return "utf-16" if b"\x00" in start else None


def _first_line(text: str) -> str:
    return text.splitlines()[0][:200] if text else ""


def _tag_name(tag: object) -> str:
    return str(tag)[:120] if isinstance(tag, str) else type(tag).__name__
