"""PAdES signing of PDFs with pyHanko: baseline levels B-B, B-T, B-LT, B-LTA.

ETSI EN 319 142-1 (PAdES) baseline levels, SubFilter ETSI.CAdES.detached:

- B-B: the CMS signature alone (the signing time is only claimed by the signer);
- B-T: plus a signature timestamp from an RFC 3161 timestamp authority;
- B-LT: plus the certificates, OCSP responses and CRLs of the chains in the document
  security store (DSS), for validation after the certificates expire;
- B-LTA: plus a document timestamp over all of that.

A signature is always an incremental update: the bytes given are a prefix of the bytes
returned, so a signature already in the file stays valid. Nghị định 30/2020/NĐ-CP, Điều 14:
the leader signs first, the agency signs last, each as its own revision.

Pure module: no Django models, no clock unless `now` is left out. Refusals are `SigningError`s
whose text is a Vietnamese message for the signer (gettext source strings).
"""

from __future__ import annotations

import asyncio
import io
import logging
import weakref
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.dss import collect_validation_info
from pyhanko_certvalidator import ValidationContext

from tinhso.signatures import appearance as appearances
from tinhso.signatures import speedups  # noqa: F401 - installs the fast readers
from tinhso.signatures.eventloop import outside_event_loop

logger = logging.getLogger(__name__)

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS: tuple[Level, ...] = get_args(Level)
#: The digest of every signature (SHA-256; TT 15/2025/TT-BKHCN allows nothing weaker).
DIGEST = "sha256"
#: Key usages the signer's certificate must allow when it is checked before signing
#: (RFC 5280: a signature on a document is a commitment, nonRepudiation / contentCommitment).
SIGNER_KEY_USAGE = frozenset({"non_repudiation"})


def _(message: str) -> str:
    """Django's gettext where settings are configured (makemessages finds these calls); the
    Vietnamese source elsewhere (a process that never set Django up)."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


class SigningError(Exception):
    """A PDF that cannot be signed, or a signature that could not be made; `str()` says why."""

    code = "signing_failed"


class EncryptedPdf(SigningError):
    code = "encrypted"


class MalformedPdf(SigningError):
    code = "malformed"


class TimestampUnavailable(SigningError):
    code = "timestamp_unavailable"


class CertificateNotValidated(SigningError):
    code = "certificate_not_validated"


def sign_pdf(
    data: bytes,
    *,
    signer: Signer,
    level: Level = "B-T",
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    field_name: str | None = None,
    appearance: appearances.Appearance | None = None,
    reason: str = "",
    location: str = "",
    now: datetime | None = None,
) -> bytes:
    """Sign the PDF `data` at PAdES baseline `level`; the result is `data` plus one update.

    `timestamper` is required from B-T up; `validation_context` from B-LT up (its revocation
    data are embedded; allow fetching in it, or give it the OCSP responses and CRLs). `now` is
    the signing time (claimed in the signature, /M and printed in the appearance); it defaults
    to the clock. `field_name` defaults to the next free "SignatureN".
    """
    return outside_event_loop(
        asyncio.run,
        async_sign_pdf(
            data,
            signer=signer,
            level=level,
            timestamper=timestamper,
            validation_context=validation_context,
            field_name=field_name,
            appearance=appearance,
            reason=reason,
            location=location,
            now=now,
        ),
    )


async def async_sign_pdf(
    data: bytes,
    *,
    signer: Signer,
    level: Level = "B-T",
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    field_name: str | None = None,
    appearance: appearances.Appearance | None = None,
    reason: str = "",
    location: str = "",
    now: datetime | None = None,
) -> bytes:
    """`sign_pdf` for callers that already run an event loop."""
    if level not in LEVELS:
        raise ValueError(f"unknown PAdES level {level!r}; one of {', '.join(LEVELS)}")
    if level != "B-B" and timestamper is None:
        raise ValueError(f"PAdES {level} needs a timestamper")
    if level in ("B-LT", "B-LTA") and validation_context is None:
        raise ValueError(f"PAdES {level} needs a validation context")
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must carry its time zone")

    writer = open_pdf(data)
    try:
        name = field_name or _free_field_name(writer)
        if _is_signed(writer, name):
            raise SigningError(
                _("Tệp PDF đã có chữ ký trong ô chữ ký “%(field)s”.") % {"field": name}
            )
        placement = (
            appearances.place(appearance, data=data, reader=writer.prev, now=moment)
            if appearance is not None
            else None
        )
    except SigningError:
        raise
    except appearances.UnreadableImage as exc:
        raise SigningError(_("Không đọc được ảnh chữ ký hoặc ảnh con dấu (cần tệp PNG).")) from exc
    except Exception as exc:  # a broken page tree or annotation list in a hostile file
        logger.info("PDF refused while placing the signature", exc_info=True)
        raise MalformedPdf(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được.")) from exc

    # B-LT and up: the validation data of the signatures already in the file go into the same
    # DSS (the leader's, when the agency signs last), so every signature can be checked later.
    earlier_paths = (
        await _earlier_validation_paths(writer, validation_context)
        if level in ("B-LT", "B-LTA") and validation_context is not None
        else []
    )

    metadata = PdfSignatureMetadata(
        field_name=name,
        md_algorithm=DIGEST,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        embed_validation_info=level in ("B-LT", "B-LTA"),
        use_pades_lta=level == "B-LTA",
        validation_context=validation_context,
        signer_key_usage=set(SIGNER_KEY_USAGE),
    )
    field_spec = SigFieldSpec(
        sig_field_name=name,
        on_page=placement.page if placement else 0,
        box=placement.box if placement else None,  # type: ignore[arg-type]  # floats are fine
    )
    pdf_signer = PdfSigner(
        metadata,
        signer=signer,
        timestamper=timestamper if level != "B-B" else None,
        stamp_style=placement.style if placement else None,
        new_field_spec=field_spec,
    )
    try:
        try:
            signed = await _sign(
                pdf_signer,
                writer,
                moment=moment,
                level=level,
                text_params=placement.text_params if placement else None,
                earlier_paths=earlier_paths,
            )
        except (PyHankoSigningError, PdfError) as exc:
            if "larger than expected" not in str(exc):
                raise
            # A remembered size was too small for this signature (a larger timestamp token):
            # start again from the original bytes, measuring this time.
            _forget_size(pdf_signer)
            signed = await _sign(
                PdfSigner(
                    metadata,
                    signer=signer,
                    timestamper=pdf_signer.default_timestamper,
                    stamp_style=pdf_signer.stamp_style,
                    new_field_spec=field_spec,
                ),
                open_pdf(data),
                moment=moment,
                level=level,
                text_params=placement.text_params if placement else None,
                earlier_paths=earlier_paths,
            )
    except TimestampRequestError as exc:
        logger.warning("timestamp authority failed: %s", exc)
        raise TimestampUnavailable(
            _("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian; thử lại sau.")
        ) from exc
    except PyHankoSigningError as exc:
        logger.warning("pyHanko refused to sign: %s", exc)
        if "could not be validated" in str(exc):
            raise CertificateNotValidated(
                _(
                    "Không xác thực được chứng thư số của người ký (chuỗi chứng thư hoặc tình trạng thu hồi)."
                )
            ) from exc
        raise SigningError(_("Không ký được tệp PDF này.")) from exc
    except PdfError as exc:
        logger.info("PDF refused while signing", exc_info=True)
        raise MalformedPdf(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được.")) from exc

    if not signed.startswith(data):  # never expected: pyHanko only appends
        raise SigningError(_("Không ký được tệp PDF này."))
    return signed


async def _sign(
    pdf_signer: PdfSigner,
    writer: IncrementalPdfFileWriter,
    *,
    moment: datetime,
    level: Level,
    text_params: dict[str, str] | None,
    earlier_paths: list[Any],
) -> bytes:
    # pyHanko's `async_sign_pdf`, with the signing time set to `moment`: the time claimed in
    # the CMS signed attributes, the /M entry and the time printed in the appearance are one.
    session = pdf_signer.init_signing_session(writer)
    session.system_time = moment
    validation_info = await session.perform_presign_validation(writer)
    if validation_info is not None:
        validation_info.validation_paths.extend(earlier_paths)
    bytes_reserved = _remembered_size(pdf_signer, level)
    if bytes_reserved is None:
        bytes_reserved = await session.estimate_signature_container_size(validation_info)
        _remember_size(pdf_signer, level, bytes_reserved)
    document = session.prepare_tbs_document(
        validation_info=validation_info,
        bytes_reserved=bytes_reserved,
        appearance_text_params=text_params,
    )
    digest, output = document.digest_tbs_document(output=io.BytesIO())
    post_signing = await document.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=moment,
            adobe_revinfo_attr=None,
            cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec,
        ),
    )
    await post_signing.post_signature_processing(output)
    output.seek(0)
    return bytes(output.read())


# The space to reserve for a signature container, measured once per certificate, level and
# timestamp authority: pyHanko measures it by building a whole dummy signature (a third of the
# time of a signature). Keyed weakly by the timestamper, whose tokens have a stable size.
_SIZES: weakref.WeakKeyDictionary[object, dict[tuple[bytes, str], int]] = (
    weakref.WeakKeyDictionary()
)


class _NoTimestamper:
    """The key of sizes measured without a timestamp (B-B)."""


_NO_TIMESTAMPER = _NoTimestamper()


def _size_key(pdf_signer: PdfSigner, level: str) -> tuple[object, tuple[bytes, str]] | None:
    certificate = pdf_signer.signer.signing_cert
    if certificate is None:
        return None
    owner = pdf_signer.default_timestamper or _NO_TIMESTAMPER
    return owner, (certificate.sha256, level)


def _remembered_size(pdf_signer: PdfSigner, level: str) -> int | None:
    key = _size_key(pdf_signer, level)
    if key is None:
        return None
    return _SIZES.get(key[0], {}).get(key[1])


def _remember_size(pdf_signer: PdfSigner, level: str, size: int) -> None:
    key = _size_key(pdf_signer, level)
    if key is not None:
        _SIZES.setdefault(key[0], {})[key[1]] = size


def _forget_size(pdf_signer: PdfSigner) -> None:
    key = _size_key(pdf_signer, "")
    if key is not None:
        _SIZES.pop(key[0], None)


async def _earlier_validation_paths(
    writer: IncrementalPdfFileWriter, context: ValidationContext
) -> list[Any]:
    """Check the chains of the signatures already in the file with `context`, which keeps the
    OCSP responses and CRLs it fetched: pyHanko then writes them into the DSS."""
    paths: list[Any] = []
    try:
        signatures = writer.prev.embedded_regular_signatures
    except Exception:  # unreadable signature dictionaries: validation will report them
        logger.warning("earlier signatures unreadable", exc_info=True)
        return paths
    for signature in signatures:
        try:
            paths.extend(await collect_validation_info(signature, context))
        except Exception:  # an earlier signature that does not check out: validation says so
            logger.warning(
                "no validation data for the earlier signature %s",
                signature.field_name,
                exc_info=True,
            )
    return paths


def open_pdf(data: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over `data`, or `MalformedPdf` / `EncryptedPdf` saying why not."""
    if b"%PDF-" not in data[:1024]:
        raise MalformedPdf(_("Tệp không phải là PDF."))
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        encrypted = writer.prev.encrypt_dict is not None
        if not encrypted:
            # Walk to the last page now: a broken page tree is refused here, not halfway.
            writer.find_page_for_modification(-1)  # type: ignore[no-untyped-call]
            writer.root.get_object()[pdf_name("/Pages")]  # type: ignore[no-untyped-call]
    except Exception as exc:  # pyHanko's reader raises more than PdfError on hostile input
        logger.info("PDF refused when opened", exc_info=True)
        raise MalformedPdf(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được.")) from exc
    if encrypted:
        raise EncryptedPdf(
            _("Tệp PDF được mã hóa (đặt mật khẩu); hãy gỡ mật khẩu rồi tải lên lại để ký số.")
        )
    return writer


def _is_signed(writer: IncrementalPdfFileWriter, field_name: str) -> bool:
    return any(
        name == field_name and value is not None
        for name, value, _ref in enumerate_sig_fields(writer.prev)
    )


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in enumerate_sig_fields(writer.prev)}
    number = len(taken) + 1
    while f"Signature{number}" in taken:
        number += 1
    return f"Signature{number}"
