"""The binary form of the hub's `inbox/take` answer (decision 0005 §5; decision 0008).

In JSON each body travels as base64 inside a JSON string: a third larger, and encoded, escaped,
parsed and decoded again at both ends — for the 100 KB attachments of the benchmark about as
much CPU as the rest of the take. A client that sends ``Accept: application/vnd.tinhso.take``
gets instead::

    tinhso-take/1\\n
    {"items": [{…the JSON form's fields without "body"…, "body_bytes": N}, …]}\\n
    <the first body's N bytes><the second's>…

The header is the JSON form's object (one line: JSON escapes every newline inside strings);
the bodies follow in the order of the items, as stored. The client reads either form, so a hub
without it (or an adapter that ignores the Accept header) still works. Pure Python, no Django:
the hub and the node both import it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["MAGIC", "MEDIA_TYPE", "TakeFrameError", "decode", "encode", "is_framed"]

MEDIA_TYPE = "application/vnd.tinhso.take"
MAGIC = b"tinhso-take/1\n"


class TakeFrameError(ValueError):
    """The answer is not a well-formed binary take answer."""


def encode(items: Sequence[dict[str, Any]], bodies: Sequence[bytes]) -> bytes:
    """The answer for `items` (the JSON form's fields, without the body) and their bodies."""
    if len(items) != len(bodies):
        raise ValueError("one body per item")
    header = {
        "items": [
            item | {"body_bytes": len(body)} for item, body in zip(items, bodies, strict=True)
        ]
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"".join([MAGIC, head, b"\n", *bodies])


def is_framed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def decode(data: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """The items and their bodies. Raises `TakeFrameError` when the lengths do not add up to
    what was received, or the header is not the expected JSON."""
    if not is_framed(data):
        raise TakeFrameError("not a binary take answer")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise TakeFrameError("no end to the header")
    try:
        header = json.loads(data[len(MAGIC) : end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TakeFrameError("the header is not JSON") from None
    rows = header.get("items") if isinstance(header, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TakeFrameError("the header has no list of items")
    view = memoryview(data)
    offset = end + 1
    out: list[tuple[dict[str, Any], bytes]] = []
    for row in rows:
        size = row.pop("body_bytes", None)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise TakeFrameError("an item without its body's length")
        if offset + size > len(data):
            raise TakeFrameError("the answer ends inside a body")
        out.append((row, bytes(view[offset : offset + size])))
        offset += size
    if offset != len(data):
        raise TakeFrameError("bytes after the last body")
    return out
