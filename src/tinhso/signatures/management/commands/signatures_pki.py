"""`manage.py signatures_pki [--dir] [--base-url] [--pin]`: the demo PKI (idempotent).

Builds `tinhso.signatures.pki.build_test_pki` in TINHSO_PKI_DIR for the officials in the
database who sign: leaders (lãnh đạo) get a personal certificate, clerks (văn thư) too — the
clerk signs copies and attachments (Nghị định 30/2020, Điều 14 and Phụ lục I) — and every
agency where such people work gets its seal certificate. Keys are generated on a SoftHSM2
token whose PIN is printed (default 123456: a demo token, never a real one). Each key is then
registered as a `SigningKey` (services.signing_key_register). The local TSA, OCSP responder
and CRLs answer under `--base-url` once the web server mounts `pki_services` there.

Running it again adds only what is missing: new officials and agencies, or a certificate
whose name changed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.x509 import load_pem_x509_certificate
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import AccountKind, Membership, Role, User
from tinhso.organizations.models import Agency
from tinhso.signatures.pki import (
    DEMO_PIN,
    DEMO_SO_PIN,
    Party,
    PkiError,
    PkiManifest,
    build_test_pki,
)
from tinhso.signatures.softhsm import SoftHsmError

DEFAULT_BASE_URL = "http://127.0.0.1:8000/pki"
#: Who gets a personal certificate, in order of preference when a person holds both.
SIGNING_ROLES = (Role.LANH_DAO, Role.VAN_THU)


def signing_parties(
    *, agency_codes: Sequence[str] = (), all_agencies: bool = False
) -> tuple[list[Party], dict[str, tuple[Agency, User | None]]]:
    """The parties of the demo PKI, and for each its agency and owner (None: the seal)."""
    memberships = (
        Membership.objects.filter(
            is_active=True,
            role__in=SIGNING_ROLES,
            user__is_active=True,
            user__kind=AccountKind.OFFICIAL,
        )
        .select_related("user", "agency", "position")
        .order_by("agency__code", "user__username", "pk")
    )
    if agency_codes:
        memberships = memberships.filter(agency__code__in=agency_codes)
    chosen: dict[int, Membership] = {}
    for membership in memberships:
        current = chosen.get(membership.user_id)
        if current is None or SIGNING_ROLES.index(Role(membership.role)) < SIGNING_ROLES.index(
            Role(current.role)
        ):
            chosen[membership.user_id] = membership

    agencies: dict[str, Agency] = {m.agency.code: m.agency for m in chosen.values()}
    if all_agencies:
        others = Agency.objects.all()
        if agency_codes:
            others = others.filter(code__in=agency_codes)
        agencies.update({agency.code: agency for agency in others})

    parties: list[Party] = []
    owners: dict[str, tuple[Agency, User | None]] = {}
    for code in sorted(agencies):
        agency = agencies[code]
        key = f"agency:{code}"
        parties.append(Party(key, "agency", agency.name, code, agency.name, email=agency.email))
        owners[key] = (agency, None)
    for membership in sorted(chosen.values(), key=lambda m: m.user.username):
        user = membership.user
        key = f"person:{user.username}"
        title = (
            membership.position.name if membership.position else str(Role(membership.role).label)
        )
        parties.append(
            Party(
                key,
                "person",
                user.full_name or user.username,
                membership.agency.code,
                membership.agency.name,
                title=title,
                email=user.email,
            )
        )
        owners[key] = (membership.agency, user)
    return parties, owners


class Command(BaseCommand):
    help = (
        "Build the demo PKI (root CA, intermediate, TSA, OCSP, CRLs) with SoftHSM2 keys and "
        "certificates for the agencies and their leaders and clerks; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="PKI directory (default TINHSO_PKI_DIR)")
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"where the PKI services are served (default {DEFAULT_BASE_URL})",
        )
        parser.add_argument("--pin", default=DEMO_PIN, help="user PIN of the demo token")
        parser.add_argument("--so-pin", default=DEMO_SO_PIN, help="SO PIN of the demo token")
        parser.add_argument("--token-label", default="tinhso", help="label of the demo token")
        parser.add_argument(
            "--softhsm-conf",
            type=Path,
            help="an existing softhsm2.conf to put the token in (default DIR/softhsm2.conf)",
        )
        parser.add_argument(
            "--agency",
            action="append",
            default=[],
            metavar="CODE",
            help="only this agency (repeatable)",
        )
        parser.add_argument(
            "--all-agencies",
            action="store_true",
            help="a seal certificate for every agency, not only those with leaders or clerks",
        )
        parser.add_argument(
            "--seal-pin-env",
            default="",
            metavar="NAME",
            help=(
                "register the agencies' seal keys with this environment variable as the PIN the "
                "server holds, so that the forms printed at the counter are sealed (demo)"
            ),
        )
        parser.add_argument(
            "--no-register",
            action="store_true",
            help="do not record the keys as SigningKey rows",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or settings.TINHSO_PKI_DIR).resolve()
        parties, owners = signing_parties(
            agency_codes=options["agency"], all_agencies=options["all_agencies"]
        )
        before = _existing_serials(directory)
        issued = 0
        started = time.monotonic()

        def progress(party: Party) -> None:
            nonlocal issued
            issued += 1
            if issued % 25 == 0:
                self.stdout.write(
                    _("… %(count)d/%(total)d chứng thư") % {"count": issued, "total": len(parties)}
                )

        try:
            manifest = build_test_pki(
                directory,
                parties=parties,
                base_url=options["base_url"],
                now=timezone.now().astimezone(dt.UTC),
                token_label=options["token_label"],
                user_pin=options["pin"],
                so_pin=options["so_pin"],
                softhsm_conf=options["softhsm_conf"],
                module=str(settings.TINHSO_PKCS11_MODULE),
                progress=progress,
            )
        except (PkiError, SoftHsmError) as exc:
            raise CommandError(str(exc)) from exc

        changed = [key for key in owners if manifest.parties[key].serial != before.get(key)]
        if not options["no_register"]:
            _register(manifest, owners, seal_pin_env=options["seal_pin_env"])
            _trust_root(manifest)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "PKI thử nghiệm tại %(directory)s: %(new)d chứng thư mới, %(total)d chứng "
                    "thư của cơ quan và cán bộ (%(seconds).1f giây)."
                )
                % {
                    "directory": directory,
                    "new": len(changed),
                    "total": len(owners),
                    "seconds": time.monotonic() - started,
                }
            )
        )
        self.stdout.write(
            _("Chứng thư gốc (thêm vào danh sách tin cậy): %(path)s") % {"path": manifest.root_cert}
        )
        self.stdout.write(_("Dấu thời gian (TSA): %(url)s") % {"url": manifest.tsa_url})
        self.stdout.write(
            _("Token SoftHSM2 “%(label)s” (%(conf)s), mã PIN: %(pin)s")
            % {"label": manifest.token_label, "conf": manifest.softhsm_conf, "pin": options["pin"]}
        )


def _existing_serials(directory: Path) -> dict[str, str]:
    try:
        manifest = PkiManifest.load(directory)
    except PkiError:
        return {}
    return {key: record.serial for key, record in manifest.parties.items()}


def _trust_root(manifest: PkiManifest) -> None:
    """Put the demo root on the province's trust list (once)."""
    from tinhso.signatures.certificates import certificates_from, describe
    from tinhso.signatures.models import TrustRoot
    from tinhso.signatures.services import trust_root_add

    pem = manifest.root_pem().decode("ascii")
    if TrustRoot.objects.filter(
        fingerprint=describe(certificates_from(pem)[0]).fingerprint
    ).exists():
        return
    trust_root_add(actor=None, pem=pem, note=_("Gốc của PKI thử nghiệm (demo)"))


def _register(
    manifest: PkiManifest,
    owners: dict[str, tuple[Agency, User | None]],
    *,
    seal_pin_env: str = "",
) -> None:
    """Record each certificate not yet known as a SigningKey (the key stays on the token)."""
    from tinhso.signatures.models import SigningKey
    from tinhso.signatures.services import signing_key_register

    pems = {key: manifest.party_cert_path(key).read_text(encoding="ascii") for key in owners}
    fingerprints = {
        key: load_pem_x509_certificate(pem.encode("ascii")).fingerprint(hashes.SHA256()).hex()
        for key, pem in pems.items()
    }
    known = set(
        SigningKey.objects.filter(fingerprint__in=fingerprints.values()).values_list(
            "fingerprint", flat=True
        )
    )
    chain_pem = manifest.intermediate_cert.read_text(encoding="ascii")
    for key, pem in pems.items():
        if fingerprints[key] in known:
            continue
        record = manifest.parties[key]
        agency, owner = owners[key]
        signing_key_register(
            actor=None,
            agency=agency,
            owner=owner,
            certificate_pem=pem,
            chain_pem=chain_pem,
            storage="pkcs11",
            token_label=manifest.token_label,
            key_label=record.key_label,
            key_id=record.key_id,
            label=record.common_name,
            pin_env=seal_pin_env if owner is None else "",
        )
