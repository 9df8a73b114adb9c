"""Reading the text of a PDF (its text layer) or a DOCX (`word/document.xml`), with limits.

A received file is hostile until read: a PDF may hold a decompression bomb or a structure that
sends a parser into a loop, a DOCX a zip bomb or an XML entity bomb. `extract_isolated` reads
the file in a child Python process with a wall-clock timeout and an address-space limit
(RLIMIT_AS); the child runs this very file as a script and imports nothing of Django, only
pypdf and lxml. Whatever happens answers an `Extracted` with a reason code — never an
exception to the caller.

Limits inside the child: at most `MAX_PAGES` pages and `MAX_CHARS` characters are kept (the
rest is marked truncated); a DOCX's declared sizes and compression ratio are checked before
anything is decompressed, and the XML is decompressed in chunks that stop at `DOCX_MAX_XML`
whatever the archive declares; XML is parsed without entities, DTD or network.

Reason codes (messages in `tinhso.documents.search.reasons`): `encrypted`, `malformed`,
`zip_bomb`, `too_large`, `timeout`, `memory`, `crashed`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

Kind = Literal["pdf", "docx"]

MAX_PAGES: Final = 500
MAX_CHARS: Final = 1_000_000
#: A page whose text layer holds fewer characters is taken as a scan (OCR reads it).
MIN_PAGE_CHARS: Final = 16
DOCX_MAX_ENTRIES: Final = 10_000
DOCX_MAX_UNCOMPRESSED: Final = 200 * 1024 * 1024
DOCX_MAX_XML: Final = 20 * 1024 * 1024
DOCX_MAX_RATIO: Final = 100

_EXIT_MEMORY: Final = 86
_MIB: Final = 1024 * 1024
_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Extracted:
    status: Literal["ok", "empty", "failed"]
    reason: str = ""
    text: str = ""
    pages: int | None = None
    truncated: bool = False
    #: Pages without a text layer (scans): OCR should read them.
    scanned_pages: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


def failed(reason: str, **detail: Any) -> Extracted:
    return Extracted(status="failed", reason=reason, detail=detail)


def extract(kind: Kind, data: bytes) -> Extracted:
    """The text of `data` read in this process (the child's entry; tests call it directly)."""
    if kind == "pdf":
        return extract_pdf(data)
    return extract_docx(data)


# --- PDF --------------------------------------------------------------------------------------


def extract_pdf(data: bytes) -> Extracted:
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many "protected" PDFs only restrict printing: the empty user password opens them.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = PasswordType.NOT_DECRYPTED
            if opened == PasswordType.NOT_DECRYPTED:
                return failed("encrypted")
        count = len(reader.pages)
    except MemoryError:
        raise
    except Exception as exc:
        return failed("malformed", error=type(exc).__name__)

    texts: list[str] = []
    total = 0
    scanned = 0
    truncated = count > MAX_PAGES
    broken = 0
    for index in range(min(count, MAX_PAGES)):
        try:
            page_text = reader.pages[index].extract_text() or ""
        except MemoryError:
            raise
        except Exception:
            # One unreadable page: the others still count.
            broken += 1
            page_text = ""
        if len(page_text.strip()) < MIN_PAGE_CHARS:
            scanned += 1
        if total + len(page_text) > MAX_CHARS:
            texts.append(page_text[: MAX_CHARS - total])
            truncated = True
            break
        texts.append(page_text)
        total += len(page_text)
    if broken and broken == min(count, MAX_PAGES):
        return failed("malformed", error="pages")
    text = "\n".join(t for t in texts if t.strip())
    return Extracted(
        status="ok" if text.strip() else "empty",
        text=text,
        pages=count,
        truncated=truncated,
        scanned_pages=scanned,
    )


# --- DOCX -------------------------------------------------------------------------------------


def extract_docx(data: bytes) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except MemoryError:
        raise
    except Exception as exc:
        return failed("malformed", error=type(exc).__name__)
    if len(entries) > DOCX_MAX_ENTRIES:
        return failed("zip_bomb", check="entries")
    if sum(e.file_size for e in entries) > DOCX_MAX_UNCOMPRESSED:
        return failed("zip_bomb", check="size")
    body = next((e for e in entries if e.filename == "word/document.xml"), None)
    if body is None:
        return failed("malformed", error="no word/document.xml")
    if body.file_size > DOCX_MAX_XML:
        return failed("zip_bomb", check="size")
    if body.file_size > DOCX_MAX_RATIO * max(body.compress_size, 1):
        return failed("zip_bomb", check="ratio")
    try:
        xml = _read_bounded(archive, body)
    except _TooLarge:
        return failed("zip_bomb", check="size")
    except MemoryError:
        raise
    except Exception as exc:
        return failed("malformed", error=type(exc).__name__)
    if len(xml) > DOCX_MAX_RATIO * max(body.compress_size, 1):
        return failed("zip_bomb", check="ratio")
    return _docx_text(xml)


class _TooLarge(Exception):
    pass


def _read_bounded(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, stopping past `DOCX_MAX_XML` whatever its header declares (a zip's
    declared sizes are the sender's word; zipfile checks them only at the end)."""
    out = bytearray()
    with archive.open(entry) as stream:
        while chunk := stream.read(256 * 1024):
            out += chunk
            if len(out) > DOCX_MAX_XML:
                raise _TooLarge
    return bytes(out)


def _docx_text(xml: bytes) -> Extracted:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except MemoryError:
        raise
    except Exception as exc:
        return failed("malformed", error=type(exc).__name__)
    parts: list[str] = []
    total = 0
    truncated = False
    for element in root.iter(f"{_W}p", f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        tag = element.tag
        if tag == f"{_W}t":
            piece = element.text or ""
        elif tag == f"{_W}tab":
            piece = "\t"
        else:
            # A paragraph starts (document order) or a line breaks.
            piece = "\n"
        if total + len(piece) > MAX_CHARS:
            truncated = True
            break
        parts.append(piece)
        total += len(piece)
    text = "".join(parts).strip()
    return Extracted(status="ok" if text else "empty", text=text, truncated=truncated)


# --- The child process ------------------------------------------------------------------------


def extract_isolated(kind: Kind, data: bytes, *, seconds: float, memory_mb: int) -> Extracted:
    """`extract` in a child process limited to `seconds` of wall-clock time and `memory_mb`
    of address space; a child that overruns either, or dies, gives a failed result."""
    try:
        process = subprocess.Popen(  # noqa: S603  our interpreter running this file
            [sys.executable, "-I", os.path.abspath(__file__), kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=memory_limiter(memory_mb),  # only calls setrlimit: safe after fork
        )
    except OSError as exc:
        return failed("crashed", error=type(exc).__name__)
    try:
        out, err = process.communicate(data, timeout=seconds)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return failed("timeout", seconds=seconds)
    if process.returncode == _EXIT_MEMORY:
        return failed("memory", megabytes=memory_mb)
    if process.returncode != 0:
        memory = b"MemoryError" in err[-2000:]
        return failed("memory", megabytes=memory_mb) if memory else failed("crashed")
    try:
        answer = json.loads(out)
        return Extracted(**answer)
    except (ValueError, TypeError):
        return failed("crashed", error="answer")


def memory_limiter(memory_mb: int) -> Any:
    limit = memory_mb * _MIB

    def limit_memory() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return limit_memory


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a child started with `start_new_session` and everything it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.communicate(timeout=5)


def _main() -> None:
    kind = sys.argv[1]
    if kind not in ("pdf", "docx"):
        raise SystemExit(2)
    import logging

    # pypdf logs every oddity of a file it can read anyway; the answer says what matters.
    logging.disable(logging.WARNING)
    data = sys.stdin.buffer.read()
    try:
        result = extract("pdf" if kind == "pdf" else "docx", data)
        # ASCII JSON: the pipe's encoding does not matter.
        sys.stdout.write(json.dumps(asdict(result)))
    except MemoryError:
        os._exit(_EXIT_MEMORY)


if __name__ == "__main__":
    _main()
