"""Recognising the text of scans (OCR): Tesseract with its Vietnamese data, through ocrmypdf.

ocrmypdf runs as a separate program on a copy of the file in a private temporary directory
(the original in storage is never touched), with `-l vie+eng`, one job, no output PDF
(`--output-type none`: only the recognised text, `--sidecar`), a wall-clock limit and an
address-space limit that Tesseract, started by ocrmypdf, inherits. On timeout the whole
process group is killed. A PDF's pages that already hold text are skipped (`--skip-text`).

Settings: TINHSO_OCR_ENABLED (True), TINHSO_OCR_TIMEOUT_SECONDS (120),
TINHSO_OCR_MEMORY_MB (1024). Without ocrmypdf on the PATH the result is "unavailable".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from django.conf import settings

from tinhso.documents.search.extraction import kill_group, memory_limiter

OcrKind = Literal["pdf", "png", "jpeg", "tiff"]

LANGUAGES: Final = "vie+eng"
#: Scans of more pages are read up to this page: about a second a page on one core.
MAX_PAGES: Final = 100
_SUFFIX: Final = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
_SKIPPED = re.compile(r"^\[OCR skipped on page\(s\) [^\]]*\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class OcrResult:
    status: Literal["done", "failed", "timeout", "unavailable", "disabled"]
    text: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def ocr_enabled() -> bool:
    return bool(getattr(settings, "TINHSO_OCR_ENABLED", True))


def ocr_program() -> str | None:
    return shutil.which("ocrmypdf")


def recognise(
    data: bytes,
    kind: OcrKind,
    *,
    seconds: float | None = None,
    memory_mb: int | None = None,
) -> OcrResult:
    """The text OCR reads in `data` (a PDF or an image); never raises for a bad file."""
    if not ocr_enabled():
        return OcrResult("disabled")
    program = ocr_program()
    if program is None:
        return OcrResult("unavailable")
    seconds = float(
        seconds if seconds is not None else getattr(settings, "TINHSO_OCR_TIMEOUT_SECONDS", 120)
    )
    memory_mb = int(
        memory_mb if memory_mb is not None else getattr(settings, "TINHSO_OCR_MEMORY_MB", 1024)
    )
    with tempfile.TemporaryDirectory(prefix="tinhso-ocr-") as work:
        source = Path(work) / f"input{_SUFFIX[kind]}"
        source.write_bytes(data)
        sidecar = Path(work) / "text.txt"
        command = [
            program,
            "-l", LANGUAGES,
            "--output-type", "none",
            "--sidecar", str(sidecar),
            "--jobs", "1",
            "--optimize", "0",
            "--quiet",
        ]  # fmt: skip
        if kind == "pdf":
            command += ["--skip-text", "--pages", f"1-{MAX_PAGES}"]
        else:
            # Used only when the image does not say its resolution; scans are 200–300 dpi.
            command += ["--image-dpi", "300"]
        command += [str(source), "-"]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": work,
            "TMPDIR": work,
            "LANG": "C.UTF-8",
            # One thread in Tesseract, two malloc arenas: the address-space limit counts
            # every thread's reserved stack and arena.
            "OMP_THREAD_LIMIT": "1",
            "MALLOC_ARENA_MAX": "2",
        }
        try:
            process = subprocess.Popen(  # noqa: S603  a fixed program with our arguments
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=work,
                env=env,
                start_new_session=True,
                preexec_fn=memory_limiter(memory_mb),  # only calls setrlimit: safe after fork
            )
        except OSError as exc:
            return OcrResult("unavailable", detail={"error": str(exc)[:200]})
        try:
            _out, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return OcrResult("timeout", detail={"seconds": seconds})
        if process.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            return OcrResult(
                "failed",
                detail={"exit": process.returncode, "error": "\n".join(message[-3:])[:500]},
            )
        raw = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    text = _SKIPPED.sub("", raw).replace("\f", "\n").strip()
    return OcrResult("done", text=text)
