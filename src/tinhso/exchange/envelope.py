"""Signing edXML envelopes with an agency's seal key, one key session per batch.

The envelope of every package this installation sends carries an XML signature made with the
From agency's seal key (`SigningKey` kind agency), on the server without a person: only a key
registered with `pin_env` (its PIN in that environment variable) may do that, as for the forms
the counter prints (`signatures.services.pdf_seal_unattended`). There is no fallback: a package
is never sent unsigned (QCVN 102:2016 signature of the envelope; vn-eoffice.md §5: the receiver
refuses what it cannot verify).

Opening a PKCS#11 key costs a session and a log-in; `EnvelopeSigners` opens each agency's key
once and keeps it open until the batch ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.utils.translation import gettext as _

from tinhso.exchange import edxml
from tinhso.signatures.models import KeyKind, SigningKey

logger = logging.getLogger(__name__)


class SealUnavailable(Exception):
    """The agency's seal key cannot sign now; `message` is for the clerk (Vietnamese).

    `retry`: the cause may pass by itself (the token is unplugged, the HSM busy); otherwise an
    administrator must act (register a key, set its PIN) and the package is marked failed.
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


def seal_key_for(agency_id: int, moment: dt.datetime) -> SigningKey | None:
    """The agency key the server may use unattended at `moment` (the longest-valid one)."""
    return (
        SigningKey.objects.filter(
            kind=KeyKind.AGENCY,
            agency_id=agency_id,
            enabled=True,
            not_before__lte=moment,
            not_after__gt=moment,
        )
        .exclude(pin_env="")
        .order_by("-not_after", "-pk")
        .first()
    )


@dataclass
class _Opened:
    signer: Any
    certificates: list[bytes]
    agency_code: str


class EnvelopeSigners:
    """Signs envelopes with each agency's seal key, opening a key on first use and closing all
    of them when the block ends::

        with EnvelopeSigners(now=now) as signers:
            signed = signers.sign(agency_id, built)
    """

    def __init__(self, *, now: dt.datetime) -> None:
        self._now = now
        self._stack = ExitStack()
        self._opened: dict[int, _Opened | SealUnavailable] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> EnvelopeSigners:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._stack.close()
        finally:
            self._opened.clear()
            if self._loop is not None:
                self._loop.close()
                self._loop = None

    def sign(self, agency_id: int, data: bytes) -> bytes:
        """`data` (built edXML) with the enveloped XML signature of the agency's seal key.

        Raises `SealUnavailable`."""
        opened = self._open(agency_id)
        loop = self._event_loop()

        def sign_raw(message: bytes) -> bytes:
            signature: bytes = loop.run_until_complete(
                opened.signer.async_sign_raw(message, "sha256")
            )
            return signature

        from tinhso.signatures.keys import SigningKeyError

        try:
            return edxml.sign(data, sign_raw=sign_raw, certificates=opened.certificates)
        except SigningKeyError as exc:
            self._opened.pop(agency_id, None)
            raise SealUnavailable(
                _("Không ký được gói tin bằng khóa ký số của cơ quan: %(error)s")
                % {"error": exc.message},
                retry=True,
            ) from None

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        # One loop for the whole batch: pyHanko's signers are coroutines, and a loop per
        # signature (asyncio.run) would cost more than the signature itself.
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def _open(self, agency_id: int) -> _Opened:
        found = self._opened.get(agency_id)
        if isinstance(found, SealUnavailable):
            raise found
        if found is not None:
            return found
        try:
            opened = self._open_key(agency_id)
        except SealUnavailable as exc:
            self._opened[agency_id] = exc
            raise
        self._opened[agency_id] = opened
        return opened

    def _open_key(self, agency_id: int) -> _Opened:
        from tinhso.signatures.keys import SigningKeyError, open_signer
        from tinhso.signatures.selectors import key_certificates, key_ref

        key = seal_key_for(agency_id, self._now)
        if key is None:
            raise SealUnavailable(
                _(
                    "Cơ quan chưa có khóa ký số của cơ quan (con dấu số) để máy chủ ký gói tin "
                    "liên thông: quản trị cấp tỉnh cần đăng ký khóa của cơ quan, có biến môi "
                    "trường chứa mã PIN trên máy chủ. Gói tin không được gửi khi chưa ký."
                )
            )
        pin = os.environ.get(key.pin_env, "")
        if not pin:
            raise SealUnavailable(
                _(
                    "Máy chủ chưa có mã PIN của khóa ký số cơ quan “%(label)s” (biến môi trường "
                    "%(env)s): quản trị hệ thống cần cấu hình trước khi gửi lại."
                )
                % {"label": key.label, "env": key.pin_env}
            )
        certificate, chain = key_certificates(key)
        try:
            signer = self._stack.enter_context(
                open_signer(key_ref(key), pin=pin, certificate=certificate, chain=chain)
            )
        except SigningKeyError as exc:
            logger.warning(
                "exchange.seal_unavailable", extra={"key": key.pk, "error": exc.__class__.__name__}
            )
            raise SealUnavailable(
                _("Không mở được khóa ký số của cơ quan “%(label)s”: %(error)s")
                % {"label": key.label, "error": exc.message},
                retry=True,
            ) from None
        return _Opened(
            signer=signer,
            certificates=[certificate.dump(), *(c.dump() for c in chain)],
            agency_code=key.agency_code,
        )


def pdf_is_signed(data: bytes) -> bool:
    """Whether the PDF carries at least one signature (not whether it is valid)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return bool(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception:  # an unreadable PDF carries no signature anyone could check
        return False
