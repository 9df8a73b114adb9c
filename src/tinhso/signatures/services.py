"""Writes of the signatures context: the trust list, key registrations, signing, reports.

Every write runs in one transaction with its audit row. Signing talks to the token and the
timestamp authority *before* the transaction opens (no database lock is held while a token
or the network answers); the signed bytes are then stored and recorded in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.accounts.two_factor import confirmed_device, requires_two_factor
from tinhso.audit.services import audit_record
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency
from tinhso.signatures import certificates
from tinhso.signatures.access import may_manage_trust_list, may_sign_with
from tinhso.signatures.models import (
    KeyKind,
    KeyStorage,
    SignaturePurpose,
    SignatureRecord,
    SigningKey,
    TrustRoot,
    ValidationReport,
)
from tinhso.signatures.selectors import (
    key_certificates,
    key_ref,
    signing_timestamper,
    signing_validation_context,
    trust_roots_pem,
)

if TYPE_CHECKING:
    from tinhso.signatures import signing
    from tinhso.signatures.appearance import Appearance

logger = logging.getLogger(__name__)

#: A PDF larger than this is not checked for signatures in the request (the upload limit is
#: the real bound; this protects the public checking page, which has no account behind it).
PUBLIC_CHECK_MAX_BYTES = 20 * 1024 * 1024


# --- Trust list ------------------------------------------------------------------------------


def trust_root_add(*, actor: User | None, pem: str | bytes, note: str = "") -> TrustRoot:
    """Add a root (or trust-anchor) certificate to the province's trust list.

    Only a CA certificate is accepted (basicConstraints cA=TRUE); a certificate already on the
    list is refused with a message naming it. `actor` None: the system (`manage.py
    signatures_pki` adding the demo root).
    """
    if actor is not None and not may_manage_trust_list(actor_for(actor)):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh sách tin cậy."))
    found = certificates.certificates_from(pem)
    if len(found) != 1:
        raise ValidationError({"pem": [_("Mỗi lần chỉ thêm một chứng thư gốc.")]})
    info = certificates.describe(found[0])
    if not info.is_ca:
        raise ValidationError(
            {
                "pem": [
                    _(
                        "“%(subject)s” không phải chứng thư của tổ chức cung cấp dịch vụ "
                        "chứng thực (CA): không thể dùng làm gốc tin cậy."
                    )
                    % {"subject": info.subject}
                ]
            }
        )
    with transaction.atomic():
        existing = TrustRoot.objects.select_for_update().filter(fingerprint=info.fingerprint)
        if existing.exists():
            raise ValidationError(
                {
                    "pem": [
                        _("Chứng thư “%(subject)s” đã có trong danh sách tin cậy.")
                        % {"subject": info.subject}
                    ]
                }
            )
        root = TrustRoot.objects.create(
            fingerprint=info.fingerprint,
            pem=info.pem,
            subject=info.subject,
            issuer=info.issuer,
            serial=info.serial,
            not_before=info.not_before,
            not_after=info.not_after,
            note=note[:255],
            added_by=actor,
        )
        audit_record(
            actor=actor,
            action="signatures.trust_root.add",
            obj=root,
            changes={"subject": root.subject, "fingerprint": root.fingerprint, "note": root.note},
        )
    return root


def trust_root_update(
    *,
    actor: User,
    root: TrustRoot,
    enabled: bool,
    trusted_from: dt.datetime | None = None,
    trusted_until: dt.datetime | None = None,
    note: str | None = None,
) -> TrustRoot:
    """Enable or withdraw a root, or narrow the period during which it is trusted."""
    if not may_manage_trust_list(actor_for(actor)):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh sách tin cậy."))
    if trusted_from and trusted_until and trusted_until <= trusted_from:
        raise ValidationError(
            {"trusted_until": [_("Thời điểm hết tin cậy phải sau thời điểm bắt đầu.")]}
        )
    with transaction.atomic():
        locked = TrustRoot.objects.select_for_update().get(pk=root.pk)
        before = {
            "enabled": locked.enabled,
            "trusted_from": locked.trusted_from,
            "trusted_until": locked.trusted_until,
            "note": locked.note,
        }
        locked.enabled = enabled
        locked.trusted_from = trusted_from
        locked.trusted_until = trusted_until
        if note is not None:
            locked.note = note[:255]
        locked.save(update_fields=["enabled", "trusted_from", "trusted_until", "note"])
        after = {
            "enabled": locked.enabled,
            "trusted_from": locked.trusted_from,
            "trusted_until": locked.trusted_until,
            "note": locked.note,
        }
        audit_record(
            actor=actor,
            action="signatures.trust_root.update",
            obj=locked,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return locked


# --- Keys ------------------------------------------------------------------------------------


def signing_key_register(
    *,
    actor: User | None,
    agency: Agency,
    owner: User | None,
    certificate_pem: str,
    chain_pem: str = "",
    storage: str,
    token_label: str = "",
    key_label: str = "",
    key_id: str = "",
    pkcs12_path: str = "",
    pin_env: str = "",
    label: str = "",
) -> SigningKey:
    """Record where a key lives and its certificate (the key itself stays on its token).

    Called by the provincial administrator or by `manage.py signatures_pki` (actor None).
    Registering the same certificate again updates the row instead of adding one.
    """
    if actor is not None and not actor_for(actor).is_provincial_admin:
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được đăng ký khóa ký số."))
    if storage not in KeyStorage.values:
        raise ValidationError({"storage": [_("Nơi lưu khóa không hợp lệ.")]})
    if storage == KeyStorage.PKCS11 and not (key_label or key_id):
        raise ValidationError({"key_label": [_("Cần nhãn hoặc mã của khóa trên thiết bị.")]})
    if storage == KeyStorage.PKCS12 and not pkcs12_path:
        raise ValidationError({"pkcs12_path": [_("Cần đường dẫn tệp PKCS#12.")]})
    found = certificates.certificates_from(certificate_pem, field="certificate_pem")
    info = certificates.describe(found[0])
    chain = (
        certificates.certificates_from(chain_pem, field="chain_pem") if chain_pem.strip() else []
    )
    from tinhso.signatures.identifiers import agency_code_of

    code = agency_code_of(certificates.as_asn1(found[0]))
    kind = KeyKind.PERSONAL if owner is not None else KeyKind.AGENCY
    values = {
        "kind": kind,
        "agency": agency,
        "owner": owner,
        "label": (label or certificates.common_name(found[0]))[:150],
        "certificate_pem": info.pem,
        "chain_pem": "".join(certificates.describe(c).pem for c in chain),
        "subject": info.subject,
        "agency_code": (code or "")[:35],
        "not_before": info.not_before,
        "not_after": info.not_after,
        "storage": storage,
        "token_label": token_label,
        "key_label": key_label,
        "key_id": key_id,
        "pkcs12_path": pkcs12_path,
        "pin_env": pin_env,
        "enabled": True,
    }
    with transaction.atomic():
        key, created = SigningKey.objects.select_for_update().update_or_create(
            fingerprint=info.fingerprint, defaults=values
        )
        audit_record(
            actor=actor,
            action="signatures.key.register" if created else "signatures.key.update",
            obj=key,
            agency=agency.pk,
            changes={
                "kind": kind,
                "subject": info.subject,
                "serial": info.serial,
                "storage": storage,
                "owner": owner.pk if owner else None,
            },
        )
    return key


# --- Signing ---------------------------------------------------------------------------------


class SigningRefused(ValidationError):
    """The signature could not be made: a message for the signer, nothing was stored."""


def _check_second_factor(actor: User, otp: str) -> None:
    """Officials with two-factor confirm each signature with a TOTP code as well as the PIN."""
    device = confirmed_device(actor)
    if device is None:
        if requires_two_factor(actor):
            raise SigningRefused(
                {"otp": [_("Tài khoản phải bật xác thực hai lớp trước khi ký số.")]}
            )
        return
    if not otp.strip():
        raise SigningRefused({"otp": [_("Nhập mã xác thực (OTP) từ ứng dụng xác thực.")]})
    if not device.verify_token(otp.strip().replace(" ", "")):
        raise SigningRefused({"otp": [_("Mã xác thực (OTP) không đúng hoặc đã hết hạn.")]})


def read_file_bytes(stored: StoredFile) -> bytes:
    with default_storage.open(stored.storage_name, "rb") as handle:
        data: bytes = handle.read()
    return data


def file_sign(
    *,
    actor: User,
    file: StoredFile,
    key: SigningKey,
    pin: str,
    otp: str = "",
    purpose: str = SignaturePurpose.DOCUMENT,
    level: str | None = None,
    appearance: str = "auto",
    number_notation: str = "",
    reason: str = "",
    now: dt.datetime | None = None,
) -> SignatureRecord:
    """Sign a stored PDF with `key` (an incremental update: the original stays as it was).

    `appearance`: "signature" (the person's image between title and name), "seal" (the
    agency's seal over the left third of the person's signature), "box" (attachments and
    copies: number, notation and time at the top right of page 1), "none", or "auto" (by the
    key's kind and the purpose). Nghị định 30/2020 Phụ lục I.
    """
    from tinhso.signatures import signing
    from tinhso.signatures.keys import SigningKeyError, WrongPin

    who = actor_for(actor)
    if not may_sign_with(who, key):
        raise PermissionDenied(_("Bạn không được ký bằng khóa này."))
    if purpose not in SignaturePurpose.values:
        raise ValidationError({"purpose": [_("Mục đích ký không hợp lệ.")]})
    if file.content_type != "application/pdf":
        raise SigningRefused({"file": [_("Chỉ ký số được tệp PDF.")]})
    moment = now or timezone.now()
    if not (key.not_before <= moment < key.not_after):
        raise SigningRefused({"key": [_("Chứng thư số của khóa này không còn hiệu lực.")]})
    if not pin:
        raise SigningRefused({"pin": [_("Nhập mã PIN của thiết bị ký số.")]})
    _check_second_factor(actor, otp)

    chosen_level = cast("signing.Level", level or _default_level())
    if chosen_level != "B-B" and signing_timestamper() is None:
        if level:
            raise SigningRefused(
                {
                    "level": [
                        _(
                            "Chưa cấu hình dịch vụ cấp dấu thời gian (TSA): không ký được ở mức "
                            "%(level)s."
                        )
                        % {"level": level}
                    ]
                }
            )
        # The default (B-T) falls back to B-B where no TSA is configured, and says so.
        logger.warning("signatures.no_tsa_default_b_b", extra={"key": key.pk})
        chosen_level = "B-B"
    field_name = _field_name(key, moment)
    try:
        signed = _sign_with_key(
            key,
            pin=pin,
            data=read_file_bytes(file),
            level=chosen_level,
            field_name=field_name,
            appearance=_appearance_for(key, purpose, appearance, number_notation, moment),
            reason=reason,
            moment=moment,
        )
    except SigningKeyError as exc:
        # The key module's messages never carry the PIN.
        field = "pin" if isinstance(exc, WrongPin) else "key"
        raise SigningRefused({field: [exc.message]}) from None
    except signing.SigningError as exc:
        raise SigningRefused({"file": [str(exc)]}) from None

    upload = SimpleUploadedFile(file.name, signed, content_type="application/pdf")
    with transaction.atomic():
        result = file_store(actor=actor, upload=upload)
        record = SignatureRecord.objects.create(
            key=key,
            signed_by=actor,
            source=file,
            result=result,
            purpose=purpose,
            level=chosen_level,
            field_name=field_name,
            signed_at=moment,
        )
        audit_record(
            actor=actor,
            action="signatures.file.sign",
            obj=record,
            agency=key.agency_id,
            changes={
                "key": key.pk,
                "kind": key.kind,
                "source": file.pk,
                "source_sha256": file.sha256,
                "result": result.pk,
                "result_sha256": result.sha256,
                "purpose": purpose,
                "level": chosen_level,
                "field": field_name,
            },
        )
    return record


def _sign_with_key(
    key: SigningKey,
    *,
    pin: str,
    data: bytes,
    level: signing.Level,
    field_name: str,
    appearance: Appearance | None,
    reason: str,
    moment: dt.datetime,
) -> bytes:
    """Open the key on its token and sign `data` at `level`: the timestamp authority from B-T,
    revocation data fetched and embedded from B-LT. Raises the key's and signing's errors."""
    from tinhso.signatures import signing
    from tinhso.signatures.keys import open_signer

    certificate, chain = key_certificates(key)
    with open_signer(key_ref(key), pin=pin, certificate=certificate, chain=chain) as signer:
        return signing.sign_pdf(
            data,
            signer=signer,
            level=level,
            timestamper=signing_timestamper() if level != "B-B" else None,
            validation_context=(
                signing_validation_context() if level in {"B-LT", "B-LTA"} else None
            ),
            field_name=field_name,
            appearance=appearance,
            reason=reason,
            now=moment,
        )


def _default_level() -> str:
    from django.conf import settings

    return str(settings.TINHSO_SIGNATURE_LEVEL)


def _field_name(key: SigningKey, moment: dt.datetime) -> str:
    who = "CoQuan" if key.kind == KeyKind.AGENCY else "CaNhan"
    return f"ChuKy{who}_{key.pk}_{moment.strftime('%Y%m%d%H%M%S%f')}"


def _appearance_for(
    key: SigningKey, purpose: str, appearance: str, number_notation: str, moment: dt.datetime
) -> Appearance | None:
    from tinhso.signatures.selectors import appearance_for_key

    if appearance == "auto":
        if purpose in {SignaturePurpose.ATTACHMENT, SignaturePurpose.COPY}:
            appearance = "box"
        elif purpose == SignaturePurpose.DOSSIER_FORM:
            appearance = "none"
        else:
            appearance = "seal" if key.kind == KeyKind.AGENCY else "signature"
    if appearance == "none":
        return None
    chosen: Appearance = appearance_for_key(
        key, style=appearance, number_notation=number_notation, moment=moment
    )
    return chosen


# --- Validation ------------------------------------------------------------------------------


def pdf_check(
    *,
    data: bytes,
    at: dt.datetime | None = None,
    expected_agency_code: str | None = None,
) -> dict[str, Any]:
    """Check every signature of a PDF against the trust list, in a separate process.

    Not a write: the public page and the API answer with it. `at` = the moment to check as of
    (archived documents as of their signing); None = now. Raises `PdfRefused` (`NotAPdf`,
    `EncryptedPdf`, `PdfTooLarge`; the message in `str()`) for a file that cannot be checked.
    """
    from django.conf import settings

    from tinhso.signatures.sandbox import validate_pdf_isolated

    moment = at or timezone.now()
    result = validate_pdf_isolated(
        data,
        trust_roots=trust_roots_pem(moment),
        at=moment,
        expected_agency_code=expected_agency_code,
        seconds=settings.TINHSO_SIGNATURE_VALIDATION_SECONDS,
        memory_mb=settings.TINHSO_SIGNATURE_VALIDATION_MEMORY_MB,
    )
    report: dict[str, Any] = result.as_dict()
    return report


def file_signatures_check(
    *,
    file: StoredFile,
    at: dt.datetime | None = None,
    expected_agency_code: str | None = None,
) -> ValidationReport:
    """Check the signatures of a stored PDF and keep the report (background after upload)."""
    from tinhso.signatures.sandbox import PdfRefused

    moment = at or timezone.now()
    try:
        report = pdf_check(
            data=read_file_bytes(file), at=moment, expected_agency_code=expected_agency_code
        )
    except PdfRefused as exc:
        report = {"verdict": "invalid", "signatures": [], "error": str(exc)}
    signatures = report.get("signatures") or []
    with transaction.atomic():
        kept = ValidationReport.objects.create(
            file=file,
            valid_at=moment,
            verdict=str(report.get("verdict", "indeterminate")),
            signature_count=len(signatures) if isinstance(signatures, Sequence) else 0,
            report=report,
        )
        audit_record(
            actor=None,
            action="signatures.file.check",
            obj=kept,
            agency=file.agency_id,
            changes={"file": file.pk, "sha256": file.sha256, "verdict": kept.verdict},
        )
    return kept


def pdf_seal_unattended(
    *, agency_id: int, data: bytes, reference: str, now: dt.datetime | None = None
) -> bytes:
    """Seal a form printed by the system (Mẫu 01 …) with the agency key that the server holds.

    Only a key registered with `pin_env` (its PIN in that environment variable on the server)
    signs without a person; without one, or when the token or the timestamp authority does not
    answer, the form is returned unsigned and the reason logged — the counter must never stop
    printing receipts because a token is unplugged. Every seal is audited.
    """
    import os

    from tinhso.signatures import signing
    from tinhso.signatures.keys import SigningKeyError

    moment = now or timezone.now()
    key = (
        SigningKey.objects.filter(
            kind=KeyKind.AGENCY,
            agency_id=agency_id,
            enabled=True,
            not_before__lte=moment,
            not_after__gt=moment,
        )
        .exclude(pin_env="")
        .order_by("-not_after")
        .first()
    )
    if key is None:
        return data
    pin = os.environ.get(key.pin_env, "")
    if not pin:
        logger.warning("signatures.seal_pin_missing", extra={"key": key.pk, "env": key.pin_env})
        return data
    level = cast("signing.Level", _default_level())
    if level != "B-B" and signing_timestamper() is None:
        level = "B-B"
    try:
        signed = _sign_with_key(
            key,
            pin=pin,
            data=data,
            level=level,
            field_name=_field_name(key, moment),
            appearance=None,
            reason=reference,
            moment=moment,
        )
    except (SigningKeyError, signing.SigningError, OSError) as exc:
        logger.warning(
            "signatures.seal_failed", extra={"key": key.pk, "error": exc.__class__.__name__}
        )
        return data
    with transaction.atomic():
        audit_record(
            actor=None,
            action="signatures.form.seal",
            agency=agency_id,
            object_type="signatures.signingkey",
            object_id=str(key.pk),
            object_repr=reference[:255],
            changes={"reference": reference, "key": key.pk, "level": level, "size": len(signed)},
        )
    return signed
