"""Two hot spots of pyHanko and asn1crypto, made fast without changing what they return.

Measured on the benchmark (bench/signatures.py, py-spy): validating a one-signature PDF spent
half of its time in pyHanko's `read_hex_string_from_stream`, which reads a signature's
`/Contents` (some 34,000 hex digits) one byte at a time, and a fifth of the rest in asn1crypto's
RFC 4518 string preparation, redone at every comparison of two names. Importing this module
(`validation` and `signing` do) installs:

- a hex-string reader that takes the clean case — hex digits and PDF white space up to `>` — in
  64 KB chunks, and hands anything else (a comment, a stray byte, a missing `>`) back to
  pyHanko's own reader from the same position, so errors and odd cases behave exactly as before;
- a memo of `NameTypeAndValue._ldap_string_prep` by its input (a pure function of the string).

Idempotent; `installed()` says whether they are in place. Worth proposing upstream.
"""

from __future__ import annotations

import binascii
import functools
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_CHUNK = 64 * 1024
_HEX_DIGITS = b"0123456789abcdefABCDEF"

_original_read_hex = generic.read_hex_string_from_stream
_original_string_prep = asn1_x509.NameTypeAndValue._ldap_string_prep


def read_hex_string_from_stream(stream: Any) -> Any:
    """pyHanko's reader, chunked: same result, same position after the closing `>`."""
    start = stream.tell()
    stream.read(1)  # the opening "<"
    parts: list[bytes] = []
    consumed = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return _fallback(stream, start)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(start + 1 + consumed + end + 1)
            break
        parts.append(chunk)
        consumed += len(chunk)
    body = b"".join(parts)
    if b"%" in body:  # a comment inside the string: pyHanko skips it, let it
        return _fallback(stream, start)
    digits = body.translate(None, PDF_WHITESPACE)
    if digits.translate(None, _HEX_DIGITS):
        return _fallback(stream, start)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def _fallback(stream: Any, start: int) -> Any:
    stream.seek(start)
    return _original_read_hex(stream)


@functools.lru_cache(maxsize=4096)
def _prepared(string: str) -> str:
    result: str = _original_string_prep(None, string)
    return result


def _ldap_string_prep(self: Any, string: str) -> str:
    return _prepared(string)


def install() -> None:
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    asn1_x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep


def installed() -> bool:
    return (
        generic.read_hex_string_from_stream is read_hex_string_from_stream
        and asn1_x509.NameTypeAndValue._ldap_string_prep is _ldap_string_prep
    )


install()
