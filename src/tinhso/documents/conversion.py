"""DOCX → PDF with LibreOffice in headless mode, where the Debian package is installed.

What is signed and issued is a PDF. Where `soffice` is absent the specialist uploads the PDF
of the final version instead; `libreoffice_available()` tells the page which to offer.
The conversion runs on a copy in a private temporary directory with its own LibreOffice
profile, under a time limit; the original file is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.files.detection import DOCX
from tinhso.files.models import StoredFile

#: A DOCX whose parts inflate past this, or past this ratio, is refused (zip bomb).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def soffice_path() -> str | None:
    configured = getattr(settings, "TINHSO_SOFFICE", "")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    return soffice_path() is not None


def check_docx(path: Path, shown: str) -> None:
    """Refuse a DOCX that is not a sane zip: corrupt, encrypted, or a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_UNCOMPRESSED or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                    raise ValidationError(
                        _(
                            "Tệp “%(name)s” giải nén ra quá lớn (nghi là tệp nén độc hại), không xử lý."
                        )
                        % {"name": shown}
                    )
                if info.flag_bits & 0x1:
                    raise ValidationError(_("Tệp “%(name)s” bị mã hóa.") % {"name": shown})
            if "word/document.xml" not in archive.namelist():
                raise ValidationError(
                    _("Tệp “%(name)s” không phải văn bản Word (DOCX) hợp lệ.") % {"name": shown}
                )
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("Tệp “%(name)s” bị hỏng, không đọc được.") % {"name": shown}
        ) from exc


def docx_to_pdf(stored: StoredFile, *, actor: User) -> StoredFile:
    """Convert a stored DOCX to PDF and store the PDF as a new file of the same agency."""
    from tinhso.files.services import file_store

    if stored.content_type != DOCX:
        raise ValidationError(_("Chỉ chuyển được tệp DOCX sang PDF."))
    soffice = soffice_path()
    if soffice is None:
        raise ValidationError(
            _("Máy chủ chưa cài LibreOffice: hãy tải lên bản PDF của dự thảo cuối cùng.")
        )
    timeout = int(getattr(settings, "TINHSO_CONVERSION_TIMEOUT_SECONDS", 120))
    with tempfile.TemporaryDirectory(prefix="tinhso-docx-") as tmp:
        work = Path(tmp)
        source = work / "draft.docx"
        with default_storage.open(stored.storage_name, "rb") as src, source.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        check_docx(source, stored.name)
        profile = (work / "profile").as_uri()
        env = {**os.environ, "HOME": tmp}
        try:
            subprocess.run(  # noqa: S603 - fixed argv, no shell; the file is our copy
                [
                    soffice,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work / "out"),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired as exc:
            raise ValidationError(_("Chuyển DOCX sang PDF quá thời gian cho phép.")) from exc
        except subprocess.CalledProcessError as exc:
            raise ValidationError(_("LibreOffice không chuyển được tệp này sang PDF.")) from exc
        produced = work / "out" / "draft.pdf"
        if not produced.exists():
            raise ValidationError(_("LibreOffice không chuyển được tệp này sang PDF."))
        name = Path(stored.name).stem + ".pdf"
        upload = SimpleUploadedFile(name, produced.read_bytes(), content_type="application/pdf")
        return file_store(actor=actor, upload=upload)


def check_docx_stored(stored: StoredFile, *, field: str = "files") -> None:
    """`check_docx` on a stored file (read through a temporary copy); errors name `field`."""
    with tempfile.TemporaryDirectory(prefix="tinhso-docx-") as tmp:
        path = Path(tmp) / "draft.docx"
        with default_storage.open(stored.storage_name, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        try:
            check_docx(path, stored.name)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
