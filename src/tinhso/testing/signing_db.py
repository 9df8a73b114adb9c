"""Registering the test PKI's keys in the database, for tests of the services, the API, the
screens and the flows that sign (`tinhso.testing.signing` makes the PKI and its token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinhso.accounts.models import User
from tinhso.organizations.models import Agency
from tinhso.signatures.models import SigningKey, TrustRoot
from tinhso.signatures.services import signing_key_register
from tinhso.testing.signing import LocalPki


@dataclass(frozen=True)
class KeySet:
    seal: SigningKey
    leader: SigningKey | None
    clerk: SigningKey | None
    root: TrustRoot


def use_test_pki(settings: Any, pki: LocalPki) -> None:
    """Point the platform at the test PKI: its SoftHSM2 token and its TSA."""
    settings.TINHSO_SOFTHSM2_CONF = str(pki.manifest.softhsm_conf)
    settings.TINHSO_PKCS11_MODULE = pki.manifest.module
    settings.TINHSO_TSA_URL = pki.tsa_url


def register_test_keys(
    settings: Any,
    pki: LocalPki,
    *,
    agency: Agency,
    leader: User | None = None,
    clerk: User | None = None,
    seal_pin_env: str = "",
) -> KeySet:
    """The PKI's agency key as `agency`'s seal, the leader's and clerk's personal keys for
    these users, and its root on the trust list."""
    use_test_pki(settings, pki)
    manifest = pki.manifest
    chain = "".join(_pem(c) for c in pki.chain())

    def register(party: str, owner: User | None, pin_env: str = "") -> SigningKey:
        record = manifest.parties[party]
        return signing_key_register(
            actor=None,
            agency=agency,
            owner=owner,
            certificate_pem=(manifest.directory / record.cert).read_text(),
            chain_pem=chain,
            storage="pkcs11",
            token_label=manifest.token_label,
            key_label=record.key_label,
            key_id=record.key_id,
            pin_env=pin_env,
        )

    seal = register(LocalPki.AGENCY, None, seal_pin_env)
    root_pem = pki.trust_root_pem.decode("ascii")
    from tinhso.signatures.certificates import certificates_from, describe

    info = describe(certificates_from(root_pem)[0])
    root, _ = TrustRoot.objects.get_or_create(
        fingerprint=info.fingerprint,
        defaults={
            "pem": info.pem,
            "subject": info.subject,
            "issuer": info.issuer,
            "serial": info.serial,
            "not_before": info.not_before,
            "not_after": info.not_after,
        },
    )
    return KeySet(
        seal=seal,
        leader=register(LocalPki.LEADER, leader) if leader is not None else None,
        clerk=register(LocalPki.CLERK, clerk) if clerk is not None else None,
        root=root,
    )


def _pem(certificate: Any) -> str:
    from asn1crypto import pem

    return str(pem.armor("CERTIFICATE", certificate.dump()).decode("ascii"))
