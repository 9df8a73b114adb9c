"""Reads of the signatures context: the trust list as of a moment, where a key lives, the
timestamp authority, the appearance of a key's signature, the latest report of a file."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q

from tinhso.files.models import StoredFile
from tinhso.signatures.models import KeyKind, KeyStorage, SigningKey, TrustRoot, ValidationReport


def trust_roots_pem(moment: dt.datetime) -> list[bytes]:
    """The enabled roots trusted at `moment` (their own validity and the administrator's
    trust period both contain it), as PEM bytes.

    A root with a narrowed trust period still anchors signatures made inside that period:
    an archived document is checked as of its signing (`moment` in the past).
    """
    rows = TrustRoot.objects.filter(enabled=True).filter(
        Q(trusted_from__isnull=True) | Q(trusted_from__lte=moment),
        Q(trusted_until__isnull=True) | Q(trusted_until__gt=moment),
    )
    return [pem.encode("ascii") for pem in rows.values_list("pem", flat=True)]


def signature_verdicts(file_ids: list[int]) -> dict[int, str]:
    """The latest verdict of each of these files that has been checked (one query)."""
    if not file_ids:
        return {}
    verdicts: dict[int, str] = {}
    rows = (
        ValidationReport.objects.filter(file_id__in=set(file_ids))
        .order_by("file_id", "-checked_at", "-pk")
        .values_list("file_id", "verdict")
    )
    for file_id, verdict in rows:
        verdicts.setdefault(file_id, verdict)
    return verdicts


def latest_report(stored: StoredFile) -> ValidationReport | None:
    return ValidationReport.objects.filter(file=stored).order_by("-checked_at", "-pk").first()


def key_ref(key: SigningKey) -> Any:
    """Where the key lives, for `keys.open_signer`."""
    from tinhso.signatures.keys import KeyRef

    if key.storage == KeyStorage.PKCS12:
        return KeyRef(storage="pkcs12", path=key.pkcs12_path)
    return KeyRef(
        storage="pkcs11",
        module=str(settings.TINHSO_PKCS11_MODULE),
        token_label=key.token_label,
        key_label=key.key_label,
        key_id=key.key_id,
        softhsm_conf=softhsm_conf(),
    )


def softhsm_conf() -> str:
    """SoftHSM2's configuration: the setting, else the demo PKI's token directory."""
    if settings.TINHSO_SOFTHSM2_CONF:
        return str(settings.TINHSO_SOFTHSM2_CONF)
    conf = Path(settings.TINHSO_PKI_DIR) / "softhsm2.conf"
    return str(conf) if conf.exists() else ""


def key_certificates(key: SigningKey) -> tuple[Any, list[Any]]:
    """The key's certificate and its chain, as pyHanko reads them (asn1crypto)."""
    from tinhso.signatures.certificates import as_asn1, certificates_from

    certificate = as_asn1(certificates_from(key.certificate_pem)[0])
    chain = [as_asn1(c) for c in certificates_from(key.chain_pem)] if key.chain_pem else []
    return certificate, chain


def demo_pki_dir() -> Path | None:
    """The demo/test PKI of `manage.py signatures_pki`, when it has been built."""
    directory = Path(settings.TINHSO_PKI_DIR)
    return directory if (directory / "pki.json").exists() else None


def tsa_url() -> str:
    """The timestamp authority: the configured one, else the demo PKI's local TSA."""
    if settings.TINHSO_TSA_URL:
        return str(settings.TINHSO_TSA_URL)
    directory = demo_pki_dir()
    if directory is None:
        return ""
    from tinhso.signatures.pki import PkiManifest

    return str(PkiManifest.load(directory).tsa_url)


def signing_timestamper() -> Any:
    """pyHanko's RFC 3161 client for the TSA; None when no TSA is configured (B-B only)."""
    url = tsa_url()
    if not url:
        return None
    return _timestamper(url)


@functools.lru_cache(maxsize=4)
def _timestamper(url: str) -> Any:
    from tinhso.signatures.timestamps import BlockingHTTPTimeStamper

    return BlockingHTTPTimeStamper(url, timeout=10)


def signing_validation_context() -> Any:
    """For B-LT and B-LTA: fetch the OCSP answers and CRLs of the chain and embed them."""
    from pyhanko_certvalidator import ValidationContext

    from tinhso.signatures.certificates import as_asn1, certificates_from

    roots = [
        as_asn1(certificate)
        for pem in TrustRoot.objects.filter(enabled=True).values_list("pem", flat=True)
        for certificate in certificates_from(pem)
    ]
    return ValidationContext(trust_roots=roots, allow_fetching=True)


def appearance_for_key(
    key: SigningKey, *, style: str, number_notation: str, moment: dt.datetime
) -> Any:
    """The visible signature of Nghị định 30/2020 Phụ lục I for this key.

    The images are the demo's drawn ones until an agency uploads its own scans.
    """
    from tinhso.signatures import appearance, images

    if style == "box":
        return appearance.attachment_box(number_notation=number_notation)
    if style == "seal" or key.kind == KeyKind.AGENCY:
        return appearance.seal(image=images.seal_image(key.agency.name))
    name = key.owner.full_name if key.owner else key.label
    return appearance.person_signature(image=images.signature_image(name), signer_name=name)
